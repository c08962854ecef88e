"""Checks for the exercises of 2.4 Calculus."""

import math

import torch

from .core import Exercises, answer, call, fail

exercises = Exercises("2.4")

_F64 = torch.float64


def _tensor(value, what):
    """The student's result as a float64 tensor, or a wrong answer that says what came back."""
    try:
        return torch.as_tensor(value, dtype=_F64)
    except (TypeError, ValueError, RuntimeError):
        fail(f"{what} 应该是数或张量，而你给出的是 {type(value).__name__}。",
             f"{what} should be a number or a tensor, got {type(value).__name__}.")


def _points(*values):
    return torch.tensor(values, dtype=_F64)


@exercises.check(1)
def _tangent_at_1(tangent_line):
    """`tangent_line(x)` is the tangent of f(x) = x^3 - 1/x at x = 1, evaluated at x."""
    x = _points(0.5, 1.0, 1.5, 2.0, 2.5)
    y = _tensor(call(tangent_line, x.clone()), "tangent_line(x)")
    if y.shape != x.shape:
        fail(f"tangent_line 对形状为 {tuple(x.shape)} 的 x 返回了形状 {tuple(y.shape)}："
             f"应逐点给出切线的值。",
             f"tangent_line returns shape {tuple(y.shape)} for x of shape {tuple(x.shape)}: it "
             f"should give the line's value at each point.")
    if not torch.allclose(y.diff().diff(), torch.zeros(3, dtype=_F64), atol=1e-5):
        fail("你的函数不是一条直线：切线的形式是 y = kx + b。",
             "your function is not a straight line: a tangent line has the form y = kx + b.")
    if abs(y[1].item()) > 1e-5:  # f(1) = 1 - 1 = 0; float32 and estimated slopes are fine
        fail(f"你的直线在 x = 1 处的值是 {y[1].item():.4g}，但切线必须经过点 (1, f(1))。",
             f"your line has the value {y[1].item():.4g} at x = 1, but a tangent line passes "
             f"through the point (1, f(1)).")
    slope = (y[2] - y[1]).item() / 0.5
    if abs(slope - 4) > 1e-4:
        fail(f"你的直线斜率是 {slope:.4g}，不等于 f'(1)：把 1/x 写成 x^(-1)，"
             f"再仔细用幂律求导，注意符号。",
             f"your line's slope is {slope:.4g}, not f'(1): write 1/x as x^(-1) and apply the "
             f"power rule carefully, sign included.")


@exercises.check(2)
def _gradient_3x1_5ex2(grad_f):
    """`grad_f(x)` is the gradient of f(x) = 3 x1^2 + 5 e^x2 at a vector x of length 2."""
    gen = torch.Generator().manual_seed(24)
    for _ in range(5):
        x = torch.randn(2, generator=gen, dtype=_F64)
        g = _tensor(call(grad_f, x.clone()), "grad_f(x)")
        if g.shape != (2,):
            fail(f"grad_f(x) 的形状是 {tuple(g.shape)}：梯度与 x 形状相同，这里是 (2,)。",
                 f"grad_f(x) has shape {tuple(g.shape)}: a gradient has the shape of x, here (2,).")
        expected = torch.stack([6 * x[0], 5 * torch.exp(x[1])])
        if not torch.allclose(g[0], expected[0]):
            fail("第一个分量（对 x1 的偏导数）不对：把 x2 当作常数，对 3 x1^2 求导。",
                 "the first component (the partial derivative in x1) is wrong: hold x2 constant "
                 "and differentiate 3 x1^2.")
        if not torch.allclose(g[1], expected[1]):
            fail("第二个分量（对 x2 的偏导数）不对：把 x1 当作常数，e^x2 的导数是什么？",
                 "the second component (the partial derivative in x2) is wrong: hold x1 constant; "
                 "what is the derivative of e^x2?")


