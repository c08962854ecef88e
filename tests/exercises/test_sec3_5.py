"""The checks of 3.5's exercises: the stub, typical wrong answers and a correct one.
Discussion only: none (exercise 2's profiler share is checked, its options are discussed)."""

import d2lnotes as d2l

ex = d2l.exercises("3.5")


def test_discussion_only():
    assert ex.discussions == set()


def test_q1_time_per_image():
    assert ex.q1.result(...).status == "not attempted"
    assert ex.q1.result({1: ..., 256: ...}).status == "not attempted"
    per_batch = ex.q1.result({1: 2e-5, 256: 6e-5})  # a pass divided by the number of batches
    assert per_batch.status == "wrong" and "per batch" in per_batch.message
    classic = ex.q1.result({1: 1.2e-4, 256: 6e-5})  # the book's DataLoader, not TensorBatches
    assert classic.status == "wrong" and "millisecond" not in classic.message
    assert "many times more" in classic.message
    too_slow = ex.q1.result({1: 5e-3, 256: 2e-3})
    assert too_slow.status == "wrong" and "book's DataLoader" in too_slow.message
    assert ex.q1.result({1: 1, 256: 0.5}).status == "wrong"
    measured = {size: seconds for size, seconds in [(256, 1.9e-7), (1, 9.5e-6)]}
    assert ex.q1.result(measured).status == "correct"


def test_q3_other_datasets():
    assert ex.q3.result(...).status == "not attempted"
    text = ex.q3.result(["CIFAR10", "MNIST", "IMDB"])
    assert text.status == "wrong" and "'IMDB'" in text.message
    lower = ex.q3.result(["cifar10", "MNIST", "SVHN"])
    assert lower.status == "wrong" and "mind the capitals" in lower.message
    few = ex.q3.result(("FashionMNIST", "KMNIST", "QMNIST"))
    assert few.status == "wrong" and "at least three" in few.message
    assert ex.q3.result("CIFAR10").status == "wrong"
    assert ex.q3.result(("EMNIST", "CelebA", "Places365", "FashionMNIST")).status == "correct"


def test_q2_getitem_share():
    assert ex.q2.result(...).status == "not attempted"
    percent = ex.q2.result(93.0)
    assert percent.status == "wrong" and "percentage" in percent.message
    workers = ex.q2.result(0.02)  # profiled with worker processes: only waiting is seen
    assert workers.status == "wrong" and "num_workers=0" in workers.message
    assert ex.q2.result(-0.5).status == "wrong"
    assert ex.q2.result(1 - 0.04).status == "correct"
