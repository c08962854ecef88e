"""The checks of 3.1's exercises: the stub, typical wrong answers and a correct one.
Discussion only: exercise 8 (house and stock prices)."""

import math

import pytest
import torch
from torch import nn

import d2lnotes as d2l

ex = d2l.exercises("3.1")


def stub(*args):
    raise NotImplementedError


def test_discussion_only():
    assert ex.discussions == {8}
    with pytest.raises(LookupError):
        ex[8]


def test_q1_best_constants():
    assert ex.q1.result(stub, stub).status == "not attempted"
    mean_twice = ex.q1.result(lambda x: x.mean(), lambda x: x.mean())
    assert mean_twice.status == "wrong" and "best_b_abs does not minimize" in mean_twice.message
    median_for_squares = ex.q1.result(lambda x: x.median(), lambda x: x.median())
    assert median_for_squares.status == "wrong" and "best_b_squared" in median_for_squares.message
    # correct, written differently: the sum over n, and a sorted middle element
    middle = lambda x: x.sort().values[len(x) // 2]
    assert ex.q1.result(lambda x: x.sum() / len(x), middle).status == "correct"

    def grid_search(loss):                       # an approximate answer: the best of 10001 values
        def best(x):
            bs = torch.linspace(float(x.min()), float(x.max()), 10001, dtype=x.dtype)
            return bs[loss(x[None, :] - bs[:, None]).sum(dim=1).argmin()]
        return best
    assert ex.q1.result(grid_search(torch.square), grid_search(torch.abs)).status == "correct"


def test_q2_closed_form():
    assert ex.q2.result(stub).status == "not attempted"
    no_inverse = ex.q2.result(lambda X, y: X.T @ X @ X.T @ y)
    assert no_inverse.status == "wrong"
    assert "gradient Xᵀ(Xw − y) at your w is not zero" in no_inverse.message
    forgot_xt = ex.q2.result(lambda X, y: torch.linalg.inv(X.T @ X) @ y)
    assert forgot_xt.status == "wrong" and "raised RuntimeError" in forgot_xt.message
    assert ex.q2.result(lambda X, y: torch.linalg.pinv(X) @ y.reshape(-1)).status == "correct"
    in_float32 = lambda X, y: torch.linalg.solve((X.T @ X).float(), (X.T @ y).float())
    assert ex.q2.result(in_float32).status == "correct"


def test_q3_laplace_nll():
    assert ex.q3.result(stub).status == "not attempted"
    squared = ex.q3.result(lambda y_hat, y: ((y - y_hat) ** 2).sum() / 2)
    assert squared.status == "wrong" and "squared error" in squared.message
    no_constant = ex.q3.result(lambda y_hat, y: (y - y_hat).abs().sum())
    assert no_constant.status == "wrong" and "log 2" in no_constant.message
    averaged = ex.q3.result(lambda y_hat, y: (math.log(2) + (y - y_hat).abs()).mean())
    assert averaged.status == "wrong" and "you averaged" in averaged.message
    via_density = lambda y_hat, y: -torch.log(0.5 * torch.exp(-(y - y_hat).abs())).sum()
    assert ex.q3.result(via_density).status == "correct"


def test_q4_augment():
    assert ex.q4.result(stub).status == "not attempted"
    zeros = ex.q4.result(lambda X: torch.cat([X, torch.zeros(len(X), 1)], dim=1))
    assert zeros.status == "wrong" and "all ones" in zeros.message
    first = ex.q4.result(lambda X: torch.cat([torch.ones(len(X), 1), X], dim=1))
    assert first.status == "wrong" and "the 1 goes last" in first.message
    assert ex.q4.result(lambda X: nn.functional.pad(X, (0, 1), value=1.0)).status == "correct"


def test_q5_quadratic_features():
    assert ex.q5.result(stub).status == "not attempted"
    squares = ex.q5.result(lambda X: X**2)
    assert squares.status == "wrong" and "cross terms" in squares.message
    all_pairs = ex.q5.result(lambda X: (X[:, :, None] * X[:, None, :]).reshape(len(X), -1))
    assert all_pairs.status == "wrong" and "count each pair once" in all_pairs.message
    d = 3
    with_x = ex.q5.result(lambda X: torch.cat(
        [X, torch.stack([X[:, i] * X[:, j] for i in range(d) for j in range(i, d)], 1)], 1))
    assert with_x.status == "wrong" and "linear terms" in with_x.message   # 3 + 6 = 9 = d * d
    upper = lambda X: torch.stack([X[:, i] * X[:, j] for i in range(d) for j in range(i, d)], 1)
    assert ex.q5.result(upper).status == "correct"


def test_q6_expected_gram():
    assert ex.q6.result(stub).status == "not attempted"
    no_noise = ex.q6.result(lambda X, s: X.T @ X)
    assert no_noise.status == "wrong" and "does not depend on sigma" in no_noise.message
    once = ex.q6.result(lambda X, s: X.T @ X + s**2 * torch.eye(X.shape[1], dtype=X.dtype))
    assert once.status == "wrong" and "sum over all n rows" in once.message
    ridge = lambda X, s: torch.linalg.multi_dot([X.T, X]) \
        + torch.diag(torch.full((X.shape[1],), X.shape[0] * s * s, dtype=X.dtype))
    assert ex.q6.result(ridge).status == "correct"


def test_q7_merge_layers():
    assert ex.q7.result(stub).status == "not attempted"
    biases_added = ex.q7.result(lambda W1, b1, W2, b2: (W2 @ W1, b2))
    assert biases_added.status == "wrong" and "first layer's bias" in biases_added.message
    wrong_order = ex.q7.result(lambda W1, b1, W2, b2: (W1.T @ W2.T, W2 @ b1 + b2))
    assert wrong_order.status == "wrong" and "shape (2, 3)" in wrong_order.message
    via_layer = lambda W1, b1, W2, b2: (torch.einsum("ij,jk->ik", W2, W1),
                                        nn.functional.linear(b1, W2, b2))
    assert ex.q7.result(via_layer).status == "correct"


def test_q9_poisson_loss():
    assert ex.q9.result(stub).status == "not attempted"
    as_rate = ex.q9.result(lambda eta, k: eta - k * torch.log(eta))
    assert as_rate.status == "wrong" and "λ = exp(η)" in as_rate.message
    log_likelihood = ex.q9.result(lambda eta, k: k * eta - torch.exp(eta))
    assert log_likelihood.status == "wrong" and "not its negative" in log_likelihood.message
    exact = lambda eta, k: -torch.distributions.Poisson(torch.exp(eta)).log_prob(k) + math.pi
    assert ex.q9.result(exact).status == "correct"
