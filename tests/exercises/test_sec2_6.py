"""The checks of 2.6's exercises: the stub, typical wrong answers and a correct one written
differently from the notebook's solution. Exercises 4, 5, 6 and 8 are discussion-only."""

import torch

import d2lnotes as d2l

ex = d2l.exercises("2.6")


def stub(*args):
    raise NotImplementedError


def test_discussion_only():
    assert ex.discussions == {4, 5, 6, 8}


def test_q1_running_estimates():
    assert ex.q1.result(stub).status == "not attempted"

    def per_group(m, n):  # each group's own frequencies, not the running estimate
        throws = torch.randint(0, 6, (m, n))
        return torch.nn.functional.one_hot(throws, 6).float().mean(dim=1)

    jumpy = ex.q1.result(per_group)
    assert jumpy.status == "wrong" and "cumulative counts" in jumpy.message

    def per_n(m, n):  # cumulative counts divided by n only
        throws = torch.randint(0, 6, (m, n))
        return torch.nn.functional.one_hot(throws, 6).float().sum(dim=1).cumsum(dim=0) / n

    unnormalized = ex.q1.result(per_n)
    assert unnormalized.status == "wrong" and "sum to 1" in unnormalized.message

    def loaded(m, n):
        probs = torch.tensor([0.5, 0.1, 0.1, 0.1, 0.1, 0.1])
        counts = torch.multinomial(probs, m * n, replacement=True).reshape(m, n)
        cum = torch.nn.functional.one_hot(counts, 6).float().sum(dim=1).cumsum(dim=0)
        return cum / cum.sum(dim=1, keepdim=True)

    assert "is the die fair" in ex.q1.result(loaded).message

    def by_randint(m, n):  # correct, from single throws instead of Multinomial
        throws = torch.randint(0, 6, (m * n,))
        cum = torch.nn.functional.one_hot(throws, 6).float().cumsum(dim=0)[n - 1::n]
        return cum / torch.arange(1, m + 1)[:, None] / n

    state = torch.random.get_rng_state()
    assert ex.q1.result(by_randint).status == "correct"
    assert torch.equal(state, torch.random.get_rng_state())  # the check left the seed alone


def test_q2_venn_bounds():
    assert ex.q2.result(stub).status == "not attempted"
    uncapped = ex.q2.result(lambda a, b: (max(a, b), a + b, max(0, a + b - 1), min(a, b)))
    assert uncapped.status == "wrong" and "upper bound of P(A ∪ B)" in uncapped.message
    independent = ex.q2.result(lambda a, b: (max(a, b), min(1, a + b), a * b, min(a, b)))
    assert independent.status == "wrong" and "independent events" in independent.message
    never_overlap = ex.q2.result(lambda a, b: (max(a, b), min(1, a + b), 0, min(a, b)))
    assert never_overlap.status == "wrong" and "lower bound of P(A ∩ B)" in never_overlap.message

    def via_inclusion_exclusion(a, b):
        inter_low, inter_high = max(0.0, a + b - 1), min(a, b)
        return torch.tensor([a + b - inter_high, a + b - inter_low, inter_low, inter_high])

    assert ex.q2.result(via_inclusion_exclusion).status == "correct"


def test_q3_markov_joint():
    assert ex.q3.result(stub).status == "not attempted"
    no_prior = ex.q3.result(lambda pa, pba, pcb: pba[:, :, None] * pcb[None, :, :])
    assert no_prior.status == "wrong" and "which factor is missing" in no_prior.message

    def marginals_only(pa, pba, pcb):  # independence: P(A) P(B) P(C)
        pb = pa @ pba
        return torch.einsum("a,b,c->abc", pa, pb, pb @ pcb)

    indep = ex.q3.result(marginals_only)
    assert indep.status == "wrong" and "does not match the Markov chain" in indep.message
    flat = ex.q3.result(lambda pa, pba, pcb: (pa[:, None] * pba).flatten())
    assert flat.status == "wrong" and "shape" in flat.message

    def step_by_step(pa, pba, pcb):
        p_ab = pa[:, None] * pba                 # P(A, B)
        return p_ab[:, :, None] * pcb[None]      # times P(C | B)

    assert ex.q3.result(step_by_step).status == "correct"


