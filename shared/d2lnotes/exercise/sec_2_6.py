"""Checks for the exercises of 2.6 Probability."""

import math

import torch

from .core import Exercises, answer, call, fail

exercises = Exercises("2.6")

_F64 = torch.float64


def _tensor(value, what):
    value = answer(value)
    try:
        if isinstance(value, torch.Tensor):
            return value.detach().to("cpu", _F64)
        return torch.as_tensor(value, dtype=_F64)
    except (TypeError, ValueError, RuntimeError):
        fail(f"{what} 应该是数、列表或张量，而你给出的是 {type(value).__name__}。",
             f"{what} should be a number, a list or a tensor, got {type(value).__name__}.")


def _number(value, what):
    try:
        return float(answer(value))
    except (TypeError, ValueError, RuntimeError):
        fail(f"{what} 应该是一个数。", f"{what} should be a number.")


@exercises.check(1)
def _running_estimates(running_estimates):
    """`running_estimates(m, n)` throws a fair die in m groups of n and returns the (m, 6) running
    estimates of the six probabilities, one row after each group."""
    for m, n in ((60, 10), (20, 100)):
        with torch.random.fork_rng(devices=[]):  # leave the student's random state alone
            torch.manual_seed(26)
            est = _tensor(call(running_estimates, m, n), f"running_estimates({m}, {n})")
        if est.shape != (m, 6):
            fail(f"running_estimates({m}, {n}) 的形状是 {tuple(est.shape)}："
                 f"每组之后一行，每个面一列，应为 ({m}, 6)。",
                 f"running_estimates({m}, {n}) has shape {tuple(est.shape)}: one row after "
                 f"each group, one column per face, ({m}, 6).")
        if not torch.allclose(est.sum(dim=1), torch.ones(m, dtype=_F64)):
            fail("每一行的估计概率之和应为 1：用到目前为止的总投掷次数去除。",
                 "each row's estimated probabilities should sum to 1: divide by the number of "
                 "throws so far.")
        counts = est * n * torch.arange(1, m + 1, dtype=_F64)[:, None]
        if not torch.allclose(counts, counts.round(), atol=1e-4):
            fail("第 k 行乘以 k·n 应当是计数（整数）：每一行都应该用到目前为止的全部投掷。",
                 "row k times k·n should be counts (whole numbers): each row should use all "
                 "throws so far.")
        steps = (est.diff(dim=0).abs().max(dim=1).values * torch.arange(2, m + 1, dtype=_F64))
        if (steps > 1 + 1e-6).any():
            fail("你的估计到后面仍像单独一组的频率那样跳动：每一行都应基于累计的计数。",
                 "late in the run your estimates still jump like a single group's frequencies: "
                 "each row should rest on the cumulative counts.")
        sd = math.sqrt(5 / 36 / (m * n))
        if ((est[-1] - 1 / 6).abs() > 6 * sd).any():
            fail("最后一行离 1/6 太远了（超过 6 个标准差）：骰子是公平的吗？",
                 "the last row is too far from 1/6 (more than 6 standard deviations): is the "
                 "die fair?")


@exercises.check(2)
def _venn_bounds(bounds):
    """`bounds(pa, pb)` returns the tightest (union_low, union_high, inter_low, inter_high)
    for two events of probabilities pa and pb."""
    names = ("P(A ∪ B) 的下限", "P(A ∪ B) 的上限", "P(A ∩ B) 的下限", "P(A ∩ B) 的上限")
    names_en = ("lower bound of P(A ∪ B)", "upper bound of P(A ∪ B)",
                "lower bound of P(A ∩ B)", "upper bound of P(A ∩ B)")
    for pa in (0.0, 0.2, 0.5, 0.7, 1.0):
        for pb in (0.1, 0.3, 0.6, 0.9):
            got = _tensor(call(bounds, pa, pb), "bounds(pa, pb)")
            if got.shape != (4,):
                fail("bounds 应返回四个数：(并集下限, 并集上限, 交集下限, 交集上限)。",
                     "bounds should return four numbers: (union_low, union_high, inter_low, "
                     "inter_high).")
            true = (max(pa, pb), min(1.0, pa + pb), max(0.0, pa + pb - 1), min(pa, pb))
            for i, (g, t) in enumerate(zip(got.tolist(), true)):
                if math.isclose(g, t, abs_tol=1e-6):
                    continue
                if i == 2 and math.isclose(g, pa * pb, abs_tol=1e-6):
                    fail("P(A)·P(B) 是两个事件独立时的交集，不是对所有事件都成立的下限。",
                         "P(A)·P(B) is the intersection of independent events, not a bound that "
                         "holds for all events.")
                fail(f"P(A) = {pa}、P(B) = {pb} 时，{names[i]}不对（要么会被违反，要么不够紧）："
                     f"画出这两个数的维恩图。",
                     f"for P(A) = {pa}, P(B) = {pb} the {names_en[i]} is wrong (either some events "
                     f"violate it or it is not tight): draw the Venn diagram for these numbers.")


