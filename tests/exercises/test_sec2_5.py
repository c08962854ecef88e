"""The checks of 2.5's exercises: the stub, typical wrong answers and a correct one written
differently from the notebook's solution. Exercises 1, 2, 6 and 9 are discussion-only."""

import torch

import d2lnotes as d2l
from d2lnotes.exercise.sec_2_5 import _control_flow_f as section_f  # 2.5.4's f, as the check has it

ex = d2l.exercises("2.5")


def stub(*args):
    raise NotImplementedError




def test_discussion_only():
    assert ex.discussions == {1, 2, 6, 9}


def test_q3_vector_control_flow():
    assert ex.q3.result(..., ...).status == "not attempted"
    a = torch.randn(2, 3, requires_grad=True)
    d = section_f(a)
    d.sum().backward(retain_graph=True)
    once = a.grad.clone()
    d.sum().backward()  # a second pass, the gradient not zeroed: 2k
    forgot = ex.q3.result(a, a.grad)
    assert forgot.status == "wrong" and "zeroed" in forgot.message
    scalar = torch.tensor(0.7, requires_grad=True)
    section_f(scalar).backward()
    assert "not a scalar" in ex.q3.result(scalar, scalar.grad).message
    # correct, with the gradient as a vector-Jacobian product
    v = torch.randn(4, requires_grad=True)
    out = section_f(v)
    (grad,) = torch.autograd.grad(out, v, grad_outputs=torch.ones_like(out))
    assert ex.q3.result(v, grad).status == "correct"
    assert ex.q3.result(a, once).status == "correct"


def test_q4_own_control_flow():
    assert ex.q4.result(stub, torch.tensor(2.0)).status == "not attempted"
    assert ex.q4.result(lambda a: a**2, ...).status == "not attempted"
    detached = ex.q4.result(lambda a: torch.tensor(a.item() ** 2), torch.tensor(2.0))
    assert detached.status == "wrong" and "no grad_fn" in detached.message

    def halve_until_small(a):  # a loop and a branch; its gradient is 2^-k or -2^-k
        while a.abs() > 1:
            a = a / 2
        return a if a > 0 else -a

    assert ex.q4.result(halve_until_small, torch.tensor(-37.0)).status == "correct"

    def step(a):  # a jump where the branch changes: autograd sees slope 0, the quotient a jump
        return a * 0 + (1.0 if a > 0 else 0.0)

    jump = ex.q4.result(step, torch.tensor(0.0))
    assert jump.status == "wrong" and "branch" in jump.message


def test_q5_derivative_of_sin():
    assert ex.q5.result(..., ...).status == "not attempted"
    x = torch.linspace(-5, 5, 50, requires_grad=True)
    torch.sin(x).sum().backward()
    values = ex.q5.result(x.detach(), torch.sin(x.detach()))
    assert values.status == "wrong" and "values of f itself" in values.message
    torch.sin(x).sum().backward()  # not zeroed
    doubled = ex.q5.result(x.detach(), x.grad)
    assert doubled.status == "wrong" and "accumulated twice" in doubled.message
    few = ex.q5.result(x.detach()[:5], torch.cos(x.detach()[:5]))
    assert few.status == "wrong" and "at least 20 points" in few.message
    # correct: one backward pass per point, through autograd.grad
    pts = torch.linspace(0, 3, 30)
    slopes = torch.stack([torch.autograd.grad(torch.sin(p.requires_grad_()), p)[0]
                          for p in pts.clone()])
    assert ex.q5.result(pts, slopes).status == "correct"


def test_q7_derivative_by_the_chain_rule():
    assert ex.q7.result(stub).status == "not attempted"
    sign = ex.q7.result(lambda x: 2 * torch.sin(x) / x + torch.log(x**2) * torch.cos(x) + 1 / x**2)
    assert sign.status == "wrong" and "wrong sign" in sign.message
    factor = ex.q7.result(lambda x: torch.sin(x) / x + torch.log(x**2) * torch.cos(x) - 1 / x**2)
    assert factor.status == "wrong" and "misses a factor" in factor.message
    correct = ex.q7.result(
        lambda x: (2 * torch.sin(x) - 1 / x) / x + 2 * torch.log(x.abs()) * torch.cos(x))
    assert correct.status == "correct"


def test_q8_forward_and_reverse():
    assert ex.q8.result(..., 1.0).status == "not attempted"
    x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    (torch.log(x**2) * torch.sin(x) + 1 / x).backward()
    right = x.grad.item()
    one_off = ex.q8.result(right, right + 0.1)
    assert one_off.status == "wrong" and "reverse_value is not df/dx" in one_off.message
    same = ex.q8.result(right + 1, right + 1)
    assert same.status == "wrong" and "both directions agree" in same.message
    assert ex.q8.result(torch.tensor(right), round(right, 8)).status == "correct"
    assert ex.q8.result(round(right, 6), round(right, 4)).status == "correct"  # as printed
