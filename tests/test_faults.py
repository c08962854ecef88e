"""Ctrl-C, crashes and hangs (issue #15): the real runner, in a subprocess, executes the fault
notebooks of tests/faults/ and is sent real signals. After every case no process it started
is left: the runner's own record (<out>/.run-processes: zygote, fork server, workers, kernels,
a kernel's pid being its process group) and a snapshot of its process tree say which."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from notestools.faults import RunLock, read_process_log
from notestools.forkkernel import PRELOAD_ENV, ZYGOTE_ENV
from notestools.notebooks import FORK_KERNEL

pytestmark = pytest.mark.skipif(sys.platform != "linux",
                                reason="reads /proc; the forked kernels are Linux's")

FAULTS = Path(__file__).resolve().parent / "faults"
STOP_SECONDS = 3  # issue #15: Ctrl-C stops everything within this


def _processes():
    """{pid: (ppid, process group)} of every live process (zombies are gone already)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, ppid, pgrp = stat[stat.rindex(")") + 2:].split()[:3]
        if state not in "ZX":
            found[int(entry)] = (int(ppid), int(pgrp))
    return found


class Run:
    """The runner as a terminal starts it: in a process group of its own, the foreground one."""

    def __init__(self, tmp_path, *args, kernel=FORK_KERNEL, previous=None, preload=None):
        self.out, self.results = tmp_path / "out", tmp_path / "results.json"
        self.stdout, self.stderr = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
        if previous is not None:  # the last report: which notebooks take long
            self.results.write_text(json.dumps({"notebooks": previous}))
        env = {k: v for k, v in os.environ.items() if k != ZYGOTE_ENV}
        if preload is not None:  # the zygote's imports, instead of torch and the rest
            env[PRELOAD_ENV] = ",".join(preload)
        with open(self.stdout, "w") as out, open(self.stderr, "w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "notestools.run_notebooks", "--src", str(FAULTS),
                 "--out", str(self.out), "--results", str(self.results), "--device", "cpu",
                 "--kernel", kernel, *args],
                start_new_session=True, stdout=out, stderr=err, env=env)
        self.tree = set()

    def wait(self, timeout=240):
        return self.process.wait(timeout=timeout)

    def output(self):
        """stdout, and stderr without ipykernel's start-up warnings."""
        err = [line for line in self.stderr.read_text().splitlines()
               if "[IPKernelApp] WARNING" not in line]
        return self.stdout.read_text(), "\n".join(err)

    def started(self, role):
        try:
            return [pid for r, pid in read_process_log(self.out) if r == role]
        except FileNotFoundError:
            return []

    def wait_until(self, condition, what, timeout=180):
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, f"the runner ended before {what}"
            assert time.monotonic() < deadline, f"no {what} after {timeout} s"
            time.sleep(0.1)
        self.snapshot()

    def snapshot(self):
        """Remember the runner's process tree as it is now."""
        children = {}
        for pid, (ppid, _) in _processes().items():
            children.setdefault(ppid, []).append(pid)
        todo = [self.process.pid]
        while todo:
            pid = todo.pop()
            self.tree.add(pid)
            todo += children.get(pid, [])

    def survivors(self):
        """Live processes the run started: recorded, seen in its tree, or in a kernel's group."""
        pids = self.tree | {pid for _, pid in read_process_log(self.out)}
        kernels = set(self.started("kernel"))
        return sorted(pid for pid, (_, pgrp) in _processes().items()
                      if pid in pids or pgrp in kernels)

    def wait_for_no_survivors(self, timeout):
        deadline = time.monotonic() + timeout
        while self.survivors() and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.survivors()


def _kernel_with_child(run):
    """True once a kernel has started hangs.ipynb's `sleep` (in the kernel's group): its cell 3
    runs. Any other child a kernel may have (none expected) does not count."""
    kernels = set(run.started("kernel"))
    return any(pgrp in kernels and pid != pgrp and _command(pid) == "sleep"
               for pid, (_, pgrp) in _processes().items())


