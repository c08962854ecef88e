"""The checks of 2.4's exercises: the stub, typical wrong answers and a correct one written
differently from the notebook's solution. Exercises 5, 6 and 7 (proofs) are discussion-only."""

import math

import pytest
import torch

import d2lnotes as d2l

ex = d2l.exercises("2.4")


def stub(*args):
    raise NotImplementedError


def test_discussion_only():
    assert ex.discussions == {5, 6, 7}
    with pytest.raises(LookupError, match="discussion"):
        ex.q5.result()


def test_q1_tangent_line():
    assert ex.q1.result(stub).status == "not attempted"
    sign = ex.q1.result(lambda x: 2 * x - 2)  # d/dx(-1/x) taken as -1/x^2
    assert sign.status == "wrong" and "slope is 2" in sign.message
    missed = ex.q1.result(lambda x: 4 * x)  # right slope, not through (1, f(1))
    assert missed.status == "wrong" and "passes through the point (1, f(1))" in missed.message
    curve = ex.q1.result(lambda x: x**3 - 1 / x)  # the function itself
    assert curve.status == "wrong" and "not a straight line" in curve.message
    # correct, as the point-slope form with a derivative by difference quotient
    h = 1e-7
    slope = ((1 + h) ** 3 - 1 / (1 + h) - (1 - h) ** 3 + 1 / (1 - h)) / (2 * h)
    assert ex.q1.result(lambda x: 0 + round(slope, 6) * (x - 1)).status == "correct"
    # correct too: float32, and a slope from a one-sided difference quotient
    assert ex.q1.result(lambda x: 4 * x.float() - 4).status == "correct"
    forward = ((1 + 1e-6) ** 3 - 1 / (1 + 1e-6)) / 1e-6  # 4.000003
    assert ex.q1.result(lambda x: forward * (x - 1)).status == "correct"


def test_q2_gradient():
    assert ex.q2.result(stub).status == "not attempted"
    factor = ex.q2.result(lambda x: torch.stack([3 * x[0], 5 * torch.exp(x[1])]))
    assert factor.status == "wrong" and "first component" in factor.message
    second = ex.q2.result(lambda x: torch.stack([6 * x[0], 5 * x[1] * torch.exp(x[1])]))
    assert second.status == "wrong" and "second component" in second.message
    scalar = ex.q2.result(lambda x: 6 * x[0] + 5 * torch.exp(x[1]))
    assert scalar.status == "wrong" and "shape" in scalar.message

    def by_autograd(x):
        x = x.detach().requires_grad_(True)
        (3 * x[0] ** 2 + 5 * torch.exp(x[1])).backward()
        return x.grad

    assert ex.q2.result(by_autograd).status == "correct"


def test_q3_gradient_of_the_norm():
    assert ex.q3.result(stub).status == "not attempted"
    squared = ex.q3.result(lambda x: 2 * x)  # the gradient of ||x||^2
    assert squared.status == "wrong" and "gradient of ||x||^2" in squared.message
    backwards = ex.q3.result(lambda x: -x / x.norm())
    assert backwards.status == "wrong" and "does not point" in backwards.message
    assert ex.q3.result(lambda x: x * torch.rsqrt((x * x).sum())).status == "correct"
    inverse = ex.q3.result(lambda x: x / x.norm() ** 2)  # the right direction, the wrong length
    assert inverse.status == "wrong" and "does not depend on the size of x." in inverse.message
    assert "||x||^2" not in inverse.message
    in_float32 = ex.q3.result(lambda x: x.float() / x.float().norm())  # rounding is not an error
    assert in_float32.status == "correct", in_float32.message


def test_q4_chain_rule():
    assert ex.q4.result(stub).status == "not attempted"
    one_path = ex.q4.result(lambda ux, uy, uz, xa, ya, za: ux * xa)
    assert one_path.status == "wrong" and "only the path through x" in one_path.message
    product = ex.q4.result(lambda ux, uy, uz, xa, ya, za: ux * xa * uy * ya * uz * za)
    assert product.status == "wrong" and "add up" in product.message
    dot = ex.q4.result(lambda *d: float(torch.tensor(d[:3]) @ torch.tensor(d[3:])))
    assert dot.status == "correct"


def test_q8_x_to_the_x():
    assert ex.q8.result(stub).status == "not attempted"
    power = ex.q8.result(lambda x: x * x ** (x - 1))
    assert power.status == "wrong" and "power rule" in power.message
    exponential = ex.q8.result(lambda x: x**x * torch.log(x))
    assert exponential.status == "wrong" and "constant base" in exponential.message
    by_exp = ex.q8.result(lambda x: torch.exp(x * torch.log(x)) * (1 + torch.log(x)))
    assert by_exp.status == "correct"


def test_q9_stationary_point():
    assert ex.q9.result(stub, 0.0).status == "not attempted"
    assert ex.q9.result(lambda x: x**2, ...).status == "not attempted"
    sloped = ex.q9.result(lambda x: x**2, 1.0)
    assert sloped.status == "wrong" and "slope is about 2" in sloped.message
    assert ex.q9.result(lambda x: x**3, 0.0).status == "correct"          # neither min nor max
    assert ex.q9.result(torch.cos, math.pi).status == "correct"           # a minimum
    named = ex.q9.result(lambda x: x**2, "zero")
    assert named.status == "wrong" and "should be a number" in named.message
    # |x| at 0: the central difference is 0, but there is no derivative (a corner)
    corner = ex.q9.result(torch.abs, 0.0)
    assert corner.status == "wrong" and "corner" in corner.message
    cusp = ex.q9.result(lambda x: x.abs().sqrt(), 0.0)
    assert cusp.status == "wrong" and "corner" in cusp.message
    # a large value does not hide a slope of 1
    offset = ex.q9.result(lambda x: 1e6 + x, 0.0)
    assert offset.status == "wrong" and "slope is about 1," in offset.message
    assert ex.q9.result(lambda x: 1e6 + (x - 3) ** 2, 3).status == "correct"
    assert ex.q9.result(lambda x: math.cos(x), 0).status == "correct"  # math on a 0-d tensor


def test_q10_inverse_derivative():
    assert ex.q10.result(stub).status == "not attempted"
    at_y = ex.q10.result(lambda f_prime, f_inverse, y: 1 / f_prime(y))
    assert at_y.status == "wrong" and "at the point x with f(x) = y" in at_y.message
    upside_down = ex.q10.result(lambda f_prime, f_inverse, y: f_prime(f_inverse(y)))
    assert upside_down.status == "wrong" and "flatter" in upside_down.message
    correct = ex.q10.result(lambda f_prime, f_inverse, y: f_prime(f_inverse(y)).reciprocal())
    assert correct.status == "correct"
