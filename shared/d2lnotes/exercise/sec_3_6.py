"""Checks for the exercises of 3.6 Softmax regression from scratch."""

import torch

from .core import Exercises, answer, call, fail

exercises = Exercises("3.6")


def _tensor(value, what):
    if not torch.is_tensor(value):
        fail(f"{what}应返回一个张量，而你的返回值是 {type(value).__name__}。",
             f"{what} should return a tensor, got {type(value).__name__}.")
    return value.float() if value.is_floating_point() else value  # float64 answers compare too


@exercises.check(1)
def _softmax_stable(softmax_stable):
    """A softmax that survives logits around 100 and rows that are all below -100."""
    cases = {"large": torch.tensor([[100.0, 101.0, 102.0], [50.0, 100.0, 0.0]]),
             "negative": torch.tensor([[-1000.0, -1001.0, -1002.0], [-200.0, -150.0, -300.0]]),
             "ordinary": torch.tensor([[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, 1.0, 1.0]])}
    for name, X in cases.items():
        out = _tensor(call(softmax_stable, X.clone()), "softmax_stable")
        if out.shape != X.shape:
            fail(f"输出形状应与输入相同 {tuple(X.shape)}，而你的是 {tuple(out.shape)}："
                 f"沿每一行（dim=1）做 softmax。",
                 f"the output should have the input's shape {tuple(X.shape)}, "
                 f"got {tuple(out.shape)}: "
                 f"apply softmax along each row (dim=1).")
        if torch.isnan(out).any():
            if name == "large":
                fail("你的 softmax 对 100 左右的 logits 返回 nan：先减去每行的最大值。",
                     "your softmax returns nan for logits around 100: "
                     "subtract the row maximum first.")
            fail("当一整行都小于 -100 时，你的 softmax 返回 nan（exp 下溢成 0，得到 0/0）："
                 "先减去每行的最大值。",
                 "your softmax returns nan when a whole row is below -100 (exp underflows to 0, "
                 "giving 0/0): subtract the row maximum first.")
        if not torch.allclose(out.sum(1), torch.ones(len(X)), atol=1e-5):
            fail("每行的概率之和应为 1：减去的应是每一行自己的最大值（keepdim=True），"
                 "而不是整个张量的最大值或每列的最大值。",
                 "each row's probabilities should sum to 1: subtract each row's own maximum "
                 "(keepdim=True), not the maximum of the whole tensor or of each column.")
        if not torch.allclose(out, torch.softmax(X, dim=1), atol=1e-5, rtol=1e-4):
            fail("结果不是 softmax：每行应为 exp(x - c) / sum(exp(x - c))，c 是该行的最大值。",
                 "the result is not the softmax: each row should be exp(x - c) / sum(exp(x - c)), "
                 "with c the row's maximum.")


