"""`python -m notestools bench --quick`: real runs of every part, written under tmp_path.

Nothing here asserts how long anything took: that depends on the machine and its load.
What is checked is that every part ran what it says (the variants trained, the kernels
were forked, the book's package is the one installed here), and that the report adds up.
"""

import json
import math
import subprocess
import sys
import time
from pathlib import Path

import pytest

from notestools import bench
from notestools.bench import book, interleaved
from notestools.bench.command import MIN_TEST_ACC, QUICK_EXAMPLES, problems
from notestools.bench.report import summary
from notestools.bench.variants import TRAIN_EXAMPLES, EpochClock
from notestools.forkkernel import PRELOAD


@pytest.fixture(scope="module")
def quick(tmp_path_factory, fashion_mnist_root, fork_zygote):
    """One quick bench with every part: fast, floor and d2l (1 epoch each) and the forked
    kernels (2 epochs), all on the first QUICK_EXAMPLES training examples; the suite on 2.1.
    Kernels fork from the session's zygote, as in `make test`. One torch thread per run:
    `make test` keeps every core busy, and a second thread waiting for a busy core only
    burns CPU (3.7's tiny model gains nothing from it)."""
    tmp = tmp_path_factory.mktemp("bench")
    code = bench.main(["--quick", "--with-d2l", "--device", "cpu", "--pattern", "2.1-data",
                       "--threads", "1",
                       "--out", str(tmp / "bench.json"), "--notebooks-out", str(tmp / "nb"),
                       "--d2l-dir", str(tmp / "d2l")])
    report = json.loads((tmp / "bench.json").read_text(encoding="utf-8"))
    return code, report, tmp


def test_quick_bench_succeeds_and_says_where_it_ran(quick):
    code, report, tmp = quick
    assert code == 0, problems(report)
    m = report["machine"]
    assert m["cores"] >= 1 and m["cpu_model"] and m["torch"] and report["date"]
    assert len(m["load_average"]) == 3 and len(m["load_average_end"]) == 3
    assert report["config"]["quick"] and report["config"]["epochs"] == 1
    assert report["config"]["examples"] == QUICK_EXAMPLES < TRAIN_EXAMPLES
    [cpu] = report["devices"]
    assert cpu["device"] == "cpu" and cpu["label"].startswith("cpu (")


def test_each_variant_trained_once_and_its_epochs_add_up(quick):
    _, report, _ = quick
    training = report["devices"][0]["training"]
    variants = training["variants"]
    assert {"fast", "floor"} <= set(variants) <= {"fast", "floor", "d2l"}
    assert set(variants) | set(training["skipped"]) == {"fast", "floor", "d2l"}
    for name, s in variants.items():
        [run] = s["runs"]
        assert run["variant"] == name and not s["errors"]
        assert len(run["epoch_seconds"]) == 1 and run["threads"] == 1  # --threads reached it
        assert run["train_examples"] == QUICK_EXAMPLES  # all three on the same examples
        phases = sum(run["phases"][p][0] for p in ("train", "evaluate", "rest"))
        assert math.isclose(phases, run["epoch_seconds"][0], rel_tol=1e-9)
        assert run["setup_seconds"] + run["epoch_seconds"][0] == pytest.approx(run["seconds"],
                                                                               abs=0.01)
        assert run["process_seconds"] > run["seconds"] > 0
        assert MIN_TEST_ACC < s["test_acc"] < 0.9  # one epoch of softmax regression
    assert f"1 epoch(s) on the first {QUICK_EXAMPLES} training examples" in summary(report)
    fast, floor = variants["fast"], variants["floor"]
    assert training["ratios"]["fast/floor"] == pytest.approx(
        fast["median_seconds"] / floor["median_seconds"], abs=1e-3)
    assert "fast first/later epochs" not in training["ratios"]  # one epoch has no later ones


