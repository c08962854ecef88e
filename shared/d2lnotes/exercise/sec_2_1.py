"""Checks for the exercises of 2.1 Data manipulation."""

import torch

from .core import Exercises, answer, fail

exercises = Exercises("2.1")


def _section_x_y():
    """X and Y of 2.1.2, as the exercise uses them."""
    X = torch.arange(12, dtype=torch.float32).reshape((3, 4))
    Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
    return X, Y


def _tensor(value, name):
    value = answer(value)
    if not isinstance(value, torch.Tensor):
        fail(f"{name} 应该是一个张量，而你给出的是 {type(value).__name__}。",
             f"{name} should be a tensor, got {type(value).__name__}.")
    return value


@exercises.check(1)
def _comparisons(less, greater):
    """`less` is X < Y and `greater` is X > Y for the X and Y of 2.1.2."""
    less, greater = _tensor(less, "less"), _tensor(greater, "greater")
    X, Y = _section_x_y()
    for name, value in (("less", less), ("greater", greater)):
        if value.shape != X.shape:
            fail(f"{name} 的形状是 {tuple(value.shape)}：按元素比较的结果与 X、Y 形状相同。",
                 f"{name} has shape {tuple(value.shape)}: an elementwise comparison keeps the "
                 f"shape of X and Y.")
        if value.dtype != torch.bool:
            fail(f"{name} 的类型是 {value.dtype}：比较运算直接给出的张量是什么类型？不要转换它。",
                 f"{name} has dtype {value.dtype}: what type does a comparison itself return? "
                 f"Do not convert it.")
    if torch.equal(less, X > Y) and torch.equal(greater, X < Y):
        fail("less 和 greater 弄反了。", "less and greater are swapped.")
    if not torch.equal(less, X < Y):
        fail("less 与 2.1.2 节中 X 和 Y 的按元素比较 X < Y 不一致。",
             "less does not match the elementwise X < Y for the X and Y of 2.1.2.")
    if not torch.equal(greater, X > Y):
        fail("greater 与 2.1.2 节中 X 和 Y 的按元素比较 X > Y 不一致。",
             "greater does not match the elementwise X > Y for the X and Y of 2.1.2.")


@exercises.check(2)
def _broadcast_three_axes(left, right, expected_shape):
    """Two tensors of different shapes, one with 3 or more axes, that broadcast, and the
    shape the student expected for left + right."""
    left, right = _tensor(left, "left"), _tensor(right, "right")
    expected_shape = answer(expected_shape)
    if max(left.ndim, right.ndim) < 3:
        fail("至少让其中一个张量有 3 个轴（三维张量）。",
             "give at least one of the tensors 3 axes (a 3-dimensional tensor).")
    if left.shape == right.shape:
        fail("left 和 right 形状相同：这样没有发生广播。",
             "left and right have the same shape: nothing is broadcast.")
    try:
        total = left + right
    except RuntimeError:
        fail(f"形状 {tuple(left.shape)} 和 {tuple(right.shape)} 无法广播：从最后一个轴开始对齐，"
             f"每对长度必须相等或其中之一为 1。",
             f"shapes {tuple(left.shape)} and {tuple(right.shape)} do not broadcast: align them "
             f"from the last axis; each pair of lengths must be equal or one of them 1.")
    try:
        expected = tuple(int(n) for n in expected_shape)
    except (TypeError, ValueError):
        fail("expected_shape 应该是一个由整数组成的元组，例如 (2, 3, 4)。",
             "expected_shape should be a tuple of integers, such as (2, 3, 4).")
    if expected != tuple(total.shape):
        fail(f"你预期的形状是 {expected}，但 left + right 的形状是 {tuple(total.shape)}："
             f"从最后一个轴开始逐对比较两个形状。",
             f"you expected {expected}, but left + right has shape {tuple(total.shape)}: compare "
             f"the two shapes pair by pair from the last axis.")