def test_q7_variance_of_the_estimate():
    assert ex.q7.result(stub).status == "not attempted"
    no_n = ex.q7.result(lambda p, n: p * (1 - p))
    assert no_n.status == "wrong" and "does not change with n" in no_n.message
    sqrt_n = ex.q7.result(lambda p, n: p * (1 - p) / n**0.5)
    assert sqrt_n.status == "wrong" and "factor of 10" in sqrt_n.message
    std = ex.q7.result(lambda p, n: (p * (1 - p) / n) ** 0.5)
    assert std.status == "wrong" and "standard deviation" in std.message
    mean_not_var = ex.q7.result(lambda p, n: p / n)
    assert mean_not_var.status == "wrong" and "always shows the same side" in mean_not_var.message

    def by_moments(p, n):
        ex2, ex1 = p, p  # a 0/1 toss: X^2 = X
        return (ex2 - ex1**2) / n

    assert ex.q7.result(by_moments).status == "correct"


def test_q9_coupled_tests():
    table = [[0.82, 0.08], [0.08, 0.02]]
    assert ex.q9.result(..., 0.0147, 0.0686).status == "not attempted"
    assert ex.q9.result(table, 0.0147, ...).status == "not attempted"
    independent = ex.q9.result(table, 0.0147, 0.1283)
    assert independent.status == "wrong" and "err independently" in independent.message
    margins = ex.q9.result([[0.8, 0.1], [0.08, 0.02]], 0.0147, 0.0686)
    assert margins.status == "wrong" and "margins" in margins.message
    coupling = ex.q9.result([[0.81, 0.09], [0.09, 0.01]], 0.0147, 0.0686)
    assert coupling.status == "wrong" and "coupling" in coupling.message
    likelihood = ex.q9.result(table, 0.99, 0.0686)  # P(D1 = 1 | H = 1), not the posterior
    assert likelihood.status == "wrong" and "p_one_positive" in likelihood.message
    prior = 0.0015
    exact_one = 0.99 * prior / (0.99 * prior + 0.1 * (1 - prior))
    exact_two = 0.99**2 * prior / (0.99**2 * prior + 0.02 * (1 - prior))
    assert ex.q9.result(torch.tensor(table), exact_one, exact_two).status == "correct"
    percent = ex.q9.result(table, 100 * exact_one, 100 * exact_two)
    assert percent.status == "wrong" and "not a percentage" in percent.message
    coarse = ex.q9.result(table, round(exact_one, 3), round(exact_two, 3))
    assert coarse.status == "wrong" and "4 decimals" in coarse.message
    everyone = 0.99 * prior / (0.99 * prior + 0.1)  # the healthy weighted by 1, not 1 - P(H = 1)
    no_share = ex.q9.result(table, everyone, exact_two)
    assert no_share.status == "wrong" and "1 - P(H = 1)" in no_share.message


def test_q10_portfolio():
    assert ex.q10.result(stub, stub).status == "not attempted"
    diagonal = ex.q10.result(lambda a, mu: a @ mu, lambda a, S: (a**2 * S.diagonal()).sum())
    assert diagonal.status == "wrong" and "ignores the covariances" in diagonal.message
    vector = ex.q10.result(lambda a, mu: a * mu, lambda a, S: a @ S @ a)
    assert vector.status == "wrong" and "one number" in vector.message
    mean_of_weights = ex.q10.result(lambda a, mu: mu.mean(), lambda a, S: a @ S @ a)
    assert mean_of_weights.status == "wrong"
    assert "expected return is wrong" in mean_of_weights.message
    by_einsum = ex.q10.result(lambda a, mu: torch.dot(a, mu),
                              lambda a, S: torch.einsum("i,ij,j->", a, S, a))
    assert by_einsum.status == "correct"
