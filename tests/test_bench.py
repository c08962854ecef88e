"""`make bench` in quick mode: one epoch of A and B, one small notebook, the report's shape.

Nothing here asserts anything about time: the numbers depend on the machine and its load.
"""

import json

from notestools import bench
import pytest


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory, fashion_mnist_root, fork_zygote):
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "bench.json"
    code = bench.main(["--quick", "--device", "cpu", "--pattern", "2.1-data",
                       "--out", str(out), "--notebooks-out", str(tmp / "notebooks")])
    return code, json.loads(out.read_text(encoding="utf-8")), tmp


def test_quick_bench_runs_and_writes_its_report(quick_report):
    code, report, _ = quick_report
    assert code == 0
    machine = report["machine"]
    assert machine["cores"] >= 1 and machine["cpu_model"] and machine["torch"]
    assert report["config"]["quick"] and report["config"]["epochs"] == 1
    assert report["config"]["reps"] == 1
    [cpu] = report["devices"]
    assert cpu["device"] == "cpu" and cpu["label"].startswith("cpu (")


def test_both_pipelines_train_to_the_same_accuracy(quick_report):
    _, report, _ = quick_report
    training = report["devices"][0]["training"]
    a, b = training["in_memory"], training["classic"]
    for r in (a, b):
        assert len(r["seconds"]) == 1 and r["median_seconds"] > 0
        assert 0.6 < r["test_acc"] < 0.9  # one epoch of softmax regression
    assert b["workers"] >= 0 and training["ratio"] > 0
    assert training["acc_agree"]
    assert abs(a["test_acc"] - b["test_acc"]) <= training["acc_tolerance"]


def test_the_suite_part_executes_the_matching_notebook(quick_report):
    _, report, tmp = quick_report
    [suite] = report["devices"][0]["suites"]
    assert suite["kernel"] == "d2lnotes-fork"  # as `make run`
    [nb] = suite["notebooks"]
    assert nb["notebook"] == "02-preliminaries/2.1-data-manipulation.ipynb"
    assert nb["status"] == "ok" and nb["seconds"] > 0 and nb["peak_rss_mb"] > 50
    assert suite["total_seconds"] >= nb["seconds"] and not suite["failed"]
    assert (tmp / "notebooks" / "d2lnotes-fork" / "cpu" / nb["notebook"]).exists()


def test_markdown_table_shows_every_measurement(quick_report):
    _, report, _ = quick_report
    text = bench.markdown(report)
    assert "| device | pipeline | median s |" in text
    assert "ratio B/A" in text and "2.1-data-manipulation" in text and "total (wall)" in text
    assert "Profile:" in text and "µs per step" in text and "peak RSS MB" in text
    assert report["machine"]["cpu_model"] in text


def test_disagreeing_accuracies_fail_the_bench(monkeypatch, tmp_path):
    def fake_train(pipeline, device, epochs, *args):
        acc = 0.83 if pipeline == "in_memory" else 0.70
        return {"seconds": 1.0, "load_seconds": 0.1, "train_loss": 0.5, "train_acc": acc,
                "test_acc": acc}

    monkeypatch.setattr(bench, "train_once", fake_train)
    out = tmp_path / "bench.json"
    code = bench.main(["--device", "cpu", "--reps", "1", "--no-suite", "--no-profile",
                       "--out", str(out)])
    assert code == 1
    training = json.loads(out.read_text())["devices"][0]["training"]
    assert not training["acc_agree"] and training["acc_difference"] == pytest.approx(0.13)