def test_the_books_d2l_ran_from_its_own_install(quick):
    _, report, tmp = quick
    training = report["devices"][0]["training"]
    if "d2l" in training["skipped"]:
        assert "pip could not install d2l==0.17.6" in training["skipped"]["d2l"]
        pytest.skip(training["skipped"]["d2l"])
    d2l = training["variants"]["d2l"]
    [run] = d2l["runs"]
    assert Path(run["d2l_file"]) == tmp / "d2l" / "site" / "d2l" / "torch.py"
    assert d2l["workers"] == 4  # as the book ships it
    # After one epoch the book's train_ch3 fails its own check (loss < 0.5): timed anyway.
    assert d2l["notes"] and "AssertionError" in d2l["notes"][0]
    ratios, fast = training["ratios"], training["variants"]["fast"]
    assert ratios["fast/d2l"] == pytest.approx(
        fast["median_seconds"] / d2l["median_seconds"], abs=1e-3)  # rounded to 3 decimals
    assert ratios["d2l/fast"] == pytest.approx(
        d2l["median_seconds"] / fast["median_seconds"], abs=1e-3)
    raw = tmp / "d2l" / f"first-{QUICK_EXAMPLES}" / "data" / "FashionMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"])
    assert (raw / "train-labels-idx1-ubyte").stat().st_size == 8 + QUICK_EXAMPLES


def test_first_epoch_ran_in_forked_kernels_with_and_without_preloads(quick):
    _, report, _ = quick
    first = report["devices"][0]["first_epoch"]
    assert first["preload"] == list(PRELOAD)
    assert not set(first["extra_preload"]) & set(PRELOAD)
    without = first["variants"]["PRELOAD"]
    [run] = without["runs"]
    assert len(run["epoch_seconds"]) == 2 and run["train_examples"] == QUICK_EXAMPLES
    assert run["threads"] == 1  # the kernel took --threads from its environment
    assert without["median_first_later"] == pytest.approx(
        run["epoch_seconds"][0] / run["epoch_seconds"][1], rel=1e-3)
    assert run["first_epoch_imports"] == first["extra_preload"]
    if first["extra_preload"]:  # preloaded in the zygote, so not imported again
        [again] = first["variants"]["PRELOAD + first-epoch imports"]["runs"]
        assert not set(again["first_epoch_imports"]) & set(first["extra_preload"])


def test_the_suite_executes_the_matching_notebook(quick):
    _, report, tmp = quick
    [suite] = report["devices"][0]["suites"]
    assert suite["kernel"] == "d2lnotes-fork"  # as `make run`
    [nb] = suite["notebooks"]
    assert nb["notebook"] == "02-preliminaries/2.1-data-manipulation.ipynb"
    assert nb["status"] == "ok" and nb["seconds"] > 0 and nb["peak_rss_mb"] > 50
    assert suite["total_seconds"] >= nb["seconds"] and not suite["failed"]
    assert (tmp / "nb" / "d2lnotes-fork" / "cpu" / nb["notebook"]).exists()


def test_tables_and_summary_show_the_measurements(quick):
    _, report, tmp = quick
    text = (tmp / "bench.md").read_text(encoding="utf-8")
    assert text == bench.markdown(report) + "\n"
    assert report["machine"]["cpu_model"] in text and "load average" in text
    assert "| fast: d2lnotes" in text and "| floor: bare loop" in text
    assert "**fast/floor**" in text and "1st / later" in text
    assert "2.1-data-manipulation" in text and "total (wall)" in text
    short = summary(report)
    assert "fast/floor" in short and "forked kernel, PRELOAD" in short


def test_a_run_that_failed_or_did_not_train_fails_the_bench():
    def variant(errors=(), acc=0.8):
        return {"errors": list(errors), "test_acc": acc}

    report = {"devices": [{"device": "cpu", "training": {"variants": {
        "fast": variant(), "floor": variant(acc=0.1), "d2l": variant(["d2l run failed"], None)}},
        "suites": [{"kernel": "python3", "notebooks": [
            {"notebook": "a.ipynb", "status": "ok", "error": None},
            {"notebook": "b.ipynb", "status": "timed out", "error": "slow"}]}]}]}
    found = problems(report)
    assert len(found) == 3
    assert any("floor reached test accuracy 0.1" in p for p in found)
    assert any("d2l: d2l run failed" in p for p in found)
    assert any("b.ipynb timed out: slow" in p for p in found)


