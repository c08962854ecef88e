"""Checks for the exercises of 2.3 Linear algebra."""

import math
import operator

import numpy as np
import torch

from .core import Exercises, answer, call, fail

exercises = Exercises("2.3")


def _random(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def _as_tensor(value):
    if not isinstance(value, torch.Tensor):
        fail(f"你的函数应返回张量，而它返回了 {type(value).__name__}。",
             f"your function should return tensors, it returned {type(value).__name__}.")
    return value


def _integer(value, name):
    """An int, or an integer-like value such as numpy's int64 or a one-element integer tensor."""
    value = answer(value)
    try:
        if isinstance(value, bool):
            raise TypeError
        return operator.index(value)
    except TypeError:
        fail(f"{name} 应该是一个整数，而你给出的是 {value!r}。",
             f"{name} should be an integer, got {value!r}.")


def _boolean(value):
    """True or False, also numpy's bool_ or a one-element Boolean tensor (a computed answer)."""
    value = answer(value)
    if isinstance(value, torch.Tensor) and value.dtype == torch.bool and value.numel() == 1:
        return bool(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if not isinstance(value, bool):
        fail(f"请填写 True 或 False，而你给出的是 {value!r}。",
             f"answer True or False, got {value!r}.")
    return value


@exercises.check(1)
def _transpose(transpose):
    """transpose(M) builds the transpose of any m x n matrix, and transposing twice gives M."""
    for shape in [(3, 5), (4, 4), (1, 6), (6, 1)]:
        M = _random(*shape, seed=sum(shape))
        T = _as_tensor(call(transpose, M.clone()))
        if tuple(T.shape) != (shape[1], shape[0]):
            fail(f"{shape[0]}×{shape[1]} 矩阵的转置应是 {shape[1]}×{shape[0]} 的，"
                 f"而你的结果形状是 {tuple(T.shape)}。",
                 f"the transpose of a {shape[0]}x{shape[1]} matrix is {shape[1]}x{shape[0]}, "
                 f"your result has shape {tuple(T.shape)}.")
        if not torch.equal(T, M.T):
            fail("形状对了，但元素的位置不对：结果的 (i, j) 元素应是 M 的 (j, i) 元素"
                 "（改变形状 reshape 不是转置）。",
                 "the shape is right but the elements are in the wrong places: entry (i, j) "
                 "should be M's entry (j, i) (reshaping is not transposing).")
        back = _as_tensor(call(transpose, T))
        if not torch.equal(back, M):
            fail("把结果再转置一次没有回到原矩阵。",
                 "transposing the result once more does not give the matrix back.")


exercises.discussion(2)


@exercises.check(3)
def _always_symmetric(always_symmetric):
    """A + A^T is symmetric for every square A: the answer is True."""
    value = _boolean(always_symmetric)
    if not value:
        fail("先试一试：对一个随机方阵 A，比较 A + A.T 与它的转置；再用练习 1 和 2 的结论推理。",
             "try it first: for a random square A, compare A + A.T with its transpose; then "
             "reason with the results of exercises 1 and 2.")


@exercises.check(4)
def _len_of_x(len_X):
    """len(X) for X of shape (2, 3, 4)."""
    value = _integer(len_X, "len_X")
    X = torch.arange(24).reshape(2, 3, 4)
    if value == X.numel():
        fail("24 是元素总数（numel）；len 数的不是元素。",
             "24 is the number of elements (numel); len does not count elements.")
    if value == X.ndim:
        fail("3 是轴数（ndim）；len 数的不是轴。", "3 is the number of axes (ndim); len does not "
             "count axes.")
    if value == X.shape[-1]:
        fail("4 是最后一个轴的长度；len 沿的是哪个轴？",
             "4 is the length of the last axis; which axis does len go along?")
    if value != len(X):
        fail(f"len(X) 不是 {value}：想一想遍历 X 时每一步得到的是什么。",
             f"len(X) is not {value}: think about what each step of iterating over X gives.")


@exercises.check(5)
def _len_axis(axis):
    """len(X) is the length of axis 0, for every tensor with at least one axis."""
    value = _integer(axis, "axis")
    if value < 0:
        fail("负的轴号从最后一个轴往前数，它指哪个轴取决于张量有几个轴；"
             "而 len 对任何形状都沿同一个轴：是哪一个？",
             "a negative axis counts from the last one, so which axis it means depends on the "
             "number of axes; len goes along the same axis for every shape: which one?")
    if value >= 3:
        fail(f"形状为 (2, 3, 4) 的张量没有轴 {value}（轴号从 0 开始），而 len(X) 是 2。",
             f"a tensor of shape (2, 3, 4) has no axis {value} (axes count from 0), but len(X) "
             f"is 2.")
    if value != 0:
        fail(f"对形状为 (2, 3, 4) 的张量，轴 {value} 的长度是 {(2, 3, 4)[value]}，而 len(X) 是 2。",
             f"for a tensor of shape (2, 3, 4), axis {value} has length {(2, 3, 4)[value]}, but "
             f"len(X) is 2.")


@exercises.check(6)
def _row_normalize(row_normalize):
    """row_normalize(M) divides each row of any m x n matrix by its own sum."""
    cases = [torch.arange(1.0, 10.0).reshape(3, 3),   # the square trap first
             torch.tensor([[1.0], [2.0], [3.0]]),     # a single column
             torch.arange(1.0, 21.0).reshape(5, 4),
             torch.tensor([[1.0, 2.0, 3.0, 4.0]])]
    for M in cases:
        out = _as_tensor(call(row_normalize, M.clone()))
        m, n = M.shape
        if tuple(out.shape) != (m, n):
            if n == 1 and tuple(out.shape) == (m, m):
                fail(f"对 {m}×1 矩阵，你的结果形状是 {tuple(out.shape)}："
                     f"各行之和被当作一行参与了广播。",
                     f"for a {m}x1 matrix your result has shape {tuple(out.shape)}: the row sums "
                     f"were broadcast as a row.")
            fail(f"对 {m}×{n} 矩阵，你的结果形状是 {tuple(out.shape)}：结果应与输入的形状相同。",
                 f"for a {m}x{n} matrix your result has shape {tuple(out.shape)}: it should "
                 f"keep the shape of the input.")
        if not torch.allclose(out.sum(axis=1), torch.ones(m)):
            if m == n and torch.allclose(out, M / M.sum(axis=1)):
                fail("对方阵，结果的各行之和不是 1：每个元素被除以了另一行的和。",
                     "for a square matrix the rows of your result do not sum to 1: entries are "
                     "divided by another row's sum.")
            fail(f"对 {m}×{n} 矩阵，结果的各行之和不是 1。",
                 f"for a {m}x{n} matrix the rows of your result do not sum to 1.")
        if not torch.allclose(out * M.sum(axis=1, keepdim=True), M):
            fail("各行之和为 1，但每一行与原来的行不成比例：只除以该行之和，不要做别的变换。",
                 "the rows sum to 1 but are not proportional to the original rows: only divide "
                 "by the row's sum.")


@exercises.check(7)
def _sum_shapes(sum_shapes):
    """The shapes of X.sum(axis=0), X.sum(axis=1), X.sum(axis=2) for X of shape (2, 3, 4)."""
    value = answer(sum_shapes)
    try:
        shapes = [tuple(int(n) for n in s) for s in value]
    except (TypeError, ValueError):
        fail("请给出三个形状组成的列表，例如 [(1, 2), (3, 4), (5, 6)]。",
             "give a list of three shapes, such as [(1, 2), (3, 4), (5, 6)].")
    if len(shapes) != 3:
        fail(f"你给出了 {len(shapes)} 个形状：沿轴 0、1、2 各一个。",
             f"you gave {len(shapes)} shapes: one for each of axes 0, 1 and 2.")
    X = torch.zeros(2, 3, 4)
    right = [tuple(X.sum(axis=i).shape) for i in range(3)]
    kept = [tuple(X.sum(axis=i, keepdim=True).shape) for i in range(3)]
    if shapes == kept:
        fail("这些是 keepdim=True 时的形状；不加它时，被求和的轴会怎样？",
             "those are the shapes with keepdim=True; without it, what happens to the summed "
             "axis?")
    for i, (mine, theirs) in enumerate(zip(shapes, right)):
        if mine != theirs:
            fail(f"沿轴 {i} 求和的形状不是 {mine}：被求和的轴从形状中去掉，其余轴保持原有顺序。",
                 f"summing along axis {i} does not give shape {mine}: the summed axis leaves the "
                 f"shape and the other axes keep their order.")


@exercises.check(8)
def _norm_of_any_shape(norm_of_any_shape):
    """norm_of_any_shape(T) computes what torch.linalg.norm(T) computes, for any shape."""
    for shape in [(2, 3, 4), (2, 3, 4, 5), (7,), (3, 1, 2)]:
        T = _random(*shape, seed=len(shape))
        out = call(norm_of_any_shape, T.clone())
        if isinstance(out, torch.Tensor) and out.numel() != 1:
            fail(f"对形状 {shape} 的张量，你的函数返回了形状为 {tuple(out.shape)} 的张量："
                 f"应只返回一个数。",
                 f"for a tensor of shape {shape} your function returned shape "
                 f"{tuple(out.shape)}: it should return a single number.")
        try:
            value = float(out)
        except (TypeError, ValueError):
            fail(f"你的函数应返回一个数，而它返回了 {type(out).__name__}。",
                 f"your function should return a number, it returned {type(out).__name__}.")
        expected = float(torch.linalg.norm(T))
        if math.isclose(value, expected ** 2, rel_tol=1e-4):
            fail("你返回的是平方和：还差一个平方根。",
                 "you returned the sum of squares: a square root is missing.")
        if math.isclose(value, float(T.abs().sum()), rel_tol=1e-4):
            fail("你返回的是绝对值之和（L1 范数），而 linalg.norm 默认计算的不是它。",
                 "you returned the sum of absolute values (the L1 norm), which is not what "
                 "linalg.norm computes by default.")
        if not math.isclose(value, expected, rel_tol=1e-4):
            fail(f"对形状 {shape} 的张量，你的结果与 torch.linalg.norm 不一致。",
                 f"for a tensor of shape {shape} your result differs from torch.linalg.norm.")


@exercises.check(9)
def _blocks(blocks):
    """blocks(start, end) is the number of blocks walked between two corners
    (avenue, street) of Manhattan's grid."""
    pairs = [((3, 10), (7, 13)), ((7, 13), (3, 10)), ((0, 0), (0, 5)), ((2, 9), (2, 9)),
             ((5, 1), (1, 8))]
    for start, end in pairs:
        value = call(blocks, start, end)
        try:
            value = float(value)
        except (TypeError, ValueError):
            fail(f"你的函数应返回一个数，而它返回了 {type(value).__name__}。",
                 f"your function should return a number, it returned {type(value).__name__}.")
        da, ds = end[0] - start[0], end[1] - start[1]
        right = abs(da) + abs(ds)
        if value != right and (value < 0 or value == da + ds):
            fail(f"从 {start} 到 {end}，你的结果是 {value:g}：往回走的街区也要算作正的距离。",
                 f"from {start} to {end} you got {value:g}: blocks walked backwards count "
                 f"as positive distance too.")
        if math.isclose(value, math.hypot(da, ds)) and value != right:
            fail(f"从 {start} 到 {end}，你的结果 {value:g} 是直线距离："
                 f"在曼哈顿你能斜着穿过楼房吗？",
                 f"from {start} to {end} your {value:g} is the straight-line distance: can you "
                 f"walk diagonally through Manhattan's buildings?")
        if value != right:
            fail(f"从 {start} 到 {end}，要走的街区数不是 {value:g}。",
                 f"from {start} to {end} the number of blocks is not {value:g}.")


@exercises.check(10)
def _chain_costs(cost_ab_c, cost_a_bc):
    """The cost (multiply-adds or flops, either) of (AB)C and A(BC) for the exercise's sizes."""
    first, second = answer(cost_ab_c), answer(cost_a_bc)
    try:
        first, second = float(first), float(second)
    except (TypeError, ValueError):
        fail("请给出两个数：两种计算顺序各自的运算量。",
             "give two numbers: the cost of each order of computation.")
    if first <= 0 or second <= 0:
        fail("运算量应是正数。", "costs are positive numbers.")
    p, q, r, s = 2**10, 2**16, 2**5, 2**14
    ab_c = p * q * r + p * r * s          # AB is p x r, then (AB)C
    a_bc = q * r * s + p * q * s          # BC is q x s, then A(BC)
    ratio = second / first
    if math.isclose(ratio, (q * r * s) / (p * q * r), rel_tol=1e-2):
        fail("你只算了每种顺序的第一个乘积：第二个乘积也要计入。",
             "you counted only the first product of each order: count the second one too.")
    if ratio < 1:
        fail("按你的数字，A(BC) 更便宜：再算一算 BC 这个中间结果有多大。",
             "by your numbers A(BC) is cheaper: work out how large the intermediate BC is.")
    # multiply-adds, or flops: 2 per multiply-add, or p·r·(2q - 1) when the first addition
    # of each dot product is not counted; the ratio then moves by 0.3 %
    if not math.isclose(ratio, a_bc / ab_c, rel_tol=1e-2):
        fail("两种顺序的运算量之比不对：一个 p×q 矩阵乘 q×r 矩阵需要 p·q·r 次乘加。",
             "the ratio of the two costs is off: a p x q matrix times a q x r one takes "
             "p·q·r multiply-adds.")
    if not 0.9 * ab_c <= first <= 2.1 * ab_c:
        fail("比例对了，但这两个数不是乘加次数（或浮点运算次数）：按题中的矩阵大小算出每种顺序的运算量。",
             "the ratio is right, but these numbers are not counts of multiply-adds (or flops): "
             "work out each order's cost for the exercise's sizes.")


exercises.discussion(11)


@exercises.check(12)
def _stack_and_slice(stack_and_slice):
    """stack_and_slice(A, B, C) stacks three 100 x 200 matrices along a new third axis and
    slices B back out of the stacked tensor."""
    A, B, C = (_random(100, 200, seed=k) for k in (1, 2, 3))
    result = call(stack_and_slice, A, B, C)
    try:
        T, B_back = result
    except (TypeError, ValueError):
        fail("请返回两个张量：(堆叠后的张量, 从中切出的 B)。",
             "return two tensors: (the stacked tensor, B sliced out of it).")
    T, B_back = _as_tensor(T), _as_tensor(B_back)
    if T.ndim != 3:
        fail(f"堆叠后的张量有 {T.ndim} 个轴：应有三个轴。",
             f"the stacked tensor has {T.ndim} axes: it should have three.")
    if tuple(T.shape) != (100, 200, 3):
        fail(f"堆叠后的形状是 {tuple(T.shape)}：题目要让第三个轴区分三个矩阵。",
             f"the stacked shape is {tuple(T.shape)}: the exercise wants the third axis to tell "
             f"the three matrices apart.")
    if not torch.equal(B_back, B):
        fail("切出的矩阵不是 B：沿第三个轴取第二个位置（下标从 0 开始）。",
             "the matrix you sliced out is not B: take the second position along the third "
             "axis (indices start at 0).")
    if B_back.untyped_storage().data_ptr() != T.untyped_storage().data_ptr():
        fail("你返回的 B 不是从堆叠后的张量中切出来的：请对堆叠后的张量做切片。",
             "the B you returned is not sliced out of the stacked tensor: slice the stacked "
             "tensor.")
