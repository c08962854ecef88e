"""The checks of 2.3's exercises: the stub, typical wrong answers and a correct one."""

import math

import pytest
import torch

import d2lnotes as d2l

ex = d2l.exercises("2.3")


def stub(*args):
    raise NotImplementedError  # 在这里写你的代码 · your code here


def test_q1_transpose():
    assert ex.q1.result(stub).status == "not attempted"
    reshaped = ex.q1.result(lambda M: M.reshape(M.shape[1], M.shape[0]))
    assert reshaped.status == "wrong" and "reshaping is not transposing" in reshaped.message
    same = ex.q1.result(lambda M: M.clone())
    assert same.status == "wrong" and "the transpose of a 3x5 matrix is 5x3" in same.message
    by_rows = ex.q1.result(lambda M: torch.stack([M[:, j] for j in range(M.shape[1])]))
    assert by_rows.status == "correct"


def test_q3_always_symmetric():
    assert ex.q3.result(...).status == "not attempted"
    no = ex.q3.result(False)
    assert no.status == "wrong" and "compare A + A.T with its transpose" in no.message
    text = ex.q3.result("yes")
    assert text.status == "wrong" and "True or False" in text.message
    assert ex.q3.result(True).status == "correct"
    S = torch.randn(4, 4)  # a computed answer: a one-element Boolean tensor
    assert ex.q3.result(torch.equal(S + S.T, (S + S.T).T)).status == "correct"
    assert ex.q3.result((S + S.T == (S + S.T).T).all()).status == "correct"


def test_q4_len_of_x():
    assert ex.q4.result(...).status == "not attempted"
    numel = ex.q4.result(24)
    assert numel.status == "wrong" and "number of elements" in numel.message
    last = ex.q4.result(4)
    assert last.status == "wrong" and "length of the last axis" in last.message
    assert ex.q4.result(len(torch.zeros(2, 3, 4))).status == "correct"
    assert ex.q4.result(torch.zeros(2, 3, 4).shape[0]).status == "correct"
    assert ex.q4.result(torch.tensor(2)).status == "correct"  # an integer tensor is an integer
    assert ex.q4.result(2.0).status == "wrong"


def test_q5_len_axis():
    assert ex.q5.result(...).status == "not attempted"
    middle = ex.q5.result(1)
    assert middle.status == "wrong" and "axis 1 has length 3, but len(X) is 2" in middle.message
    for negative in (-1, -3):  # -3 is axis 0 only for three axes
        wrong = ex.q5.result(negative)
        assert wrong.status == "wrong" and "negative axis counts from the last" in wrong.message
    beyond = ex.q5.result(3)
    assert beyond.status == "wrong" and "has no axis 3" in beyond.message
    assert ex.q5.result(int(torch.tensor(0))).status == "correct"


def test_q6_row_normalize():
    assert ex.q6.result(stub).status == "not attempted"
    broadcast = ex.q6.result(lambda M: M / M.sum(axis=1))
    assert broadcast.status == "wrong"
    assert "square matrix" in broadcast.message and "another row's sum" in broadcast.message
    columns = ex.q6.result(lambda M: M / M.sum(axis=0, keepdim=True))
    assert columns.status == "wrong" and "do not sum to 1" in columns.message
    assert "another row's sum" not in columns.message  # column sums are not the trap
    sums = ex.q6.result(lambda M: M.sum(axis=1))
    assert sums.status == "wrong" and "keep the shape of the input" in sums.message
    # correct, written differently: divide the columns of the transpose, transpose back
    twice = ex.q6.result(lambda M: (M.T / M.sum(axis=1)).T)
    assert twice.status == "correct"
    indexed = ex.q6.result(lambda M: M / M.sum(axis=1)[:, None])
    assert indexed.status == "correct"


