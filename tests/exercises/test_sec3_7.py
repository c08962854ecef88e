"""The checks of 3.7's exercises: the stub, typical wrong answers and a correct one.
Discussion only: exercise 1 (hyperparameters), 4 (extending INT8) and 5 (learning-rate curves)."""

import math

import torch

import d2lnotes as d2l

ex = d2l.exercises("3.7")


def stub(*args):
    raise NotImplementedError  # 在这里写你的代码 · your code here


def test_discussion_only():
    assert ex.discussions == {1, 4, 5}


def test_q2_pick_epoch():
    assert ex.q2.result(stub).status == "not attempted"
    result = ex.q2.result(lambda losses: losses.index(min(losses)))
    assert result.status == "wrong" and "off by one" in result.message
    result = ex.q2.result(lambda losses: len(losses))
    assert result.status == "wrong" and "last epoch" in result.message
    result = ex.q2.result(lambda losses: losses.index(max(losses)) + 1)
    assert result.status == "wrong" and "highest validation loss" in result.message
    assert ex.q2.result(lambda losses: int(torch.tensor(losses).argmin()) + 1).status == "correct"


def test_q3_exp_limits():
    assert ex.q3.result(stub).status == "not attempted"
    result = ex.q3.result(
        lambda d: (math.log10(torch.finfo(d).tiny), math.log10(torch.finfo(d).max)))
    assert result.status == "wrong" and "base-10" in result.message
    result = ex.q3.result(lambda d: (math.log(torch.finfo(d).eps), math.log(torch.finfo(d).max)))
    assert result.status == "wrong" and "eps" in result.message
    result = ex.q3.result(lambda d: (-math.log(torch.finfo(d).max), math.log(torch.finfo(d).max)))
    assert result.status == "wrong" and "not minus the largest" in result.message
    result = ex.q3.result(lambda d: (torch.finfo(d).tiny, torch.finfo(d).max))
    assert result.status == "wrong" and "natural log" in result.message

    def by_bits(dtype):  # from the exponent and mantissa bits, counting subnormal numbers
        bits = {torch.float16: (5, 10), torch.bfloat16: (8, 7), torch.float32: (8, 23),
                torch.float64: (11, 52)}[dtype]
        exponent, mantissa = bits
        bias = 2 ** (exponent - 1) - 1
        largest = (2 - 2 ** -mantissa) * 2.0 ** bias
        smallest = 2.0 ** (1 - bias - mantissa)
        return math.log(smallest), math.log(largest)
    assert ex.q3.result(by_bits).status == "correct"

    def rounds_to_zero(dtype):  # exp(x) is exactly 0 below half the smallest subnormal number
        info = torch.finfo(dtype)
        return math.log(info.tiny) + math.log(info.eps) - math.log(2), math.log(info.max)
    assert ex.q3.result(rounds_to_zero).status == "correct"
