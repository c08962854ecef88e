"""Checks for the exercises of 2.5 Automatic differentiation."""

import math

import torch

from .core import Exercises, answer, call, fail

exercises = Exercises("2.5")

_F64 = torch.float64


def _tensor(value, what):
    value = answer(value)
    if not isinstance(value, torch.Tensor):
        fail(f"{what} 应该是一个张量，而你给出的是 {type(value).__name__}。",
             f"{what} should be a tensor, got {type(value).__name__}.")
    return value.detach().to("cpu", _F64)


def _control_flow_f(a):
    """The function of 2.5.4, as the section defines it."""
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def _f6(x):
    """f(x) = log(x^2) sin(x) + 1/x of exercises 6-8."""
    return torch.log(x**2) * torch.sin(x) + 1 / x


exercises.discussion(1, 2)


def _result(out):
    """A function may return its result together with some bookkeeping: take the result."""
    return out[0] if isinstance(out, tuple) else out


@exercises.check(3)
def _vector_control_flow(my_a, my_a_grad):
    """`my_a` is a random vector or matrix and `my_a_grad` its gradient for the section's f
    (after backpropagating the sum of f(my_a))."""
    a, grad = _tensor(my_a, "my_a"), _tensor(my_a_grad, "my_a_grad")
    if a.ndim == 0 or a.numel() < 2:
        fail("my_a 应该是一个向量或矩阵（至少两个元素），不是标量。",
             "my_a should be a vector or a matrix (two or more elements), not a scalar.")
    if grad.shape != a.shape:
        fail(f"my_a_grad 的形状是 {tuple(grad.shape)}，而 a 的梯度与 a 形状相同 {tuple(a.shape)}。",
             f"my_a_grad has shape {tuple(grad.shape)}, but a's gradient has the shape of a, "
             f"{tuple(a.shape)}.")
    d = _control_flow_f(a)
    if not torch.allclose(grad, d / a):
        fail("my_a_grad 不是 f(my_a) 各元素之和关于 my_a 的梯度：梯度清零了吗？用的是本节的 f 吗？",
             "my_a_grad is not the gradient of the sum of f(my_a) with respect to my_a: was the "
             "gradient zeroed first, and is f the section's?")


@exercises.check(4)
def _own_control_flow(my_f, my_input):
    """`my_f(my_input)`, a function with a loop or branch, differentiates correctly at
    `my_input`: autograd's gradient of its sum matches central differences."""
    x0 = _tensor(my_input, "my_input")
    x = x0.clone().requires_grad_(True)
    out = _result(call(my_f, x))
    if not isinstance(out, torch.Tensor) or out.grad_fn is None:
        fail("my_f 的结果没有 grad_fn：要用对输入张量的运算来计算它，自动微分才能记录下来。",
             "my_f's result has no grad_fn: compute it with tensor operations on its input so "
             "that autograd records them.")
    (grad,) = torch.autograd.grad(out.sum(), x, allow_unused=True)
    if grad is None:
        fail("my_f 的结果不依赖于它的输入。", "my_f's result does not depend on its input.")
    h = 1e-6
    numeric = torch.zeros_like(x0)
    for i in range(x0.numel()):
        e = torch.zeros_like(x0)
        e.view(-1)[i] = h
        plus, minus = _result(call(my_f, x0 + e)), _result(call(my_f, x0 - e))
        numeric.view(-1)[i] = (plus.sum() - minus.sum()).item() / (2 * h)
    if not torch.allclose(grad, numeric, rtol=1e-4, atol=1e-6):
        fail("在 my_input 处，自动微分的梯度与差商不一致："
             "输入是否正好落在分支或循环次数改变的地方？",
             "at my_input autograd's gradient disagrees with the difference quotients: does the "
             "input sit exactly where the branch or the number of loop steps changes?")


