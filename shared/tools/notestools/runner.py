"""Execute notebooks in parallel, one worker process and one fresh kernel each, and stop
cleanly: a notebook past its timeout, a worker that dies, or Ctrl-C (SIGINT) and SIGTERM,
after which every kernel, worker and the zygote are gone within a second or two.

The runner knows every process it started: the zygote, the workers (its children) and their
kernels (each worker reports its kernel's pid, which is also the kernel's process group).
It writes them to ``<out>/.run-processes`` (see faults.ProcessLog).
"""

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections import deque
from pathlib import Path

from . import worker
from .faults import (
    STOP_SIGNALS,
    Interrupted,
    ProcessLog,
    StopSignals,
    kill_process,
    kill_process_group,
)
from .notebooks import CHAPTERS, DEFAULT_KERNEL, FORK_KERNEL

DEFAULT_TIMEOUT = 900  # seconds for a whole notebook: generous, a hang still ends
NOT_STARTED = "not started: the run was interrupted"
_LOOK_EVERY = 0.2  # seconds between the scheduler's looks at signals and deadlines
_WORKER_GRACE = 1.0  # seconds a stopped worker gets to kill its kernel and exit


def start_order(paths, expected_seconds=None, root=CHAPTERS):
    """Longest expected first; without a previous report (a fresh clone), later sections
    first, since the training notebooks of chapter 3 are the long ones."""
    expected = expected_seconds or {}
    order = sorted(enumerate(paths), reverse=True, key=lambda item: (
        expected.get(str(item[1].relative_to(root)), 0), item[0]))
    return [path for _, path in order]


def kernel_zygote(kernel, zygote=None):
    """Context manager giving the zygote ``kernel`` needs: ``zygote`` if given, else this
    process's (started in the background and closed at the end if there was none); None
    for a kernel that is not forked."""
    if kernel != FORK_KERNEL or zygote is not None:
        return contextlib.nullcontext(zygote)
    from .forkkernel import Zygote

    return Zygote.shared(wait=False)


def run(paths, out_dir, parameters, jobs, timeout=DEFAULT_TIMEOUT, expected_seconds=None,
        kernel=DEFAULT_KERNEL, zygote=None, src_root=CHAPTERS, stop=None, inputs=None):
    """Execute ``paths`` (under ``src_root``) into ``out_dir``; return one result per
    notebook, in the order of ``paths``: notebook, status, seconds, peak_rss_mb, error,
    recorded (see results.py) and traceback (of a failed cell, else None).

    With ``expected_seconds`` (notebook name -> seconds) the longest notebooks start first,
    so the short ones fill the gaps (see :func:`start_order`). ``timeout``: seconds for
    each whole notebook. ``stop``: the caller's :class:`~notestools.faults.StopSignals`
    (else SIGINT/SIGTERM are watched for the duration of the call). When one comes, all is
    stopped and :class:`~notestools.faults.Interrupted` raised, its ``results`` holding the
    notebooks cut short or never started as "interrupted". ``inputs``: notebook name ->
    what its outputs depend on, written into its executed copy's metadata.
    """
    with contextlib.ExitStack() as stack:
        if stop is None:
            stop = stack.enter_context(StopSignals())
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        log = ProcessLog(out_dir)
        zygote = stack.enter_context(kernel_zygote(kernel, zygote))
        if zygote is not None:
            log.add("zygote", zygote.process.pid if zygote.process else None)
            zygote.wait_ready()
        scheduler = _Scheduler(Path(out_dir), parameters, jobs, len(paths), timeout, kernel,
                               zygote.path if zygote is not None else None, src_root, log)
        scheduler.inputs = inputs or {}
        return scheduler.run(paths, start_order(paths, expected_seconds, src_root), stop)


class _Job:
    """One notebook: its worker process, the pipe from it, and what the worker said."""

    def __init__(self, src, name, dst, process, conn):
        self.src, self.name, self.dst, self.process, self.conn = src, name, dst, process, conn
        self.started = time.monotonic()
        self.kernel_pid = self.cell = self.result = None

    def elapsed(self):
        return round(time.monotonic() - self.started, 2)