@exercises.check(3)
def _gradient_of_the_norm(grad_norm):
    """`grad_norm(x)` is the gradient of the Euclidean norm ||x||_2 at x != 0."""
    gen = torch.Generator().manual_seed(24)
    for scale in (0.1, 1.0, 30.0):
        x = scale * torch.randn(4, generator=gen, dtype=_F64)
        g = _tensor(call(grad_norm, x.clone()), "grad_norm(x)")
        if g.shape != x.shape:
            fail(f"grad_norm(x) 的形状是 {tuple(g.shape)}，而梯度与 x 形状相同 {tuple(x.shape)}。",
                 f"grad_norm(x) has shape {tuple(g.shape)}, but a gradient has the shape of x, "
                 f"{tuple(x.shape)}.")
        length = torch.linalg.vector_norm(g).item()
        if not math.isclose(length, 1.0, rel_tol=1e-5):  # 1e-5: a float32 answer is fine too
            squared = torch.allclose(g, 2 * x)
            fail(f"在 ||x|| = {x.norm().item():.3g} 处你的梯度长度为 {length:.4g}："
                 f"范数沿径向的增长率与 x 的大小无关"
                 + ("（你求的是不是 ||x||^2 的梯度？）。" if squared else "。"),
                 f"at ||x|| = {x.norm().item():.3g} your gradient has length {length:.4g}: the "
                 f"norm grows at a rate that does not depend on the size of x"
                 + (" (is yours the gradient of ||x||^2?)." if squared else "."))
        cosine = torch.dot(g, x).item() / (length * x.norm().item())
        if cosine < 1 - 1e-6:
            fail("你的梯度没有指向范数增长最快的方向（从原点沿 x 向外）。",
                 "your gradient does not point where the norm grows fastest (away from the origin, "
                 "along x).")


@exercises.check(4)
def _chain_rule_three_paths(du_da):
    """`du_da(du_dx, du_dy, du_dz, dx_da, dy_da, dz_da)` is the chain rule for du/da when u
    depends on a through x, y and z."""
    gen = torch.Generator().manual_seed(24)
    for _ in range(5):
        outer = torch.randn(3, generator=gen, dtype=_F64).tolist()   # du/dx, du/dy, du/dz
        inner = torch.randn(3, generator=gen, dtype=_F64).tolist()   # dx/da, dy/da, dz/da
        value = _tensor(call(du_da, *outer, *inner), "du_da(...)")
        expected = sum(o * i for o, i in zip(outer, inner))
        if value.numel() != 1:
            fail("du_da 应该返回一个数。", "du_da should return one number.")
        if math.isclose(value.item(), expected, rel_tol=1e-6, abs_tol=1e-9):
            continue
        if math.isclose(value.item(), outer[0] * inner[0], rel_tol=1e-9):
            fail("你只走了经过 x 的那条路径：u 还通过 y 和 z 依赖于 a。",
                 "you followed only the path through x: u also depends on a through y and z.")
        if math.isclose(value.item(), math.prod(outer) * math.prod(inner), rel_tol=1e-9):
            fail("不同路径的贡献应当相加，而不是相乘；只有同一路径上的导数才相乘。",
                 "the contributions of different paths add up; only the derivatives along one "
                 "path multiply.")
        fail("在随机取的导数值上，你的公式与链式法则不一致：每条从 a 到 u 的路径贡献什么？",
             "on random derivative values your formula disagrees with the chain rule: what does "
             "each path from a to u contribute?")


exercises.discussion(5, 6, 7)


@exercises.check(8)
def _derivative_of_x_to_the_x(d_x_to_the_x):
    """`d_x_to_the_x(x)` is the derivative of x^x for x > 0."""
    x = _points(0.3, 0.7, 1.0, 2.0, 3.0)
    d = _tensor(call(d_x_to_the_x, x.clone()), "d_x_to_the_x(x)")
    if d.shape != x.shape:
        fail(f"对形状为 {tuple(x.shape)} 的 x，d_x_to_the_x 返回了形状 {tuple(d.shape)}。",
             f"d_x_to_the_x returns shape {tuple(d.shape)} for x of shape {tuple(x.shape)}.")
    expected = x**x * (torch.log(x) + 1)
    if torch.allclose(d, expected):
        return
    if torch.allclose(d, x * x ** (x - 1)):
        fail("这是把指数当作常数的幂律：这里指数也随 x 变化。",
             "that is the power rule with a constant exponent: here the exponent varies too.")
    if torch.allclose(d, x**x * torch.log(x)):
        fail("这是把底数当作常数的 a^x 求导法则：这里底数也随 x 变化。",
             "that is the rule for a^x with a constant base: here the base varies too.")
    fail("在 x = 0.3、0.7、1、2、3 处，你的导数与 x^x 的差商不一致：先把 x^x 写成 e 的幂。",
         "at x = 0.3, 0.7, 1, 2, 3 your derivative disagrees with the difference quotients of "
         "x^x: write x^x as a power of e first.")


