"""The checks of 3.3's exercises: the stub, typical wrong answers and a correct one.
Discussion only: exercise 4 (learning rate and epochs) and 5 (amount of data)."""

import torch
from torch import nn

import d2lnotes as d2l

ex = d2l.exercises("3.3")


def stub(*args):
    raise NotImplementedError


def test_discussion_only():
    assert ex.discussions == {4, 5}


def test_q1_lr_for_sum():
    assert ex.q1.result(stub).status == "not attempted"
    grows = ex.q1.result(lambda lr, b: lr * b)
    assert grows.status == "wrong" and "must shrink, not grow" in grows.message
    same = ex.q1.result(lambda lr, b: lr)
    assert same.status == "wrong" and "takes different steps" in same.message
    assert ex.q1.result(lambda lr, b: lr * (1 / b)).status == "correct"
    assert ex.q1.result(lambda lr, b: torch.tensor(lr / b)).status == "correct"   # float32


def test_q2_huber_loss():
    assert ex.q2.result(stub).status == "not attempted"

    def jumps(y_hat, y, sigma=1.0):
        r = (y_hat - y.reshape(y_hat.shape)).abs()
        return torch.where(r > sigma, r - sigma, r**2 / (2 * sigma))
    assert "jumps at |r| = σ" in ex.q2.result(jumps).message

    def no_sigma(y_hat, y, sigma=1.0):
        r = (y_hat - y.reshape(y_hat.shape)).abs()
        return torch.where(r > sigma, r - sigma / 2, r**2 / 2)
    assert "r²/(2σ)" in ex.q2.result(no_sigma).message
    mean_loss = lambda y_hat, y, sigma=1.0: nn.SmoothL1Loss(beta=sigma)(y_hat, y.reshape(-1, 1))
    mean = ex.q2.result(mean_loss)
    assert mean.status == "wrong" and "one loss per example" in mean.message

    def scaled_huber(y_hat, y, sigma=1.0):          # correct: PyTorch's HuberLoss divided by sigma
        return nn.HuberLoss(reduction="none", delta=sigma)(y_hat, y.reshape(y_hat.shape)) / sigma
    assert ex.q2.result(scaled_huber).status == "correct"


def test_q3_weight_grad():
    assert ex.q3.result(stub).status == "not attempted"

    def accumulates(net, X, y):
        nn.MSELoss()(net(X), y).backward()
        return net[0].weight.grad.clone()
    twice = ex.q3.result(accumulates)
    assert twice.status == "wrong" and "gradients accumulate" in twice.message
    weight = ex.q3.result(lambda net, X, y: net[0].weight)
    assert weight.status == "wrong" and "the weight itself" in weight.message

    def by_autograd_grad(net, X, y):
        return torch.autograd.grad(nn.MSELoss()(net(X), y), net[0].weight)[0]
    assert ex.q3.result(by_autograd_grad).status == "correct"
