"""Checks for the exercises of 3.2 Linear regression implementation from scratch."""
import math

import torch

from .core import Exercises, Wrong, answer, call, fail

exercises = Exercises("3.2")


def _number(value, what):
    if isinstance(value, torch.Tensor):
        value = value.detach()
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        fail(f"{what}应当是一个数，而你给出的是 {type(value).__name__}。",
             f"{what} should be a number, got {type(value).__name__}.")


def _truth(value):
    """True or False, also from a computed comparison (a numpy bool or a one-element tensor)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.dtype == torch.bool:
        return bool(value)
    if type(value).__name__ in ("bool", "bool_"):
        return bool(value)
    fail("请用 True 或 False 回答。", "answer with True or False.")


@exercises.check(1)
def _initialization(zero_init_works, large_init_works):
    """Whether training from zero weights, and from weights of variance 1000, still works."""
    zero, large = _truth(answer(zero_init_works)), _truth(answer(large_init_works))
    if not zero:
        fail("从 w = 0 开始训练，再把学到的 w 与 true_w 比较：在 w = 0 处梯度并不为零。",
             "train from w = 0 and compare the learned w with true_w: the gradient at w = 0 is "
             "not zero.")
    if not large:
        fail("用方差 1000 的初始化训练几个迭代周期再看看：损失是凸二次函数，起点只决定要走多远。",
             "train a few epochs from variance-1000 weights and look again: the loss is a convex "
             "quadratic, "
             "the start only decides how far there is to go.")


@exercises.check(2)
def _fit_ohm(fit_ohm):
    """R and the offset of U = R I + offset, learned from noisy measurements."""
    gen = torch.Generator().manual_seed(0)
    current = torch.rand(200, 1, generator=gen) * 2
    voltage = 5.0 * current + 0.5 + torch.normal(0.0, 0.05, (200, 1), generator=gen)
    result = call(fit_ohm, current.clone(), voltage.clone())
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail("返回两个数：(R, offset)。", "return two numbers: (R, offset).")
    R = _number(result[0], "R ")
    offset = _number(result[1], "offset ")
    A = torch.cat([current, torch.ones_like(current)], dim=1)
    R_ls, offset_ls = torch.linalg.lstsq(A, voltage).solution.reshape(-1).tolist()
    if abs(R - R_ls) > 0.05 and abs(offset) < 0.1:
        fail(f"你的 R = {R:.3f} 偏离了：仪器有零点偏移，它也必须作为偏置来学习。",
             f"your R = {R:.3f} is off: the instrument has an offset, which must be learned as a "
             "bias too.")
    if abs(R - R_ls) > 0.05 or abs(offset - offset_ls) > 0.05:
        fail(f"你的 R = {R:.3f}、offset = {offset:.3f} "
             "与最小二乘拟合相差太多：训练更久，或检查学习率。",
             f"your R = {R:.3f}, offset = {offset:.3f} are too far from the least-squares fit: "
             "train longer or check the learning rate.")


@exercises.check(3)
def _fit_temperature(fit_temperature):
    """The temperature of a black body fitted to its spectral radiances."""
    h, c, k_B = 6.62607015e-34, 2.99792458e8, 1.380649e-23
    gen = torch.Generator().manual_seed(1)
    lam = torch.linspace(0.3e-6, 3e-6, 50, dtype=torch.float64)
    B = 2 * h * c**2 / lam**5 / torch.expm1(h * c / (lam * k_B * 4000.0))
    B = B * torch.exp(0.01 * torch.randn(50, generator=gen, dtype=torch.float64))
    T = _number(call(fit_temperature, lam.clone(), B.clone()), "温度 · the temperature ")
    if not math.isfinite(T) or abs(T - 4000.0) > 0.02 * 4000.0:
        fail(f"你的温度 {T:.4g} K 与产生这些数据的温度相差超过 "
             "2%：检查单位（米、开尔文）和拟合是否收敛。",
             f"your temperature {T:.4g} K is more than 2% off the one that produced the data: "
             f"check the units (metres, kelvin) and whether the fit converged.")


@exercises.check(4)
def _second_derivative(second_derivative):
    """The second derivative of a scalar function at a point, with autograd."""
    cases = [(lambda x: x**3, 1.5, 9.0, 6.75), (torch.sin, 0.5, -math.sin(0.5), math.cos(0.5))]
    for f, x0, second, first in cases:
        try:
            result = call(second_derivative, f, torch.tensor(x0, dtype=torch.float64))
        except Wrong as err:
            if "does not require grad" in err.en:
                fail("第一次求导时没有保留导数的计算图，所以它不能再求导。",
                     "the first derivative was computed without its graph, so it cannot be "
                     "differentiated again.")
            raise
        value = _number(result, "二阶导数 · the second derivative ")
        tolerance = 1e-5 * max(1.0, abs(second))         # a float32 answer passes
        if abs(value - first) < tolerance and abs(first - second) > 1e-3:
            fail("你返回的是一阶导数：还要再求一次导。", "you return the first derivative: "
                                       "differentiate once more.")
        if abs(value - second) > tolerance:
            fail(f"在 x = {x0} 处你的值 {value:.4g} 不是二阶导数。",
                 f"at x = {x0} your value {value:.4g} is not the second derivative.")


@exercises.check(5)
def _shape_without_reshape(shape_without_reshape):
    """The shape of (y_hat - y) ** 2 / 2 for y_hat of shape (1000, 1) and y of shape (1000,)."""
    shape = answer(shape_without_reshape)
    try:
        shape = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        fail("请用元组写出形状，例如 (3, 4)。", "write the shape as a tuple, e.g. (3, 4).")
    if shape == (1000, 1):
        fail("那是加了 reshape 之后的形状：不加时，广播会把 (1000, 1) 和 (1000,) 都拉伸。",
             "that is the shape with reshape: without it, broadcasting stretches both (1000, 1) "
             "and (1000,).")
    if shape != (1000, 1000):
        fail("按广播规则从右边对齐两个形状，再把大小为 1 的维度拉伸。",
             "align the two shapes from the right and stretch every dimension of size 1, as "
             "broadcasting does.")


exercises.discussion(6)


@exercises.check(7)
def _batch_sizes(batch_sizes):
    """The minibatch sizes data_iter yields in one epoch."""
    for n, size in ((1000, 64), (10, 3), (12, 4)):
        sizes = call(batch_sizes, n, size)
        try:
            sizes = [int(s) for s in sizes]
        except (TypeError, ValueError):
            fail("返回一个整数列表，每个小批量一个。", "return a list of integers, one per "
                                      "minibatch.")
        expected = [size] * (n // size) + ([n % size] if n % size else [])
        if sizes == [size] * (n // size) and n % size:
            fail("少了最后那个较小的小批量：data_iter 不会丢掉它。",
                 "the last, smaller minibatch is missing: data_iter does not drop it.")
        if sum(sizes) != n:
            fail(f"一个迭代周期里每个样本恰好出现一次：{n} 个样本，而你的批量加起来是 "
                 f"{sum(sizes)}。",
                 f"one epoch visits every example exactly once: {n} examples, your batches add up "
                 f"to {sum(sizes)}.")
        if sizes != expected:
            fail(f"对 {n} 个样本、批量大小 {size}，你的批量大小 {sizes} 不对：读一读 data_iter "
                 "中的 range 和 min。",
                 f"for {n} examples and batch size {size}, your sizes {sizes} are not right: read "
                 "the range and min in data_iter.")


@exercises.check(8)
def _abs_loss(abs_loss):
    """The absolute value loss, one value per example."""
    y_hat = torch.tensor([[1.0], [2.0], [-1.0], [0.5]])
    y = torch.tensor([1.5, 0.0, -1.0, 3.0])          # labels as a vector, as they often come
    out = call(abs_loss, y_hat.clone(), y.clone())
    if not isinstance(out, torch.Tensor):
        fail("abs_loss 应当返回一个张量。", "abs_loss should return a tensor.")
    if out.numel() == 1:
        fail("每个样本返回一个损失（形状与 y_hat 相同），像 squared_loss 那样；求和留给训练循环。",
             "return one loss per example (the shape of y_hat), as squared_loss does; the "
             "training loop sums.")
    if tuple(out.shape) == (4, 4):
        fail("y 是以向量形式给出的：先把它变形成 y_hat 的形状，否则广播会给出所有两两之差。",
             "y was given as a vector: reshape it to y_hat's shape first, or broadcasting gives "
             "all pairwise differences.")
    expected = (y_hat - y.reshape(y_hat.shape)).abs()
    if tuple(out.shape) != tuple(y_hat.shape):
        fail(f"结果的形状应与 y_hat 相同 (4, 1)，而你的是 {tuple(out.shape)}。",
             f"the result should have y_hat's shape (4, 1), yours is {tuple(out.shape)}.")
    if torch.allclose(out, (y_hat - y.reshape(y_hat.shape)) ** 2 / 2):
        fail("这是平方损失：这里要的是残差的绝对值。", "that is the squared loss: this one is the "
                                    "absolute value of the residual.")
    if not torch.allclose(out, expected):
        fail("你的值不是 |ŷ − y|。", "your values are not |ŷ − y|.")


exercises.discussion(9)