def _command(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def _entries(run):
    report = json.loads(run.results.read_text())
    return report, {r["notebook"]: r for r in report["notebooks"]}


def test_failures_crashes_and_a_hang_are_reported_and_the_others_still_run(tmp_path):
    run = Run(tmp_path, "--jobs", "2", "--timeout", "12",
              *[a for name in ("ok", "raises", "segfault", "exits", "killed", "hangs")
                for a in ("--pattern", name)],
              previous=[{"notebook": "hangs.ipynb", "seconds": 60.0}],  # starts first
              preload=["IPython"])  # these notebooks need no torch
    run.wait_until(lambda: _kernel_with_child(run), "kernel running hangs.ipynb")
    assert run.wait() == 1
    stdout, stderr = run.output()
    report, entries = _entries(run)
    assert report["complete"] is True and len(entries) == 6
    assert entries["ok.ipynb"]["status"] == "ok"
    assert entries["ok.ipynb"]["recorded"] == {"answer": 42}
    assert entries["ok.ipynb"]["peak_rss_mb"] > 10
    raised = entries["raises.ipynb"]
    assert raised["status"] == "failed"
    assert raised["error"].startswith('failed in cell 4 (raise ValueError(f"deliberate failure')
    assert raised["error"].endswith("ValueError: the last line of the error")
    causes = {"segfault.ipynb": "killed by SIGSEGV", "exits.ipynb": "exit code 3",
              "killed.ipynb": "killed by SIGKILL"}
    for name, cause in causes.items():
        assert entries[name]["status"] == "kernel died"
        assert entries[name]["error"] == f"kernel died ({cause}) in cell 3 (import os)"
    hung = entries["hangs.ipynb"]
    assert hung["status"] == "timed out" and 12 <= hung["seconds"] < 12 + STOP_SECONDS
    assert hung["error"] == "timed out after 12 s in cell 3 (import subprocess)"
    for name, entry in entries.items():  # the summary: one line each, at the end
        if entry["status"] != "ok":
            assert f"{name}: {entry['error']}" in stderr
    assert "1/6 notebooks ran" in stdout
    assert "Traceback (most recent call last):\n  File" not in stderr  # none of the runner's
    # Executed copies only of the notebooks that ran to their end, each written whole.
    assert sorted(p.name for p in run.out.iterdir() if not p.name.startswith(".")) == [
        "ok.ipynb", "raises.ipynb"]
    assert run.wait_for_no_survivors(10) == []


@pytest.mark.parametrize("kernel, signum", [(FORK_KERNEL, signal.SIGINT),
                                            ("python3", signal.SIGTERM)])
def test_ctrl_c_or_sigterm_stops_everything_at_once(tmp_path, kernel, signum):
    previous = [{"notebook": "hangs.ipynb", "seconds": 60.0},
                {"notebook": "sleeps.ipynb", "seconds": 50.0},
                {"notebook": "ok.ipynb", "status": "ok", "seconds": 0.5, "peak_rss_mb": 99.0,
                 "error": None, "recorded": {"answer": 41}}]
    run = Run(tmp_path, "--jobs", "2", "--pattern", "hangs", "--pattern", "sleeps",
              "--pattern", "ok", kernel=kernel, previous=previous)
    run.wait_until(lambda: len(run.started("kernel")) == 2 and _kernel_with_child(run),
                   "two kernels running")
    if signum == signal.SIGINT:  # meanwhile, a second run into the same folder refuses
        second = subprocess.run([sys.executable, "-m", "notestools.run_notebooks", "--src",
                                 str(FAULTS), "--out", str(run.out), "--results",
                                 str(tmp_path / "second.json"), "--pattern", "ok"],
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 1 and not (tmp_path / "second.json").exists()
        assert f"another run (pid {run.process.pid}) is executing notebooks into" in (
            second.stderr)
        run.snapshot()
    sent = time.monotonic()
    os.killpg(run.process.pid, signum)  # what the terminal does on Ctrl-C
    status = run.wait(timeout=30)
    stopped = time.monotonic() - sent
    survivors = run.wait_for_no_survivors(STOP_SECONDS - stopped)
    gone = time.monotonic() - sent
    print(f"\n{signal.Signals(signum).name}, {kernel}: runner exited after {stopped:.2f} s,"
          f" every process gone after {gone:.2f} s")
    assert status == 128 + signum
    assert gone < STOP_SECONDS and survivors == []
    stdout, stderr = run.output()
    assert stderr.count("\n") == 0 and "Traceback" not in stderr, stderr  # one line
    name = signal.Signals(signum).name
    assert stderr.startswith(f"interrupted by {name} after ")
    assert "stopped hangs.ipynb, sleeps.ipynb; 0 finished (0 ok), 1 not started" in stderr
    report, entries = _entries(run)
    assert report["complete"] is False  # `html` must not take it for a finished run
    assert entries["hangs.ipynb"]["status"] == entries["sleeps.ipynb"]["status"] == (
        "interrupted")
    assert entries["hangs.ipynb"]["error"] == "interrupted in cell 3 (import subprocess)"
    assert entries["ok.ipynb"] == previous[2]  # not started: its last result stays
    assert not list(run.out.glob("*.ipynb*"))  # no executed copy, not even a part of one
    assert not (run.out / ".run.lock").exists()


def test_a_lock_left_by_a_dead_run_is_taken_over(tmp_path):
    finished = subprocess.Popen(["true"])
    finished.wait()
    (tmp_path / ".run.lock").write_text(f"{finished.pid}\n")  # as a killed run leaves it
    with RunLock(tmp_path):
        assert (tmp_path / ".run.lock").read_text() == f"{os.getpid()}\n"
        with pytest.raises(RuntimeError, match=f"another run \\(pid {os.getpid()}\\)"):
            with RunLock(tmp_path):
                pass
    assert not (tmp_path / ".run.lock").exists()