def test_q7_sum_shapes():
    assert ex.q7.result(...).status == "not attempted"
    kept = ex.q7.result([(1, 3, 4), (2, 1, 4), (2, 3, 1)])
    assert kept.status == "wrong" and "keepdim=True" in kept.message
    kept_only_others = ex.q7.result([(2,), (3,), (4,)])
    assert kept_only_others.status == "wrong" and "summing along axis 0" in kept_only_others.message
    X = torch.ones(2, 3, 4)
    assert ex.q7.result([X.sum(dim=d).shape for d in range(3)]).status == "correct"


def test_q8_norm_of_any_shape():
    assert ex.q8.result(stub).status == "not attempted"
    squares = ex.q8.result(lambda T: (T * T).sum())
    assert squares.status == "wrong" and "square root is missing" in squares.message
    l1 = ex.q8.result(lambda T: T.abs().sum())
    assert l1.status == "wrong" and "L1 norm" in l1.message
    per_slice = ex.q8.result(lambda T: (T ** 2).sum(dim=-1).sqrt())
    assert per_slice.status == "wrong" and "single number" in per_slice.message
    ok = ex.q8.result(lambda T: math.sqrt(sum(float(v) ** 2 for v in T.flatten())))
    assert ok.status == "correct", ok.message


def test_q9_blocks():
    assert ex.q9.result(stub).status == "not attempted"
    diagonal = ex.q9.result(lambda a, b: math.dist(a, b))
    assert diagonal.status == "wrong" and "walk diagonally" in diagonal.message
    signed = ex.q9.result(lambda a, b: (b[0] - a[0]) + (b[1] - a[1]))
    assert signed.status == "wrong" and "walked backwards" in signed.message
    ok = ex.q9.result(lambda a, b: sum(abs(x - y) for x, y in zip(a, b)))
    assert ok.status == "correct"


def test_q10_chain_costs():
    assert ex.q10.result(..., ...).status == "not attempted"
    first_only = ex.q10.result(2**10 * 2**16 * 2**5, 2**16 * 2**5 * 2**14)
    assert first_only.status == "wrong" and "count the second one too" in first_only.message
    swapped = ex.q10.result(2**35 + 2**40, 2**31 + 2**29)
    assert swapped.status == "wrong" and "A(BC) is cheaper" in swapped.message
    ratio_only = ex.q10.result(1, (2**35 + 2**40) / (2**31 + 2**29))
    assert ratio_only.status == "wrong" and "not counts of multiply-adds" in ratio_only.message
    # correct, written differently: flops (2 per multiply-add)
    assert ex.q10.result(2 * (2**31 + 2**29), 2 * (2**35 + 2**40)).status == "correct"
    # flops counted exactly: a dot product of length q takes q multiplications, q - 1 additions
    p, q, r, s = 2**10, 2**16, 2**5, 2**14
    exact = ex.q10.result(p * r * (2 * q - 1) + p * s * (2 * r - 1),
                          q * s * (2 * r - 1) + p * s * (2 * q - 1))
    assert exact.status == "correct", exact.message


def test_q12_stack_and_slice():
    assert ex.q12.result(stub).status == "not attempted"
    first_axis = ex.q12.result(lambda A, B, C: (torch.stack([A, B, C]), torch.stack([A, B, C])[1]))
    assert first_axis.status == "wrong" and "(3, 100, 200)" in first_axis.message
    one_based = ex.q12.result(lambda A, B, C: (torch.stack([A, B, C], 2),
                                               torch.stack([A, B, C], 2)[:, :, 2]))
    assert one_based.status == "wrong" and "indices start at 0" in one_based.message
    given = ex.q12.result(lambda A, B, C: (torch.stack([A, B, C], -1), B))
    assert given.status == "wrong" and "not sliced out" in given.message

    def by_hand(A, B, C):
        T = torch.cat([A[..., None], B[..., None], C[..., None]], dim=-1)
        return T, T[..., 1]

    assert ex.q12.result(by_hand).status == "correct"


@pytest.mark.parametrize("number", [2, 11])
def test_discussion_questions_have_no_check(number):
    assert number in ex.discussions
    with pytest.raises(LookupError, match="discussion"):
        ex[number]
