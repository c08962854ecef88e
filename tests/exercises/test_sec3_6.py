"""The checks of 3.6's exercises: the stub, typical wrong answers and a correct one.
Discussion only: exercise 5 (a large vocabulary) and 7 (hyperparameter experiments)."""

import torch
from torch.nn import functional as F

import d2lnotes as d2l

ex = d2l.exercises("3.6")


def stub(*args):
    raise NotImplementedError  # 在这里写你的代码 · your code here


def test_discussion_only():
    assert ex.discussions == {5, 7}


def test_q1_softmax_stable():
    assert ex.q1.result(stub).status == "not attempted"

    def naive(X):
        return torch.exp(X) / torch.exp(X).sum(1, keepdim=True)
    result = ex.q1.result(naive)
    assert result.status == "wrong" and "subtract the row maximum" in result.message

    def global_max(X):  # shifts by the largest entry of the whole tensor: rows underflow
        E = torch.exp(X - X.max())
        return E / E.sum(1, keepdim=True)
    result = ex.q1.result(global_max)
    assert result.status == "wrong" and "below -100" in result.message

    def column_sums(X):
        E = torch.exp(X - X.max(dim=1, keepdim=True).values)
        return E / E.sum(0, keepdim=True)
    result = ex.q1.result(column_sums)
    assert result.status == "wrong" and "sum to 1" in result.message

    def with_logsumexp(X):
        return torch.exp(X - torch.logsumexp(X, dim=1, keepdim=True))
    assert ex.q1.result(with_logsumexp).status == "correct"


def test_q2_cross_entropy_breaks():
    assert ex.q2.result(..., ...).status == "not attempted"
    fine = ex.q2.result(torch.tensor([[0.3, 0.7]]), torch.tensor([1]))
    assert fine.status == "wrong" and "exactly 0" in fine.message
    negative = ex.q2.result(torch.tensor([[-0.5, 1.5]]), torch.tensor([0]))
    assert negative.status == "wrong" and "not probabilities" in negative.message
    assert ex.q2.result(torch.tensor([[0.5, 0.5]]), torch.tensor([2])).status == "wrong"
    underflow = torch.softmax(torch.tensor([[0.0, 200.0], [1.0, 2.0]]), dim=1)
    assert ex.q2.result(underflow, torch.tensor([0, 1])).status == "correct"


def test_q3_cross_entropy_stable():
    assert ex.q3.result(stub).status == "not attempted"

    def log_of_softmax(o, y):  # stable softmax, then log: log 0 for the underflowed class
        p = torch.softmax(o, dim=1)
        return -torch.log(p[range(len(o)), y])
    result = ex.q3.result(log_of_softmax)
    assert result.status == "wrong" and "log-softmax" in result.message
    result = ex.q3.result(lambda o, y: F.log_softmax(o, 1)[range(len(o)), y])
    assert result.status == "wrong" and "sign" in result.message
    result = ex.q3.result(lambda o, y: F.cross_entropy(o, y))
    assert result.status == "wrong" and "one loss per example" in result.message
    assert ex.q3.result(
        lambda o, y: torch.logsumexp(o, 1) - o.gather(1, y[:, None])[:, 0]).status == "correct"


def test_q4_decide():
    assert ex.q4.result(stub).status == "not attempted"
    result = ex.q4.result(lambda p, cost: int(p.argmax()))
    assert result.status == "wrong" and "ignored the costs" in result.message
    result = ex.q4.result(lambda p, cost: int((cost @ p).argmax()))
    assert result.status == "wrong" and "largest expected cost" in result.message
    assert ex.q4.result(lambda p, cost: int((cost.T @ p).argmin())).status == "wrong"

    def by_loop(p, cost):
        expected = [sum(float(c) * float(q) for c, q in zip(row, p)) for row in cost]
        return min(range(len(expected)), key=expected.__getitem__)
    assert ex.q4.result(by_loop).status == "correct"


def test_q6_cross_entropy_definition():
    assert ex.q6.result(stub).status == "not attempted"
    result = ex.q6.result(lambda y_hat, Y: -(Y * torch.log(y_hat)).sum(1))
    assert result.status == "wrong" and "0 · log 0" in result.message
    result = ex.q6.result(lambda y_hat, Y: (Y * torch.log(y_hat)).sum(1))
    assert result.status == "wrong" and "sign" in result.message
    result = ex.q6.result(lambda y_hat, Y: -torch.xlogy(Y, y_hat).sum())
    assert result.status == "wrong" and "sum over the classes only" in result.message
    result = ex.q6.result(lambda y_hat, Y: -torch.log(y_hat[range(len(Y)), Y.argmax(1)]))
    assert result.status == "wrong" and "soft labels" in result.message

    def masked(y_hat, Y):
        logs = torch.where(Y > 0, torch.log(y_hat), torch.zeros_like(y_hat))
        return -(Y * logs).sum(dim=1)
    assert ex.q6.result(masked).status == "correct"


def test_float64_answers_are_checked_like_float32():
    """A correct answer computed in float64 passes; before, the check itself crashed on it."""
    def softmax_in_float64(X):
        X = X.double()
        return torch.exp(X - torch.logsumexp(X, dim=1, keepdim=True))
    assert ex.q1.result(softmax_in_float64).status == "correct"

    def cross_entropy_in_float64(o, y):
        return -torch.log_softmax(o.double(), dim=1)[range(len(y)), y]
    assert ex.q3.result(cross_entropy_in_float64).status == "correct"

    def definition_in_float64(y_hat, Y):
        return -torch.xlogy(Y.double(), y_hat.double()).sum(1)
    assert ex.q6.result(definition_in_float64).status == "correct"
    result = ex.q6.result(lambda y_hat, Y: -(Y.double() * torch.log(y_hat.double())).sum(1))
    assert result.status == "wrong" and "xlogy" in result.message
