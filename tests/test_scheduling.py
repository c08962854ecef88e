"""How `make test` shares the tests between its xdist workers (tests/conftest.py): each test
module, each notebook's nbval cells, and the modules JOINED names together run whole on one
worker, the longest groups first. Checked in a real `pytest -n 2` over made-up modules that
write down which worker ran each test."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("xdist")

CONFTEST_DIR = Path(__file__).resolve().parent
RECORD = """
import json, os, pathlib, time

def record(name):
    time.sleep(0.05)  # long enough for the other worker to ask for work meanwhile
    with open(os.environ["RECORD_TO"], "a") as log:
        log.write(json.dumps([name, os.environ.get("PYTEST_XDIST_WORKER")]) + "\\n")
"""


def write_module(folder, name, count):
    lines = ["from record import record\n"]
    lines += [f"def test_{i}():\n    record('{name}::{i}')\n" for i in range(count)]
    (folder / name).write_text("\n".join(lines), encoding="utf-8")


def test_each_group_runs_on_one_worker_the_longest_first(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "record.py").write_text(RECORD, encoding="utf-8")
    # Many small modules first in file order, then the ones conftest starts first or joins.
    for name in ("test_a.py", "test_b.py", "test_c.py", "test_d.py"):
        write_module(tests, name, 6)
    for name in ("test_lab.py", "test_site.py", "test_site_browser.py"):
        write_module(tests, name, 4)
    log = tmp_path / "log.jsonl"
    env = {**os.environ, "RECORD_TO": str(log),
           "PYTHONPATH": os.pathsep.join([str(CONFTEST_DIR), str(tests)])}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "-n", "2", "--dist", "loadscope",
         "--no-loadscope-reorder", "-p", "no:cacheprovider", "-q", str(tests)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    runs = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(runs) == 4 * 6 + 3 * 4
    worker = {}
    for name, by in runs:
        worker.setdefault(name.split("::")[0], set()).add(by)
    assert all(len(by) == 1 for by in worker.values()), worker  # a module on one worker
    assert worker["test_site.py"] == worker["test_site_browser.py"]  # joined: one worker
    assert {name.split("::")[0] for name, _ in runs[:2]} <= {"test_lab.py", "test_site.py"}