@exercises.check(3)
def _markov_joint(markov_joint):
    """`markov_joint(P_a, P_b_given_a, P_c_given_b)` is the joint table P(A, B, C) of a
    Markov chain A → B → C."""
    gen = torch.Generator().manual_seed(26)
    P_a = torch.softmax(torch.randn(3, generator=gen, dtype=_F64), dim=0)
    P_b_given_a = torch.softmax(torch.randn(3, 4, generator=gen, dtype=_F64), dim=1)
    P_c_given_b = torch.softmax(torch.randn(4, 2, generator=gen, dtype=_F64), dim=1)
    joint = _tensor(call(markov_joint, P_a.clone(), P_b_given_a.clone(), P_c_given_b.clone()),
                    "markov_joint(...)")
    if joint.shape != (3, 4, 2):
        fail(f"联合概率表的形状是 {tuple(joint.shape)}：A、B、C 各一个轴，这里应为 (3, 4, 2)。",
             f"the joint table has shape {tuple(joint.shape)}: one axis each for A, B and C, "
             f"here (3, 4, 2).")
    if not math.isclose(joint.sum().item(), 1.0, rel_tol=1e-6):
        fail(f"联合概率之和是 {joint.sum().item():.4g}，不是 1：少了哪个因子？",
             f"the joint probabilities sum to {joint.sum().item():.4g}, not 1: which factor is "
             f"missing?")
    expected = P_a[:, None, None] * P_b_given_a[:, :, None] * P_c_given_b[None, :, :]
    if not torch.allclose(joint, expected):
        fail("你的表的和为 1，但与由 P(A)、P(B | A)、P(C | B) 构成的马尔可夫链不一致。",
             "your table sums to 1 but does not match the Markov chain built from P(A), "
             "P(B | A) and P(C | B).")


exercises.discussion(4, 5, 6)


@exercises.check(7)
def _variance_of_the_estimate(var_p_hat):
    """`var_p_hat(p, n)` is the variance of the fraction of heads in n tosses of a coin with
    P(heads) = p."""
    for p in (0.0, 1.0, 0.1, 0.5, 0.8):
        values = {n: _number(call(var_p_hat, p, n), f"var_p_hat({p}, {n})") for n in (1, 4, 100)}
        if p in (0.0, 1.0):
            if any(abs(v) > 1e-12 for v in values.values()):
                fail(f"p = {p} 的硬币总是同一面朝上，估计值从不变化，方差应为 0。",
                     f"a coin with p = {p} always shows the same side: the estimate never varies, "
                     f"so its variance is 0.")
            continue
        if math.isclose(values[1], math.sqrt(p * (1 - p)), rel_tol=1e-6):
            fail("这是标准差（方差的平方根），题目问的是方差。",
                 "that is the standard deviation (the square root of the variance); the "
                 "exercise asks for the variance.")
        if math.isclose(values[1], values[100], rel_tol=1e-6):
            fail("你的方差不随 n 变化：平均的投掷次数越多，估计越稳定。",
                 "your variance does not change with n: averaging more tosses steadies the "
                 "estimate.")
        if not math.isclose(values[1] / values[100], 100, rel_tol=1e-6):
            fail(f"n 从 1 增加到 100 时，你的方差缩小为原来的 1/{values[1] / values[100]:.3g}："
                 f"独立变量之和的方差怎样随项数增长？平均又除以了什么？",
                 f"from n = 1 to n = 100 your variance shrinks by a factor of "
                 f"{values[1] / values[100]:.3g}: how does the variance of a sum of independent "
                 f"variables grow, and what does averaging divide it by?")
        if not math.isclose(values[1], p * (1 - p), rel_tol=1e-6):
            fail("n = 1 时你的方差不等于单次投掷（取值 0 或 1）的方差。",
                 "for n = 1 your variance is not the variance of one toss (a 0 or a 1).")


exercises.discussion(8)


