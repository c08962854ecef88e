"""Checks for the exercises of 3.4 Softmax regression."""
import math

import torch

from .answers import as_float64
from .core import Exercises, answer, call, fail

exercises = Exercises("3.4")


@exercises.check(1)
def _ce_hessian(softmax_ce_hessian):
    """The Hessian of the cross-entropy loss with respect to the logits."""
    o = torch.tensor([0.3, -1.2, 2.0, 0.5], dtype=torch.float64)
    H = as_float64(call(softmax_ce_hessian, o.clone()), "你的黑塞矩阵 · your Hessian")
    if tuple(H.shape) != (4, 4):
        fail("q = 4 个未规范化的预测（logits）的二阶导数构成 4 × 4 矩阵，"
             f"而你的形状是 {tuple(H.shape)}。",
             "the second derivatives for q = 4 logits form a 4 × 4 matrix, yours has shape "
             f"{tuple(H.shape)}.")
    p = torch.softmax(o, dim=0)
    expected = torch.diag(p) - torch.outer(p, p)
    if torch.allclose(H.diagonal(), expected.diagonal()) and not torch.allclose(H, expected):
        fail("对角线对了，非对角元不对：改变 o_i 也会改变每个 p_j（j ≠ i）。",
             "the diagonal is right, the off-diagonal entries are not: changing o_i also changes "
             "every p_j with j ≠ i.")
    if not torch.allclose(H, expected):
        fail("这不是交叉熵损失对未规范化的预测的二阶导数：从梯度 softmax(o) − y 出发再求一次导。",
             "this is not the second derivative of the cross-entropy loss: differentiate the "
             "gradient softmax(o) − y once more.")


@exercises.check(2)
def _fixed_length_bits(fixed_length_bits):
    """Bits per symbol of the best fixed-length code for blocks of n ternary symbols."""
    for n in range(1, 11):
        try:
            bits = float(call(fixed_length_bits, n))
        except (TypeError, ValueError):
            fail("请返回一个数（每个符号的比特数）。", "return a number (bits per symbol).")
        expected = math.ceil(n * math.log2(3)) / n
        if abs(bits - math.log2(3)) < 1e-9:
            fail("log₂3 是熵，定长编码达不到它：一个码字的比特数必须是整数。",
                 "log₂3 is the entropy, which a fixed-length code cannot reach: a codeword has a "
                 "whole number of bits.")
        if abs(bits - 2) < 1e-9 and n > 1 and expected < 2:
            fail(f"你在逐个符号编码：对 n = {n}，数一数整个块有多少种取值。",
                 f"you code each symbol separately: for n = {n}, count the values of the whole "
                 "block.")
        if abs(bits - expected) > 1e-9:
            fail(f"n = {n} 时你的 {bits:.4f} 比特/符号不对：3ⁿ 个块各需要一个不同的码字。",
                 f"for n = {n} your {bits:.4f} bits per symbol is not right: each of the 3ⁿ "
                 "blocks needs its own codeword.")


@exercises.check(3)
def _smooth_min(smooth_min):
    """The soft-min -log(sum(exp(-lam x))) / lam, stable for large lam."""
    x = torch.tensor([3.0, -1.5, 7.0, 10.0, -0.5], dtype=torch.float64)
    for lam in (1.0, 10.0, 1000.0):
        value = as_float64(call(smooth_min, x.clone(), lam), "你的 soft-min · your soft-min")
        if value.numel() != 1:
            fail("soft-min 是一个数。", "the soft-min is one number.")
        expected = -torch.logsumexp(-lam * x, dim=0) / lam
        if not torch.isfinite(value):
            fail(f"λ = {lam:g} 时你的函数溢出了：先提出最大的那一项（或用 torch.logsumexp）。",
                 f"your function overflows at λ = {lam:g}: factor out the largest term first (or "
                 "use torch.logsumexp).")
        if value > x.min() + 1e-12:
            fail("soft-min 应当小于 min(x)：你算的是 soft-max 吗？",
                 "a soft-min lies below min(x): did you compute a soft-max?")
        if not torch.isclose(value, expected):
            fail(f"λ = {lam:g} 时你的值 {value.item():.4f} 不对：soft-min 是 −soft-max(−x)。",
                 f"at λ = {lam:g} your value {value.item():.4f} is not right: the soft-min is "
                 "−soft-max(−x).")


