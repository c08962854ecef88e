"""The checks of 3.2's exercises: the stub, typical wrong answers and a correct one.
Discussion only: exercise 6 (learning rates and epochs) and 9 (why reshuffle)."""

import math

import pytest
import torch

import d2lnotes as d2l

ex = d2l.exercises("3.2")


def stub(*args):
    raise NotImplementedError


def test_discussion_only():
    assert ex.discussions == {6, 9}
    with pytest.raises(LookupError):
        ex[6]


def test_q1_initialization():
    assert ex.q1.result(..., ...).status == "not attempted"
    fails = ex.q1.result(False, True)
    assert fails.status == "wrong" and "gradient at w = 0 is not zero" in fails.message
    large = ex.q1.result(True, False)
    assert large.status == "wrong" and "convex quadratic" in large.message
    assert ex.q1.result(1 == 1, not False).status == "correct"
    computed = torch.tensor([2.0]) - torch.tensor([1.999]) < 0.01      # a comparison, as a tensor
    assert ex.q1.result(computed, computed.numpy()[0]).status == "correct"
    assert ex.q1.result("yes", True).status == "wrong"


def test_q2_fit_ohm():
    assert ex.q2.result(stub).status == "not attempted"
    no_offset = ex.q2.result(lambda I, U: (((I * U).sum() / (I**2).sum()).item(), 0.0))
    assert no_offset.status == "wrong" and "learned as a bias too" in no_offset.message

    def with_autograd(I, U):                      # gradient descent on the mean loss, full batch
        R, offset = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
        for _ in range(2000):
            loss = ((I * R + offset - U) ** 2).mean()
            gR, go = torch.autograd.grad(loss, [R, offset])
            with torch.no_grad():
                R -= 0.5 * gR
                offset -= 0.5 * go
        return R, offset
    assert ex.q2.result(with_autograd).status == "correct"


def test_q3_fit_temperature():
    assert ex.q3.result(stub).status == "not attempted"
    kilo = ex.q3.result(lambda lam, B: 4.0)                # T in thousands of kelvin
    assert kilo.status == "wrong" and "more than 2% off" in kilo.message
    wien = lambda lam, B: 2.897771955e-3 / lam[B.argmax()].item()   # Wien's law on a coarse grid
    assert ex.q3.result(wien).status == "wrong"

    def grid_search(lam, B):                             # a different correct approach
        h, c, k = 6.62607015e-34, 2.99792458e8, 1.380649e-23
        Ts = torch.linspace(3000, 5000, 2001, dtype=torch.float64)
        model = 2 * h * c**2 / lam**5 / torch.expm1(h * c / (lam * k * Ts[:, None]))
        return Ts[((model.log() - B.log()) ** 2).sum(dim=1).argmin()]
    assert ex.q3.result(grid_search).status == "correct"


def test_q4_second_derivative():
    assert ex.q4.result(stub).status == "not attempted"

    def first(f, x):
        x = x.requires_grad_(True)
        return torch.autograd.grad(f(x), x)[0]
    once = ex.q4.result(first)
    assert once.status == "wrong" and "first derivative" in once.message

    def no_graph(f, x):
        x = x.requires_grad_(True)
        (d,) = torch.autograd.grad(f(x), x)
        return torch.autograd.grad(d, x)[0]
    assert "without its graph" in ex.q4.result(no_graph).message

    def in_float32(f, x):
        x = torch.tensor(float(x), requires_grad=True)
        (d,) = torch.autograd.grad(f(x), x, create_graph=True)
        return torch.autograd.grad(d, x)[0]
    assert ex.q4.result(in_float32).status == "correct"

    def with_backward(f, x):
        x = x.detach().requires_grad_(True)
        y = f(x)
        (d,) = torch.autograd.grad(y, x, create_graph=True)
        d.backward()
        return x.grad
    assert ex.q4.result(with_backward).status == "correct"


def test_q5_shape():
    assert ex.q5.result(...).status == "not attempted"
    reshaped = ex.q5.result((1000, 1))
    assert reshaped.status == "wrong" and "shape with reshape" in reshaped.message
    assert ex.q5.result((1000,)).status == "wrong"
    assert ex.q5.result([1000, 1000]).status == "correct"


def test_q7_batch_sizes():
    assert ex.q7.result(stub).status == "not attempted"
    dropped = ex.q7.result(lambda n, b: [b] * (n // b))
    assert dropped.status == "wrong" and "smaller minibatch is missing" in dropped.message
    padded = ex.q7.result(lambda n, b: [b] * math.ceil(n / b))
    assert padded.status == "wrong" and "exactly once" in padded.message
    assert ex.q7.result(lambda n, b: [len(c) for c in torch.arange(n).split(b)]).status == "correct"


def test_q8_abs_loss():
    assert ex.q8.result(stub).status == "not attempted"
    broadcast = ex.q8.result(lambda y_hat, y: (y_hat - y).abs())
    assert broadcast.status == "wrong" and "reshape it" in broadcast.message
    summed = ex.q8.result(lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)).abs().sum())
    assert summed.status == "wrong" and "one loss per example" in summed.message
    squared = ex.q8.result(lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)) ** 2 / 2)
    assert squared.status == "wrong" and "squared loss" in squared.message
    via_sqrt = lambda y_hat, y: ((y_hat - y.reshape(-1, 1)) ** 2).sqrt()
    assert ex.q8.result(via_sqrt).status == "correct"