@exercises.check(9)
def _coupled_tests(table_healthy, p_one_positive, p_two_positive):
    """The joint table of (D1, D2) given H = 0 (rows D1 = 0, 1; columns D2 = 0, 1) and the
    probabilities of disease after one and after two positive tests (to 4 decimals or better)."""
    table = _tensor(table_healthy, "table_healthy")
    if table.shape != (2, 2):
        fail("table_healthy 应是 2×2 的表：行 D1 = 0, 1，列 D2 = 0, 1。",
             "table_healthy should be a 2×2 table: rows D1 = 0, 1, columns D2 = 0, 1.")
    if (table < 0).any() or not math.isclose(table.sum().item(), 1.0, abs_tol=1e-6):
        fail("这张表里的概率应非负且总和为 1。",
             "the table's probabilities should be non-negative and sum to 1.")
    if not (math.isclose(table[1].sum().item(), 0.1, abs_tol=1e-6)
            and math.isclose(table[:, 1].sum().item(), 0.1, abs_tol=1e-6)):
        fail("表的边际不对：单独任一种检测对健康人的假阳性率是 10%。",
             "the table's margins are wrong: either test alone gives a healthy patient a false "
             "positive 10% of the time.")
    if not math.isclose(table[1, 1].item(), 0.02, abs_tol=1e-6):
        fail("表中两次都阳性的那一格应是题目给出的耦合概率。",
             "the cell where both tests are positive should hold the coupling the exercise gives.")
    prior, sick_one, sick_two = 0.0015, 0.99, 0.99**2
    one = sick_one * prior / (sick_one * prior + 0.1 * (1 - prior))
    two = sick_two * prior / (sick_two * prior + 0.02 * (1 - prior))
    got_one = _number(p_one_positive, "p_one_positive")
    got_two = _number(p_two_positive, "p_two_positive")
    answers = (("p_one_positive", got_one, one, sick_one, 0.1),
               ("p_two_positive", got_two, two, sick_two, 0.02))
    for name, got, exact, sick, healthy in answers:
        if not 0 <= got <= 1:
            fail(f"{name} = {got:g} 不在 0 和 1 之间：请给出概率，而不是百分数。",
                 f"{name} = {got:g} is not between 0 and 1: give a probability, not a "
                 f"percentage.")
        if math.isclose(got, sick * prior / (sick * prior + healthy), rel_tol=1e-9):
            fail(f"{name} 的分母里，健康人的比例是 1 - P(H = 1)，而不是 1。",
                 f"in {name}'s denominator the share of healthy patients is 1 - P(H = 1), "
                 f"not 1.")
        if 5e-5 < abs(got - exact) < 5e-4:
            fail(f"{name} 已经很接近了，但请至少精确到 4 位小数（直接用计算结果即可）。",
                 f"{name} is close, but give it to 4 decimals or better (the computed value "
                 f"itself will do).")
    if not math.isclose(got_one, one, rel_tol=0, abs_tol=5e-5):
        fail("p_one_positive 不对：用贝叶斯定理，分母是一次阳性的边际概率。",
             "p_one_positive is wrong: use Bayes' theorem; the denominator is the marginal "
             "probability of one positive test.")
    independent = sick_two * prior / (sick_two * prior + 0.01 * (1 - prior))
    if math.isclose(got_two, independent, rel_tol=0, abs_tol=5e-5):
        fail("p_two_positive 假设了健康人的两次检测独立出错，而题目把它们耦合在一起。",
             "p_two_positive assumes the healthy patients' two tests err independently, but the "
             "exercise couples them.")
    if not math.isclose(got_two, two, rel_tol=0, abs_tol=5e-5):
        fail("p_two_positive 不对：两次都阳性时，健康人和感染者的概率各是多少？",
             "p_two_positive is wrong: how likely are two positives for a healthy and for an "
             "infected patient?")


@exercises.check(10)
def _portfolio(portfolio_return, portfolio_variance):
    """`portfolio_return(alpha, mu)` and `portfolio_variance(alpha, Sigma)` are the expected
    return and the variance of the portfolio alpha."""
    gen = torch.Generator().manual_seed(26)
    for k in (2, 3, 5):
        alpha = torch.softmax(torch.randn(k, generator=gen, dtype=_F64), dim=0)
        mu = torch.rand(k, generator=gen, dtype=_F64) / 10
        A = torch.randn(k, k, generator=gen, dtype=_F64) / 10
        Sigma = A @ A.T + 0.01 * torch.eye(k, dtype=_F64)
        ret = _tensor(call(portfolio_return, alpha.clone(), mu.clone()), "portfolio_return(...)")
        var = _tensor(call(portfolio_variance, alpha.clone(), Sigma.clone()),
                      "portfolio_variance(...)")
        if ret.numel() != 1 or var.numel() != 1:
            fail("期望收益和方差都应该是一个数（而不是向量）。",
                 "the expected return and the variance should each be one number, not a vector.")
        if not math.isclose(ret.item(), (alpha @ mu).item(), rel_tol=1e-6):
            fail("期望收益不对：组合的收益是各股票收益按权重的和，期望是线性的。",
                 "the expected return is wrong: the portfolio's return is the weighted sum of the "
                 "stocks' returns, and expectation is linear.")
        if math.isclose(var.item(), (alpha**2 * Sigma.diagonal()).sum().item(), rel_tol=1e-6):
            fail("你的方差忽略了股票之间的协方差。",
                 "your variance ignores the covariances between stocks.")
        if not math.isclose(var.item(), (alpha @ Sigma @ alpha).item(), rel_tol=1e-6):
            fail("方差不对：展开 E[(α^T(s - μ))^2]。",
                 "the variance is wrong: expand E[(α^T(s - μ))^2].")