@exercises.check(4)
def _trits(trits_needed):
    """Ternary units needed to send one integer in 0..7."""
    t = answer(trits_needed)
    try:                                    # 2, 2.0, numpy.int64(2) and tensor(2) all count
        whole = not isinstance(t, bool) and float(t) == int(t)
    except (TypeError, ValueError, RuntimeError):
        whole = False
    if not whole or int(t) < 1:
        fail("请填一个正整数。", "fill in a positive integer.")
    t = int(t)
    if 3**t < 8:
        fail(f"{t} 个三进制单元只有 {3**t} 种取值，不够表示 8 个整数。",
             f"{t} ternary units give only {3**t} values, not enough for 8 integers.")
    if 3 ** (t - 1) >= 8:
        fail(f"{t} 个三进制单元有 {3**t} 种取值：更少也够。",
             f"{t} ternary units give {3**t} values: fewer are enough.")


exercises.discussion(5)


@exercises.check(6)
def _stable_logsumexp(stable_logsumexp):
    """log(sum(exp(x))) without overflow or underflow."""
    cases = [(torch.tensor([0.5, -1.0, 2.0, 0.0]), "all x near 0", "x 都在 0 附近"),
             (torch.tensor([0.5, -1.0, 2.0, 0.0]) + 100, "x around 100", "x 在 100 左右"),
             (torch.tensor([0.5, -1.0, 2.0, 0.0]) - 1000, "x around -1000", "x 在 −1000 左右"),
             (torch.tensor([-500.0, 0.0, 300.0]), "x spread from -500 to 300", "x 从 −500 分布到 "
                                                                               "300")]
    for x, where_en, where_zh in cases:
        value = as_float64(call(stable_logsumexp, x.clone()), "你的结果 · your result")
        expected = torch.logsumexp(x.double(), dim=0)
        if value.numel() != 1:
            fail("结果是一个数。", "the result is one number.")
        if not torch.isfinite(value):
            fail(f"{where_zh}时你的函数溢出或下溢了：先提出最大值。",
                 f"your function overflows or underflows for {where_en}: factor out the maximum "
                 "first.")
        if abs(value.item() - expected.item()) > 1e-4 * max(1.0, abs(expected.item())):
            fail(f"{where_zh}时你的值 {value.item():.4f} 不对：应在 {expected.item():.4f} 附近。",
                 f"for {where_en} your value {value.item():.4f} is wrong: it should be near "
                 f"{expected.item():.4f}.")


@exercises.check(7)
def _temperature(alpha_double, alpha_half):
    """The powers alpha that double and halve the temperature."""
    a_double, a_half = answer(alpha_double), answer(alpha_half)
    o = torch.tensor([2.0, 1.0, -0.5], dtype=torch.float64)
    P = torch.softmax(o, dim=0)

    def power(alpha):
        try:
            alpha = float(alpha)
        except (TypeError, ValueError):
            fail("α 应当是一个数。", "α should be a number.")
        return P**alpha / (P**alpha).sum()

    if torch.allclose(power(a_double), torch.softmax(o * 2, dim=0)) \
            and torch.allclose(power(a_half), torch.softmax(o / 2, dim=0)):
        fail("两个答案填反了：温度加倍会让分布变平坦。",
             "the two answers are swapped: doubling the temperature flattens the distribution.")
    if not torch.allclose(power(a_double), torch.softmax(o / 2, dim=0)):
        fail("alpha_double 不对：P(i)^α ∝ exp(α o_i / T)，这是哪个温度下的 softmax？",
             "alpha_double is wrong: P(i)^α ∝ exp(α o_i / T); at which temperature is that a "
             "softmax?")
    if not torch.allclose(power(a_half), torch.softmax(o * 2, dim=0)):
        fail("alpha_half 不对：温度减半会让分布更尖锐。", "alpha_half is wrong: halving the "
                                           "temperature sharpens the distribution.")
