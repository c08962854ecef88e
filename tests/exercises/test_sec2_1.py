"""The checks of 2.1's exercises: the stub, typical wrong answers and a correct one."""

import torch

import d2lnotes as d2l

ex = d2l.exercises("2.1")
X = torch.arange(12, dtype=torch.float32).reshape((3, 4))
Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])


def test_q1_comparisons():
    assert ex.q1.result(..., ...).status == "not attempted"
    swapped = ex.q1.result(X > Y, X < Y)
    assert swapped.status == "wrong" and "swapped" in swapped.message
    as_numbers = ex.q1.result((X < Y).float(), (X > Y).float())
    assert as_numbers.status == "wrong" and "dtype torch.float32" in as_numbers.message
    # the X of 2.1.6 (the last one in the section) instead of 2.1.2's
    late = torch.arange(6, dtype=torch.float32)
    stale = ex.q1.result(late < 3, late > 3)
    assert stale.status == "wrong" and "shape (6,)" in stale.message
    # correct, written differently: from the difference's sign
    diff = X - Y
    assert ex.q1.result(diff < 0, torch.gt(diff, 0)).status == "correct"


def test_q2_broadcasting():
    assert ex.q2.result(..., ..., ...).status == "not attempted"
    same = ex.q2.result(torch.ones(2, 3, 4), torch.zeros(2, 3, 4), (2, 3, 4))
    assert same.status == "wrong" and "same shape" in same.message
    flat = ex.q2.result(torch.ones(3, 1), torch.ones(1, 2), (3, 2))
    assert flat.status == "wrong" and "3 axes" in flat.message
    clash = ex.q2.result(torch.ones(2, 3, 4), torch.ones(3, 2), (2, 3, 4))
    assert clash.status == "wrong" and "do not broadcast" in clash.message
    # a typical wrong expectation: the result keeps the larger operand's shape
    kept = ex.q2.result(torch.ones(3, 1, 2), torch.ones(3, 1), (3, 1, 2))
    assert kept.status == "wrong"
    assert "you expected (3, 1, 2), but left + right has shape (3, 3, 2)" in kept.message
    ok = ex.q2.result(torch.ones(5, 1, 3), torch.ones(4, 1), torch.Size([5, 4, 3]))
    assert ok.status == "correct", ok.message
