"""The checks of 3.4's exercises: the stub, typical wrong answers and a correct one.
Discussion only: exercise 5 (the Bradley-Terry model)."""

import math

import torch
from torch.nn import functional as F

import d2lnotes as d2l

ex = d2l.exercises("3.4")


def stub(*args):
    raise NotImplementedError


def test_discussion_only():
    assert ex.discussions == {5}


def test_q1_ce_hessian():
    assert ex.q1.result(stub).status == "not attempted"
    diagonal = ex.q1.result(lambda o: torch.diag(torch.softmax(o, 0) * (1 - torch.softmax(o, 0))))
    assert diagonal.status == "wrong" and "off-diagonal" in diagonal.message
    just_p = ex.q1.result(lambda o: torch.diag(torch.softmax(o, 0)))
    assert just_p.status == "wrong"
    loss = lambda v: F.cross_entropy(v[None], torch.tensor([0]))
    by_autograd = lambda o: torch.autograd.functional.hessian(loss, o)
    assert ex.q1.result(by_autograd).status == "correct"


def test_q2_fixed_length_bits():
    assert ex.q2.result(stub).status == "not attempted"
    entropy = ex.q2.result(lambda n: math.log2(3))
    assert entropy.status == "wrong" and "whole number of bits" in entropy.message
    per_symbol = ex.q2.result(lambda n: 2)
    assert per_symbol.status == "wrong" and "code each symbol separately" in per_symbol.message
    counting = lambda n: next(b for b in range(4 * n) if 2**b >= 3**n) / n
    assert ex.q2.result(counting).status == "correct"


def test_q3_smooth_min():
    assert ex.q3.result(stub).status == "not attempted"
    naive = ex.q3.result(lambda x, lam: -torch.log(torch.exp(-lam * x).sum()) / lam)
    assert naive.status == "wrong" and "overflows" in naive.message
    soft_max = ex.q3.result(lambda x, lam: torch.logsumexp(lam * x, 0) / lam)
    assert soft_max.status == "wrong" and "soft-max" in soft_max.message

    def shifted(x, lam):
        m = x.min()
        return m - torch.log(torch.exp(-lam * (x - m)).sum()) / lam
    assert ex.q3.result(shifted).status == "correct"


def test_q4_trits():
    assert ex.q4.result(...).status == "not attempted"
    bits = ex.q4.result(3)
    assert bits.status == "wrong" and "fewer are enough" in bits.message
    one = ex.q4.result(1)
    assert one.status == "wrong" and "only 3 values" in one.message
    assert ex.q4.result(math.ceil(math.log(8, 3))).status == "correct"
    assert ex.q4.result(2.0).status == "correct"
    assert ex.q4.result(torch.tensor(2)).status == "correct"
    assert ex.q4.result(math.log(8, 3)).status == "wrong"             # 1.89: not a whole number


def test_q6_stable_logsumexp():
    assert ex.q6.result(stub).status == "not attempted"
    naive = ex.q6.result(lambda x: torch.log(torch.exp(x).sum()))
    assert naive.status == "wrong" and "overflows" in naive.message
    shift_min = ex.q6.result(lambda x: x.min() + torch.log(torch.exp(x - x.min()).sum()))
    assert shift_min.status == "wrong" and "spread" in shift_min.message   # exp(x - min) overflows
    def in_float64(x):
        x = x.double()
        m = x.max()
        return (m + (x - m).exp().sum().log()).item()
    assert ex.q6.result(in_float64).status == "correct"


def test_q7_temperature():
    assert ex.q7.result(..., ...).status == "not attempted"
    swapped = ex.q7.result(2, 0.5)
    assert swapped.status == "wrong" and "swapped" in swapped.message
    assert ex.q7.result(2, 2).status == "wrong"
    assert ex.q7.result(1 / 2, 4 / 2).status == "correct"
