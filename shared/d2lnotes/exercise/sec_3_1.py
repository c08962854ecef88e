"""Checks for the exercises of 3.1 Linear regression."""
import torch

from .answers import as_float64
from .core import Exercises, call, fail

exercises = Exercises("3.1")


@exercises.check(1)
def _best_constants(best_b_squared, best_b_abs):
    """The b minimizing the sum of squares, and the b minimizing the sum of absolute errors."""
    x = torch.tensor([3.0, -1.0, 2.5, 40.0, 0.5, 1.0, 2.0], dtype=torch.float64)  # one outlier
    b_sq = as_float64(call(best_b_squared, x.clone()), "best_b_squared 的结果 · the result of "
                                                    "best_b_squared")
    b_abs = as_float64(call(best_b_abs, x.clone()), "best_b_abs 的结果 · the result of best_b_abs")
    sq = lambda b: ((x - b) ** 2).sum().item()
    ab = lambda b: (x - b).abs().sum().item()
    if b_sq.numel() != 1 or b_abs.numel() != 1:
        fail("每个函数都应返回一个数（一个常数 b）。", "each function should return one number "
                                     "(the constant b).")
    # a relative tolerance of 1e-4 accepts a float32 answer or a fine grid search (it allows
    # |b - best| up to about 0.1 for the squares and 4e-3 for the absolute errors here), while
    # the mean for the median (or the other way round) is 4.9 away
    if sq(b_sq) > sq(x.mean()) * (1 + 1e-4):
        fail("你的 best_b_squared 没有使 Σ(x_i − b)² 最小：对 b 求导并令其为零。",
             "your best_b_squared does not minimize Σ(x_i − b)²: differentiate with respect to b "
             "and set it to zero.")
    if ab(b_abs) > ab(x.median()) * (1 + 1e-4):
        fail("你的 best_b_abs 没有使 Σ|x_i − b| 最小：把 b "
             "稍微挪动一点，比较一下总和（数据里有一个离群点）。",
             "your best_b_abs does not minimize Σ|x_i − b|: move b a little and compare the sums "
             "(the data have an outlier).")


@exercises.check(2)
def _closed_form(closed_form):
    """The closed-form least-squares solution: the gradient X^T (X w - y) vanishes there."""
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(30, 4, generator=gen, dtype=torch.float64)
    y = X @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]], dtype=torch.float64) \
        + 0.1 * torch.randn(30, 1, generator=gen, dtype=torch.float64)
    w = as_float64(call(closed_form, X.clone(), y.clone()), "你的 w · your w")
    if w.numel() != 4:
        fail(f"w 应当有 {4} 个元素（每个特征一个），你的形状是 {tuple(w.shape)}。",
             f"w should have 4 entries (one per feature), yours has shape {tuple(w.shape)}.")
    grad = X.T @ (X @ w.reshape(4, 1) - y)
    if grad.abs().max() > 1e-5 * (X.T @ y).abs().max():    # relative: a float32 solve passes
        fail("在你的 w 处梯度 Xᵀ(Xw − y) 不为零，所以它不是最小值点：检查你解的是哪个方程。",
             "the gradient Xᵀ(Xw − y) at your w is not zero, so it is not the minimum: check "
             "which equation you solve.")


@exercises.check(3)
def _laplace_nll(laplace_nll):
    """The negative log-likelihood under noise with density exp(-|e|) / 2."""
    y_hat = torch.tensor([0.5, 1.0, -2.0, 3.0, 0.0], dtype=torch.float64)
    y = torch.tensor([1.0, 1.0, 0.0, 2.5, -4.0], dtype=torch.float64)
    value = as_float64(call(laplace_nll, y_hat.clone(), y.clone()),
                       "你的负对数似然 · your negative log-likelihood")
    expected = -torch.distributions.Laplace(y_hat, 1.0).log_prob(y).sum()
    if value.numel() != 1:
        fail("负对数似然是整个数据集的一个数：对所有样本求和。",
             "the negative log-likelihood is one number for the whole data set: sum over the "
             "examples.")
    sse = ((y - y_hat) ** 2).sum()
    if torch.isclose(value, sse / 2) or torch.isclose(value, sse):
        fail("这是平方误差，属于高斯噪声；这里的密度里是 |ε|。",
             "that is the squared error, which belongs to Gaussian noise; this density has |ε|.")
    if torch.isclose(value, expected / len(y)):
        fail("你求的是平均值：整个数据集的 −log P(y | X) 是各样本负对数似然之和。",
             "you averaged: −log P(y | X) of the whole data set is the sum of the examples' "
             "negative log-likelihoods.")
    if torch.isclose(value, (y - y_hat).abs().sum()):
        fail("你漏掉了归一化常数：每个样本还贡献一个 log 2。",
             "you dropped the normalizing constant: every example also contributes log 2.")
    if not torch.isclose(value, expected):
        fail("你的值不等于 −Σ log p(y_i | x_i)：写出一个样本的密度，取负对数，再求和。",
             "your value is not −Σ log p(y_i | x_i): write one example's density, take −log, then "
             "sum.")