class _Scheduler:
    def __init__(self, out_dir, parameters, jobs, count, timeout, kernel, zygote_path,
                 src_root, log):
        self.out_dir, self.parameters, self.timeout = out_dir, parameters, timeout
        self.kernel, self.zygote_path, self.src_root, self.log = (
            kernel, zygote_path, src_root, log)
        self.slots = max(1, min(jobs, count))
        self.threads = max(1, (os.cpu_count() or 1) // self.slots)
        self.context = _worker_context()
        self.forkserver = None  # pid of the server the workers fork from

    def run(self, paths, order, stop):
        pending, running, results = deque(order), [], {}
        with stop.deferred():
            try:
                while (pending or running) and stop.signum is None:
                    while pending and len(running) < self.slots:
                        running.append(self._start(pending.popleft()))
                    self._wait(running)
                    for job in list(running):
                        result = self._collect(job)
                        if result is None and job.elapsed() > self.timeout:
                            result = self._stop([job], "timed out")[0]
                        if result is not None:
                            running.remove(job)
                            results[job.src] = result
                            _print_line(result)
            finally:  # a stop signal, or a bug here: leave no process behind
                for result in self._stop(running, "interrupted"):
                    results[self._src(result)] = result
        if stop.signum is not None:
            if self.forkserver is not None:  # it would only exit with us, after seconds
                kill_process(self.forkserver)  # of tearing papermill down
            for src in pending:
                results[src] = _entry(self._name(src), "interrupted", 0.0, NOT_STARTED)
            raise Interrupted(stop.signum, [results[p] for p in paths])
        return [results[p] for p in paths]

    def _name(self, src):
        return str(src.relative_to(self.src_root))

    def _src(self, result):
        return self.src_root / result["notebook"]

    def _start(self, src):
        dst = self.out_dir / src.relative_to(self.src_root)
        parent_conn, child_conn = self.context.Pipe()
        process = self.context.Process(
            target=worker.work, name=f"notebook {self._name(src)}", daemon=True,
            args=(child_conn, src, dst, self.parameters, self.kernel, self.zygote_path,
                  self.threads, self.inputs.get(self._name(src))))
        process.start()
        child_conn.close()  # the worker's end: now only the worker holds it
        self.log.add("worker", process.pid)
        return _Job(src, self._name(src), dst, process, parent_conn)

    def _wait(self, running):
        waitables = [job.conn for job in running] + [job.process.sentinel for job in running]
        multiprocessing.connection.wait(waitables, timeout=_LOOK_EVERY)

    def _collect(self, job):
        """The job's result once it is finished (its worker reported, or died), else None."""
        self._read(job)
        if job.result is not None:
            self._reap(job)
            return {"notebook": job.name, **job.result}
        if job.process.is_alive():
            return None
        self._reap(job)
        ended = worker.exit_description(job.process.exitcode)
        return _entry(job.name, "failed", job.elapsed(),
                      f"failed: its worker process ended ({ended}) {worker.where(job.cell)}")

    def _read(self, job):
        """What the worker has said so far (its kernel, the cell it is in, its result)."""
        try:
            while job.result is None and job.conn.poll():
                kind, *values = job.conn.recv()
                if kind == "kernel":
                    job.kernel_pid = values[0]
                    self.log.add("kernel", job.kernel_pid)
                elif kind == "parent" and values[0] != os.getpid():
                    self.forkserver = values[0]
                    self.log.add("forkserver", values[0])
                elif kind == "cell":
                    job.cell = tuple(values)
                elif kind == "done":
                    job.result = values[0]
        except (EOFError, OSError):
            pass  # the worker is gone; its exit code says how

    def _reap(self, job):
        job.process.join(_WORKER_GRACE)
        if job.process.is_alive():  # finished, but stuck on its way out
            job.process.kill()
            job.process.join()
        if job.kernel_pid is not None and job.result is None:
            kill_process_group(job.kernel_pid)  # its kernel, if the worker could not
        job.conn.close()
        worker.partial_path(job.dst).unlink(missing_ok=True)

    def _stop(self, jobs, status):
        """Kill the jobs' kernels and workers, all at once; their results as ``status``."""
        for job in jobs:
            self._read(job)  # the cell it is in, though the last look was 0.2 s ago
            if job.kernel_pid is not None:
                kill_process_group(job.kernel_pid)
            job.process.terminate()  # the worker kills a kernel it has not reported yet
        deadline = time.monotonic() + _WORKER_GRACE
        results = []
        for job in jobs:
            job.process.join(max(0.0, deadline - time.monotonic()))
            self._reap(job)
            what = f"after {self.timeout:g} s " if status == "timed out" else ""
            results.append(_entry(job.name, status, job.elapsed(),
                                  f"{status} {what}{worker.where(job.cell)}"))
        return results


def _entry(name, status, seconds, error):
    return {"notebook": name, "status": status, "seconds": seconds, "peak_rss_mb": None,
            "error": error, "recorded": {}, "traceback": None}


def _print_line(result):
    status = "ok" if result["status"] == "ok" else result["status"].upper()
    print(f"{status:11s} {result['notebook']:60s} {result['seconds']:6.1f} s", flush=True)


def _worker_context():
    """Workers fork from a server that has imported papermill once (3 s each otherwise)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")  # Windows
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["papermill", "notestools.worker"])
    # The server and the workers it forks are born ignoring SIGINT and SIGTERM (ignored
    # signals stay ignored across exec): in our process group, they would get the Ctrl-C
    # or the SIGTERM meant for the runner, which stops them itself. A worker takes SIGTERM
    # from the runner once it has left the group (worker.work).
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = {signum: signal.signal(signum, signal.SIG_IGN)
                for signum in STOP_SIGNALS if in_main_thread}
    try:
        forkserver.ensure_running()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return context