# A train_ch3 shaped like the book's: it finds its helpers among its module's globals.
def train_epoch_ch3(net, train_iter, loss, updater):
    time.sleep(0.01)
    return 0.5, 0.8


def evaluate_accuracy(net, data_iter):
    return 0.75


def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater):
    for _ in range(num_epochs):
        train_epoch_ch3(net, train_iter, loss, updater)
        evaluate_accuracy(net, test_iter)


def test_epoch_clock_times_a_book_style_loop_and_puts_it_back():
    with EpochClock(train_ch3) as clock:
        train_ch3(None, None, None, None, 3, None)
    assert train_ch3.__globals__["train_epoch_ch3"] is train_epoch_ch3  # restored
    r = clock.report()
    assert len(r["epoch_seconds"]) == 3 and all(s >= 0.01 for s in r["epoch_seconds"])
    assert r["phases"]["train"][0] >= 0.01 and len(r["phases"]["rest"]) == 3
    assert (r["train_loss"], r["train_acc"], r["test_acc"]) == (0.5, 0.8, 0.75)
    assert r["first_epoch_imports"] == []


def test_without_pip_the_d2l_variant_is_skipped_saying_why(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))  # an index with nothing in it
    ready, skipped = interleaved.prepare_variants(["fast", "d2l"], "cpu", tmp_path / "d2l")
    assert list(ready) == ["fast"]
    assert "pip could not install d2l==0.17.6" in skipped["d2l"]
    assert not (tmp_path / "d2l" / "site").exists()  # no half install left behind
    _, skipped = interleaved.prepare_variants(["d2l"], "cuda", tmp_path / "d2l")
    assert "CPU only" in skipped["d2l"]


def test_book_data_links_point_at_files_torchvision_reads(tmp_path, fashion_mnist_root):
    import torch
    from torchvision.datasets import FashionMNIST

    raw = book.link_data(tmp_path / "all")
    assert all(p.is_symlink() or p.is_file() for p in raw.iterdir())
    train = FashionMNIST(str(tmp_path / "all" / "data"), train=True, download=False)
    test = FashionMNIST(str(tmp_path / "all" / "data"), train=False, download=False)
    assert (len(train), len(test)) == (TRAIN_EXAMPLES, 10000)

    sizes = {p.name: p.stat().st_size for p in raw.iterdir()}
    book.link_first_examples(tmp_path / "first", 1000)
    assert {p.name: p.stat().st_size for p in raw.iterdir()} == sizes  # the originals unchanged
    head = FashionMNIST(str(tmp_path / "first" / "data"), train=True, download=False)
    assert torch.equal(head.data, train.data[:1000])
    assert torch.equal(head.targets, train.targets[:1000])
    assert len(FashionMNIST(str(tmp_path / "first" / "data"), train=False)) == 10000  # whole


def test_a_forked_kernel_is_alive_while_its_process_is(tmp_path):
    """Not while its heartbeat answers within a second: on a busy machine a beat comes late
    and jupyter_client's own check calls the kernel dead (the bench's kernel, seen once)."""
    from jupyter_client.connect import write_connection_file

    from notestools.bench.first_epoch import _client_of

    class Process:  # a kernel process that never answers a heartbeat
        status = None

        def poll(self):
            return self.status

    process = Process()
    connection_file, _ = write_connection_file(str(tmp_path / "kernel.json"))
    client = _client_of(process, connection_file)
    client.start_channels()
    try:
        # No beat ever comes (time_to_dead is 1 s): waited for all the same, until the timeout.
        with pytest.raises(RuntimeError, match="didn't respond in 2 seconds"):
            client.wait_for_ready(timeout=2.5)
        assert client.is_alive()
        process.status = -9
        assert not client.is_alive()
    finally:
        client.stop_channels()


def test_command_line_help_lists_the_options():
    done = subprocess.run([sys.executable, "-m", "notestools.bench", "--help"],
                          capture_output=True, text=True, check=True)
    assert "--with-d2l" in done.stdout and "--quick" in done.stdout