@exercises.check(4)
def _augment(augment):
    """Appending the constant feature 1 to every row."""
    X = torch.arange(6.0).reshape(3, 2) - 2.5
    out = call(augment, X.clone())
    if not isinstance(out, torch.Tensor):
        fail("augment 应当返回一个张量。", "augment should return a tensor.")
    if tuple(out.shape) != (3, 3):
        fail(f"结果应比 X 多一列：形状 (3, 3)，而你的是 {tuple(out.shape)}。",
             "the result should have one more column than X: shape (3, 3), yours is "
             f"{tuple(out.shape)}.")
    if not torch.allclose(out[:, :2].to(X.dtype), X):
        fail("前面的列应当就是 X 本身：1 追加在最后，即 (x, 1)。",
             "the first columns should be X itself: the 1 goes last, (x, 1).")
    if not torch.all(out[:, 2] == 1):
        fail("追加的一列应当全为 1：否则偏置乘上它之后就不再是 b。",
             "the appended column should be all ones: otherwise the bias times it is no longer b.")


@exercises.check(5)
def _quadratic_features(quadratic_features):
    """The d(d+1)/2 products x_i x_j with j <= i, each pair once."""
    gen = torch.Generator().manual_seed(1)
    d = 3
    X = torch.randn(20, d, generator=gen, dtype=torch.float64)
    out = call(quadratic_features, X.clone())
    if not isinstance(out, torch.Tensor) or out.dim() != 2 or out.shape[0] != 20:
        fail("结果应当是每行一个样本的矩阵，形状 (n, 特征数)。",
             "the result should be a matrix with one row per example, shape (n, number of "
             "features).")
    out = out.to(torch.float64)
    if out.shape[1] == d:
        fail("只有 d 列：缺少交叉项 x_i x_j（i ≠ j）。",
             "only d columns: the cross terms x_i x_j with i ≠ j are missing.")
    i, j = torch.tril_indices(d, d)
    products = X[:, i] * X[:, j]
    if out.shape[1] == d * d and torch.linalg.matrix_rank(out) <= d * (d + 1) // 2:
        fail("x_i x_j 和 x_j x_i 是同一个特征：每一对只算一次（j ≤ i），共 d(d+1)/2 列。",
             "x_i x_j and x_j x_i are the same feature: count each pair once (j ≤ i), d(d+1)/2 "
             "columns.")
    fit_x = torch.linalg.lstsq(out, X).solution
    if out.shape[1] > d * (d + 1) // 2 and (out @ fit_x - X).abs().max() < 1e-8:
        fail("只要乘积 x_i x_j：线性项 x_i 会另外送入线性层。",
             "only the products x_i x_j: the linear terms x_i are fed to the layer separately.")
    if out.shape[1] != d * (d + 1) // 2:
        fail(f"对 d = {d} 应有 d(d+1)/2 = {d * (d + 1) // 2} 列，而你的有 {out.shape[1]} 列。",
             f"for d = {d} there should be d(d+1)/2 = {d * (d + 1) // 2} columns, yours has "
             f"{out.shape[1]}.")
    fit = torch.linalg.lstsq(out, products).solution
    if (out @ fit - products).abs().max() > 1e-8 or torch.linalg.matrix_rank(out) < out.shape[1]:
        fail("你的列没有给出全部乘积 x_i x_j（j ≤ i）：检查是否漏了平方项或某个交叉项。",
             "your columns do not give all products x_i x_j (j ≤ i): check for a missing square "
             "or cross term.")