def _picked_loss(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


@exercises.check(2)
def _cross_entropy_breaks(bad_y_hat, bad_y):
    """Genuine probabilities and labels for which this section's cross_entropy is not finite."""
    y_hat, y = answer(bad_y_hat), answer(bad_y)
    if not (torch.is_tensor(y_hat) and torch.is_tensor(y)):
        fail("请给出两个张量：预测概率 bad_y_hat（n×q）和标签 bad_y（n 个类别索引）。",
             "give two tensors: predicted probabilities bad_y_hat (n x q) and labels bad_y "
             "(n class indices).")
    if y_hat.dim() != 2 or not y_hat.is_floating_point():
        fail("bad_y_hat 应是一个 n×q 的浮点矩阵，每行一个样本。",
             "bad_y_hat should be an n x q float matrix, one row per example.")
    if y.dim() != 1 or y.is_floating_point() or len(y) != len(y_hat):
        fail("bad_y 应是一个整数向量，每行一个类别索引。",
             "bad_y should be a vector of integer class indices, one per row.")
    if y.min() < 0 or y.max() >= y_hat.shape[1]:
        fail("标签超出了类别的范围 0…q-1。", "a label is outside the classes 0…q-1.")
    if (y_hat < 0).any() or not torch.allclose(
            y_hat.sum(1), torch.ones(len(y_hat), dtype=y_hat.dtype), atol=1e-5):
        fail("这些不是概率：每个元素应 ≥ 0，每行之和为 1。"
             "负数取对数当然会出错；题目问的是真正的概率何时出错。",
             "these are not probabilities: entries should be >= 0 and each row should sum to 1. "
             "The log of a negative number fails, of course; "
             "the question is when genuine probabilities break it.")
    if torch.isfinite(_picked_loss(y_hat, y)).all():
        fail("对这些输入，损失是有限的：找一个真实类别的概率恰好为 0 的例子（例如下溢了）。",
             "the loss is finite for these: find an example where the true class's probability is "
             "exactly 0 (for instance because it underflowed).")


@exercises.check(3)
def _cross_entropy_stable(cross_entropy_stable):
    """Cross-entropy from logits: finite for extreme scores, the exact values, a finite gradient."""
    o = torch.tensor([[200.0, 0.0, -5.0], [50.0, 100.0, 0.0], [-1000.0, -1001.0, -1002.0],
                      [0.5, -0.3, 1.2]], requires_grad=True)
    y = torch.tensor([1, 0, 1, 2])
    expected = torch.nn.functional.cross_entropy(o.detach(), y, reduction="none")
    out = _tensor(call(cross_entropy_stable, o, y), "cross_entropy_stable")
    if out.shape != (len(y),):
        fail(f"应返回每个样本一个损失值，形状 ({len(y)},)，而你的形状是 {tuple(out.shape)}。",
             f"return one loss per example, of shape ({len(y)},), got {tuple(out.shape)}.")
    if not torch.isfinite(out).all():
        fail("对相差 200 的得分，你的损失是 inf 或 nan：不要对算出来的概率取对数，"
             "而是直接由得分计算 log-softmax："
             "o - max - log(sum(exp(o - max)))。",
             "your loss is inf or nan when scores differ by 200: do not take the log of a computed "
             "probability; compute log-softmax from the scores: o - max - log(sum(exp(o - max))).")
    if torch.allclose(out.detach(), -expected, atol=1e-3, rtol=1e-4):
        fail("符号反了：损失是负的对数概率。",
             "the sign is wrong: the loss is minus the log-probability.")
    if not torch.allclose(out.detach(), expected, atol=1e-3, rtol=1e-4):
        fail("数值不对：标签为 y 的样本损失应为 LSE(o) - o_y。",
             "the values are wrong: an example with label y should cost LSE(o) - o_y.")
    if out.requires_grad:
        out.sum().backward()
        if not torch.isfinite(o.grad).all():
            fail("损失值正确，但梯度中有 nan：计算过程中不要出现 log(0) 或 exp 上溢。",
                 "the values are right but the gradient has nan in it: "
                 "avoid log(0) and overflowing exp anywhere in the computation.")


@exercises.check(4)
def _decide(decide):
    """Choose the action with the least expected cost, not the most likely class."""
    cases = [(torch.tensor([0.7, 0.3]), torch.tensor([[0.0, 100.0], [5.0, 0.0]]), 1),
             (torch.tensor([0.99, 0.01]), torch.tensor([[0.0, 100.0], [5.0, 0.0]]), 0),
             (torch.tensor([0.2, 0.5, 0.3]), torch.tensor([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0],
                                                           [1.0, 1.0, 0.0], [0.4, 0.4, 0.4]]), 3),
             (torch.tensor([0.1, 0.2, 0.7]), torch.tensor([[0.0, 3.0, 9.0], [2.0, 0.0, 1.0],
                                                           [6.0, 4.0, 0.0]]), 1)]
    choices = []
    for p, cost, _ in cases:
        choice = call(decide, p.clone(), cost.clone())
        try:
            choices.append(int(choice))
        except (TypeError, ValueError, RuntimeError):
            fail("decide 应返回一个行动的编号（整数）。",
                 "decide should return the number of an action (an int).")
    if choices == [int((cost @ p).argmin()) for p, cost, _ in cases]:
        return
    if choices == [int(p.argmax()) for p, _, _ in cases]:
        fail("你选了概率最大的类别，忽略了代价：选择期望代价 sum_c C(a, c) P(c) 最小的行动。",
             "you chose the most likely class and ignored the costs: choose the action with the "
             "smallest expected cost sum_c C(a, c) P(c).")
    if choices == [int((cost @ p).argmax()) for p, cost, _ in cases]:
        fail("你选了期望代价最大的行动：应取最小值。",
             "you chose the action with the largest expected cost: take the smallest.")
    fail("这不是期望代价最小的行动：行动 a 的期望代价是代价矩阵第 a 行与概率向量的内积。",
         "that is not the action with the smallest expected cost: action a costs row a of the "
         "cost matrix dotted with the probabilities.")