@exercises.check(5)
def _derivative_of_sin(x_points, sin_grad):
    """`sin_grad` holds the derivative of sin at the points `x_points` (from autograd)."""
    x, g = _tensor(x_points, "x_points"), _tensor(sin_grad, "sin_grad")
    if x.ndim != 1 or x.numel() < 20:
        fail("x_points 应该是一个至少含 20 个点的一维张量，才能画出曲线。",
             "x_points should be a 1-D tensor of at least 20 points, enough to draw a curve.")
    if g.shape != x.shape:
        fail(f"sin_grad 的形状 {tuple(g.shape)} 与 x_points 的形状 {tuple(x.shape)} 不同。",
             f"sin_grad has shape {tuple(g.shape)}, x_points {tuple(x.shape)}: one slope per "
             f"point.")
    slope = torch.cos(x)
    if torch.allclose(g, torch.sin(x), atol=1e-5) and not torch.allclose(g, slope, atol=1e-5):
        fail("sin_grad 是 f 本身的值，不是它的斜率。",
             "sin_grad holds the values of f itself, not its slope.")
    if torch.allclose(g, 2 * torch.cos(x), atol=1e-5):
        fail("sin_grad 是应有值的两倍：梯度累积了两次，先清零再反向传播。",
             "sin_grad is twice what it should be: the gradient accumulated twice; zero it "
             "before the backward pass.")
    if not torch.allclose(g, torch.cos(x), atol=1e-5):
        fail("sin_grad 与 sin 在这些点上的斜率不一致。",
             "sin_grad does not match the slope of sin at these points.")


exercises.discussion(6)


@exercises.check(7)
def _derivative_by_the_chain_rule(df_dx):
    """`df_dx(x)` is the derivative of f(x) = log(x^2) sin(x) + 1/x."""
    x = torch.tensor([-3.0, -0.5, 0.5, 1.0, 2.0, 3.0], dtype=_F64, requires_grad=True)
    (expected,) = torch.autograd.grad(_f6(x).sum(), x)
    x = x.detach()
    d = call(df_dx, x.clone())
    d = _tensor(d, "df_dx(x)")
    if d.shape != x.shape:
        fail(f"对形状为 {tuple(x.shape)} 的 x，df_dx 返回了形状 {tuple(d.shape)}。",
             f"df_dx returns shape {tuple(d.shape)} for x of shape {tuple(x.shape)}.")
    if torch.allclose(d, expected):
        return
    if torch.allclose(d, expected + 2 / x**2):
        fail("路径 x → e = 1/x 的贡献符号不对。",
             "the path x → e = 1/x contributes with the wrong sign.")
    if torch.allclose(d, expected - torch.sin(x) / x):
        fail("路径 x → a → b → d 少了一个因子：把这条路径上每条边的局部导数都乘起来。",
             "the path x → a → b → d misses a factor: multiply the local derivatives of all its "
             "edges.")
    fail("在 x = -3、-0.5、0.5、1、2、3 处，你的导数与自动微分不一致：三条路径各贡献什么？",
         "at x = -3, -0.5, 0.5, 1, 2, 3 your derivative disagrees with autograd: what does each "
         "of the three paths contribute?")


@exercises.check(8)
def _forward_and_reverse(forward_value, reverse_value):
    """`forward_value` and `reverse_value` are df/dx at x = 2, computed from x to f and from
    f back to x."""
    x = torch.tensor(2.0, dtype=_F64, requires_grad=True)
    (expected,) = torch.autograd.grad(_f6(x), x)
    values = {}
    for name, value in (("forward_value", forward_value), ("reverse_value", reverse_value)):
        try:
            values[name] = float(answer(value))
        except (TypeError, ValueError):
            fail(f"{name} 应该是一个数。", f"{name} should be a number.")
    wrong = [name for name, v in values.items()  # 1e-4: a value printed to 4 digits is fine
             if not math.isclose(v, expected.item(), rel_tol=1e-4)]
    forward, reverse = values["forward_value"], values["reverse_value"]
    if len(wrong) == 2 and math.isclose(forward, reverse, rel_tol=1e-9):
        fail("两个方向给出了同一个值，但它不是 x = 2 处的 df/dx：检查各条边的局部导数。",
             "both directions agree, but not with df/dx at x = 2: check the local derivatives "
             "of the edges.")
    if wrong:
        fail(f"{wrong[0]} 不是 x = 2 处的 df/dx：两个方向必须给出同一个数。",
             f"{wrong[0]} is not df/dx at x = 2: both directions must give the same number.")


exercises.discussion(9)