@exercises.check(6)
def _expected_gram(expected_gram):
    """E[(X + E)^T (X + E)] for independent N(0, sigma^2) noise E."""
    gen = torch.Generator().manual_seed(2)
    X = torch.randn(7, 3, generator=gen, dtype=torch.float64)
    for sigma in (0.5, 2.0):
        G = as_float64(call(expected_gram, X.clone(), sigma), "你的结果 · your result")
        expected = X.T @ X + 7 * sigma**2 * torch.eye(3, dtype=torch.float64)
        if tuple(G.shape) != (3, 3):
            fail(f"XᵀX 是 d × d 矩阵，这里是 (3, 3)，而你的形状是 {tuple(G.shape)}。",
                 f"XᵀX is d × d, here (3, 3), yours has shape {tuple(G.shape)}.")
        if torch.allclose(G, X.T @ X):
            fail("你的答案与 sigma 无关：噪声项 EᵀE 的期望不为零。",
                 "your answer does not depend on sigma: the noise term EᵀE does not average to "
                 "zero.")
        if torch.allclose(G, X.T @ X + sigma**2 * torch.eye(3, dtype=torch.float64)):
            fail("对角线上加得太少：EᵀE 的每个对角元是对全部 n 行的求和。",
                 "too little on the diagonal: each diagonal entry of EᵀE is a sum over all n rows.")
        if not torch.allclose(G, expected):
            fail("与期望不符：把 (X + E)ᵀ(X + E) 展开成四项，分别求期望。",
                 "not the expectation: expand (X + E)ᵀ(X + E) into four terms and take the "
                 "expectation of each.")


@exercises.check(7)
def _merge_layers(merge_layers):
    """One layer (W, b) computing W2 (W1 x + b1) + b2."""
    gen = torch.Generator().manual_seed(3)
    W1, b1 = torch.randn(4, 3, generator=gen), torch.randn(4, generator=gen)
    W2, b2 = torch.randn(2, 4, generator=gen), torch.randn(2, generator=gen)
    result = call(merge_layers, W1.clone(), b1.clone(), W2.clone(), b2.clone())
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail("返回两个值：(W, b)。", "return two values: (W, b).")
    W, b = (torch.as_tensor(v) for v in result)
    if tuple(W.shape) != (2, 3):
        fail(f"W 应直接把 3 个输入映射到 2 个输出，形状 (2, 3)，而你的是 {tuple(W.shape)}。",
             "W should map the 3 inputs straight to the 2 outputs, shape (2, 3), yours is "
             f"{tuple(W.shape)}.")
    x = torch.randn(3, 5, generator=gen)
    target = W2 @ (W1 @ x + b1[:, None]) + b2[:, None]
    dx = x - x[:, :1]                                   # differences of inputs: the biases cancel
    if not torch.allclose(W @ dx, W2 @ (W1 @ dx), atol=1e-5):
        fail("你的 W 不对：含 x 的项经过了两个权重矩阵。",
             "your W is not right: the terms with x pass through both weight matrices.")
    if not torch.allclose(W @ x + b.reshape(-1, 1), target, atol=1e-5):
        fail("W 对了，b 还不对：第一层的偏置也要经过第二层的权重。",
             "W is right, b is not: the first layer's bias also passes through the second layer's "
             "weights.")


exercises.discussion(8)


@exercises.check(9)
def _poisson_loss(poisson_loss):
    """The Poisson negative log-likelihood in the log-rate eta, up to a term without eta."""
    eta = torch.linspace(-2.0, 3.0, 11, dtype=torch.float64)
    for k in (0.0, 1.0, 3.0, 7.0):
        k_t = torch.full_like(eta, k)
        values = as_float64(call(poisson_loss, eta.clone(), k_t.clone()), "你的损失 · your loss")
        if values.shape != eta.shape:
            fail("对每个 (η, k) 返回一个损失值（逐元素计算）。",
                 "return one loss per (η, k) pair (elementwise).")
        nll = -torch.distributions.Poisson(torch.exp(eta)).log_prob(k_t)
        diff = values - nll
        if torch.isfinite(diff).all() and (diff - diff[0]).abs().max() < 1e-6:
            continue
        positive = eta > 0
        as_rate = values[positive] - (eta[positive] - k * torch.log(eta[positive]))
        if torch.isfinite(as_rate).all() and (as_rate - as_rate[0]).abs().max() < 1e-6:
            fail("你把 η 当成了速率本身：这里速率是 λ = exp(η)。",
                 "your loss treats η as the rate itself: here the rate is λ = exp(η).")
        if torch.isfinite(values).all() and ((values + nll) - (values + nll)[0]).abs().max() < 1e-6:
            fail("这是对数似然，而不是它的负数：损失应在 η = log k 附近最小。",
                 "that is the log-likelihood, not its negative: the loss should be smallest near "
                 "η = log k.")
        fail(f"对 k = {k:g}，你的损失与 −log p(k | e^η) 之差不是常数。",
             f"for k = {k:g}, your loss does not differ from −log p(k | e^η) by a constant.")