exercises.discussion(5)


@exercises.check(6)
def _cross_entropy_definition(cross_entropy_definition):
    """-sum_j Y_j log y_hat_j per example, for one-hot and soft labels, with 0 log 0 = 0."""
    torch.manual_seed(0)
    y_hat = torch.softmax(torch.randn(5, 4), dim=1)
    y = torch.tensor([0, 3, 1, 1, 2])
    Y = torch.nn.functional.one_hot(y, 4).float()
    out = _tensor(call(cross_entropy_definition, y_hat.clone(), Y.clone()),
                  "cross_entropy_definition")
    if out.shape != (5,):
        fail(f"应返回每个样本一个损失值，形状 (5,)，而你的形状是 {tuple(out.shape)}："
             f"只对类别那一维求和。",
             f"return one loss per example, of shape (5,), got {tuple(out.shape)}: "
             f"sum over the classes only.")
    expected = _picked_loss(y_hat, y)
    if torch.allclose(out, -expected, atol=1e-5):
        fail("符号反了：交叉熵是 -sum y log y_hat。",
             "the sign is wrong: cross-entropy is -sum y log y_hat.")
    if not torch.allclose(out, expected, atol=1e-5):
        fail("对独热标签，结果应等于 -log(真实类别的概率)。",
             "for one-hot labels the result should be -log(probability of the true class).")
    soft = torch.softmax(torch.randn(5, 4), dim=1)
    out = _tensor(call(cross_entropy_definition, y_hat.clone(), soft.clone()),
                  "cross_entropy_definition")
    if not torch.allclose(out, -(soft * torch.log(y_hat)).sum(1), atol=1e-5):
        fail("对软标签（任意概率向量）结果不对：用整个标签向量与 log y_hat 逐项相乘再求和，"
             "不要只取一个类别。",
             "wrong for soft labels (any probability vector): multiply the whole label vector with "
             "log y_hat and sum; do not pick a single class.")
    zero = torch.tensor([[0.0, 1.0]])
    out = _tensor(call(cross_entropy_definition, zero.clone(), torch.tensor([[0.0, 1.0]])),
                  "cross_entropy_definition")
    if not torch.isfinite(out).all():
        fail("某个错误类别的概率恰好为 0 时你的损失是 nan："
             "浮点数中 0 · log 0 = 0 · (-inf) = nan；"
             "只在 y 非零处取对数，或用 torch.xlogy。",
             "your loss is nan when the probability of a wrong class is exactly 0: "
             "in floating point 0 · log 0 = 0 · (-inf) = nan; "
             "take the log only where y is nonzero, or use torch.xlogy.")
    if abs(float(out.sum())) > 1e-6:
        fail("概率为 1 的正确预测损失应为 0。",
             "a correct prediction with probability 1 should cost 0.")


exercises.discussion(7)