@exercises.check(9)
def _stationary_point(my_function, my_point):
    """`my_function` has derivative 0 at `my_point`: its central difference vanishes, and so do
    its one-sided slopes as the step shrinks (no corner, as |x| has at 0)."""
    try:
        point = float(answer(my_point))
    except (TypeError, ValueError):
        fail(f"my_point 应该是一个数，而你给出的是 {type(my_point).__name__}。",
             f"my_point should be a number, got {type(my_point).__name__}.")

    def value(step):
        out = _tensor(call(my_function, torch.tensor(point + step, dtype=_F64)), "my_function(x)")
        if out.numel() != 1:
            fail("my_function 应该对一个数返回一个数。",
                 "my_function should return one number for one number.")
        return out.item()

    f0 = value(0.0)
    tol = 1e-6 + 1e-9 * abs(f0)  # rounding in float64 leaves far less than this
    h = 1e-5
    slope = (value(h) - value(-h)) / (2 * h)
    if abs(slope) > tol:
        fail(f"在 x = {point:g} 处，你的函数的斜率约为 {slope:.3g}，不是 0：切线在那里不是水平的。",
             f"at x = {point:g} your function's slope is about {slope:.3g}, not 0: its tangent "
             f"is not horizontal there.")
    for side in (1.0, -1.0):  # one-sided slopes must shrink with the step if f'(point) = 0
        coarse, fine = ((value(side * s) - f0) / s for s in (1e-3, 1e-5))
        if abs(fine) > tol and abs(fine) > 0.1 * abs(coarse):
            fail(f"在 x = {point:g} 处，你的函数左右两侧的斜率不趋于 0（约为 {fine:.3g}）："
                 f"那里是一个尖角，f'(x) 不存在，而不是等于 0。",
                 f"at x = {point:g} the slopes to the left and right of your function do not "
                 f"shrink to 0 (about {fine:.3g}): it has a corner there, where f'(x) does not "
                 f"exist rather than being 0.")


@exercises.check(10)
def _inverse_function_derivative(inverse_derivative):
    """`inverse_derivative(f_prime, f_inverse, y)` is the derivative of f^-1 at y."""
    y = _points(0.5, 1.0, 2.0, 8.0)
    cases = [  # f', f^-1, (f^-1)' for f = exp, x^3 (y > 0) and 2x + 1
        (torch.exp, torch.log, 1 / y),
        (lambda x: 3 * x**2, lambda y: y ** (1 / 3), 1 / (3 * y ** (2 / 3))),
        (lambda x: 2 + 0 * x, lambda y: (y - 1) / 2, 0.5 + 0 * y),
    ]
    for f_prime, f_inverse, expected in cases:
        d = _tensor(call(inverse_derivative, f_prime, f_inverse, y.clone()),
                    "inverse_derivative(...)")
        if d.shape != y.shape:
            fail(f"对形状为 {tuple(y.shape)} 的 y，你的函数返回了形状 {tuple(d.shape)}。",
                 f"your function returns shape {tuple(d.shape)} for y of shape {tuple(y.shape)}.")
        if torch.allclose(d, expected):
            continue
        if torch.allclose(d, 1 / f_prime(y)):
            fail("你在 y 处求了 f'：应该在满足 f(x) = y 的那个 x 处求。",
                 "you evaluated f' at y: it belongs at the point x with f(x) = y.")
        if torch.allclose(d, f_prime(f_inverse(y))):
            fail("f 越陡，它的反函数就越平：你的结果却随 f' 一起变大。",
                 "the steeper f, the flatter its inverse: yours grows with f' instead.")
        fail("对 f = exp、x^3 和 2x + 1，你的结果与反函数的斜率不一致："
             "对 f(f^-1(y)) = y 两边求导。",
             "for f = exp, x^3 and 2x + 1 your result disagrees with the inverse's slope: "
             "differentiate both sides of f(f^-1(y)) = y.")
