"""One notebook in one worker process: executed with papermill in a fresh kernel.

The runner (runner.py) starts one worker per notebook and hears from it, over a pipe, the
kernel's pid, each cell as it starts and, at the end, the result. A worker leaves the
terminal's process group (the runner alone answers Ctrl-C), kills its kernel when the runner
sends SIGTERM, and kills it too, then exits, when the runner is gone (its pipe closes).
"""

import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from .faults import kill_process_group
from .forkkernel import THREAD_VARS, ZYGOTE_ENV
from .notebooks import use_project_kernels
from .results import COPY_KEY, recorded_results

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def partial_path(dst):
    """Where papermill writes ``dst`` until it is complete (.json: papermill warns on
    other endings; not .ipynb, so nothing that lists notebooks ever takes it for one)."""
    dst = Path(dst)
    return dst.with_name(dst.name + ".partial.json")


def first_line(source, width=60):
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    return line if len(line) <= width else line[:width - 1] + "…"


def where(cell):
    """``cell`` (number, first line), or None before the first, in words."""
    if cell is None:
        return "before its first cell"
    number, line = cell
    return f"in cell {number} ({line})" if line else f"in cell {number}"


def exit_description(code):
    """A kernel's exit status in words: "killed by SIGSEGV", "exit code 3"."""
    if code is None:
        return "exit status unknown"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class NotebookRun:
    """Execute ``src`` in a fresh ``kernel`` and write the executed copy to ``dst``, all at
    once (a part-written notebook is never at ``dst``). ``zygote``: the socket of the zygote
    that forks ``d2lnotes-fork`` kernels (passed, not inherited: a worker's environment is
    that of the moment its fork server started). ``report(event, *values)`` hears
    ``("kernel", pid)`` and ``("cell", number, first_line)``; cells are numbered from 1
    as in the source notebook, markdown included."""

    def __init__(self, src, dst, parameters, kernel, zygote=None, threads=1, report=None,
                 inputs=None):
        self.src, self.dst, self.parameters = Path(src), Path(dst), parameters
        self.kernel, self.zygote, self.threads = kernel, zygote, threads
        self.inputs = inputs  # what the outputs depend on, kept in the executed copy
        self.report = report or (lambda *event: None)
        self.provisioner = self.process = None  # the kernel's, once launched
        self.cell = None  # (number, first line) of the cell running or last run
        self._injected_at = None  # index of papermill's injected parameters cell
        self.sockets = None  # the folder of the kernel's local sockets, while it runs

    def __call__(self):
        # Parallel kernels share the cores: give each its slice instead of oversubscribing.
        for var in THREAD_VARS:
            os.environ[var] = str(self.threads)
        if self.zygote:
            os.environ[ZYGOTE_ENV] = self.zygote
        use_project_kernels()  # JUPYTER_PATH set here reaches papermill's kernel manager
        _quiet_dead_kernel_log()
        if os.name == "posix":
            self.sockets = tempfile.mkdtemp(prefix="d2lnotes-kernel-")
        try:
            return self._execute()
        finally:
            self.remove_sockets()

    def remove_sockets(self):
        """Remove the kernel's socket files (a kernel that died leaves them)."""
        if self.sockets is not None:
            shutil.rmtree(self.sockets, ignore_errors=True)

    def _execute(self):
        import papermill as pm
        from nbclient.exceptions import DeadKernelError
        from papermill.exceptions import PapermillExecutionError

        partial = partial_path(self.dst)
        partial.parent.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        status, error, traceback = "ok", None, None
        try:
            pm.execute_notebook(
                str(self.src), str(partial), parameters=self.parameters,
                cwd=str(self.src.parent), kernel_name=self.kernel, progress_bar=False,
                # Rewriting the whole notebook after every cell costs more than many cells.
                request_save_on_cell_execute=False,
                kernel_manager_class=self._manager_class(),
                # Done with the kernel: killed, not asked to shut down (a kernel shutting
                # down may print a traceback as its sockets close: ipykernel's ENOTSOCK).
                shutdown_kernel="immediate",
                on_cell_start=self._cell_start, on_cell_execute=self._cell_execute)
        except PapermillExecutionError as err:  # papermill saved the notebook first
            status = "failed"
            self.cell = (self._number(err.cell_index), first_line(err.source))
            error = f"failed {where(self.cell)}: {_last_line(err.ename, err.evalue)}"
            traceback = _ANSI.sub("", "\n".join(err.traceback))
        except DeadKernelError:
            status = "kernel died"
            code = self.process.returncode if self.process is not None else None
            error = f"kernel died ({exit_description(code)}) {where(self.cell)}"
        except Exception as err:  # the kernel did not start, a notebook papermill cannot read
            status = "failed"
            error = f"failed {where(self.cell)}: {type(err).__name__}: {_last_line('', str(err))}"
        seconds = round(time.perf_counter() - start, 2)
        recorded = {}
        if partial.exists():
            nb = json.loads(partial.read_text(encoding="utf-8"))
            recorded = recorded_results(nb)
            if self.inputs is not None:
                nb["metadata"][COPY_KEY] = {"inputs": self.inputs}
                partial.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
            os.replace(partial, self.dst)
        return {"status": status, "seconds": seconds, "peak_rss_mb": self.peak_rss_mb(),
                "error": error, "recorded": recorded, "traceback": traceback}

    def kill_kernel(self):
        """Kill the kernel (and what it started) if it is running; safe in a signal handler."""
        process = self.process or getattr(self.provisioner, "process", None)
        if process is not None and process.returncode is None:
            kill_process_group(process.pid)  # a kernel is the leader of its own group

    def peak_rss_mb(self):
        """The kernel's peak RSS: as the zygote saw it for a forked kernel; else this
        process's finished children's, which in a worker is the kernel alone."""
        if self.process is None:
            return None
        if hasattr(self.process, "maxrss_kb"):
            kb = self.process.maxrss_kb
        else:
            try:
                import resource
            except ImportError:  # Windows
                return None
            kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            if sys.platform == "darwin":  # bytes there
                kb /= 1024
        return round(kb / 1024, 1) if kb else None

    # --- hooks papermill's notebook client calls

    def _manager_class(self):
        from jupyter_client.manager import AsyncKernelManager

        run = self

        class ReportingKernelManager(AsyncKernelManager):
            """Tells the runner the kernel's pid as soon as it exists; talks to the kernel over
            local sockets where there are any (no "running over TCP without encryption"
            warning); shuts the finished kernel down without a SIGINT."""

            def __init__(self, **kw):
                if run.sockets is not None:
                    kw.setdefault("transport", "ipc")
                    kw.setdefault("ip", os.path.join(run.sockets, "kernel"))
                super().__init__(**kw)

            async def _async_interrupt_kernel(self):
                # jupyter_client interrupts a kernel before asking it to shut down; ours is
                # idle by then (papermill is done with it), and the SIGINT would only make
                # ipykernel log "ERROR | KeyboardInterrupt caught in kernel" if it landed
                # while the kernel was still handling a message. A timeout or Ctrl-C kills
                # the kernel from the runner instead.
                if not self.shutting_down:
                    await super()._async_interrupt_kernel()

            async def _async_launch_kernel(self, kernel_cmd, **kw):
                run.provisioner = self.provisioner
                try:
                    return await super()._async_launch_kernel(kernel_cmd, **kw)
                finally:
                    run.process = getattr(self.provisioner, "process", None)
                    if run.process is not None:
                        run.report("kernel", run.process.pid)

        return ReportingKernelManager

    def _cell_start(self, cell, cell_index):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            self._injected_at = cell_index

    def _cell_execute(self, cell, cell_index):
        self.cell = (self._number(cell_index), first_line(cell.source))
        self.report("cell", *self.cell)

    def _number(self, index):
        """1-based number in the source notebook of the executed notebook's cell ``index``."""
        injected = self._injected_at is not None and index > self._injected_at
        return index + 1 - injected


def _quiet_dead_kernel_log():
    """nbclient logs a dying kernel as an error; the runner reports it, with its cause."""
    import logging

    logger = logging.getLogger("papermill")
    if not any(isinstance(f, _DeadKernelFilter) for f in logger.filters):
        logger.addFilter(_DeadKernelFilter())


class _DeadKernelFilter:
    def filter(self, record):
        return not str(record.msg).startswith("Kernel died")


def _last_line(ename, evalue):
    lines = [line for line in str(evalue).splitlines() if line.strip()]
    last = lines[-1].strip() if lines else ""
    return f"{ename}: {last}" if ename and last else (ename or last)


def execute(src, dst, parameters, kernel, zygote=None, threads=1, report=None, inputs=None):
    """Execute one notebook in this process (see :class:`NotebookRun`); return its result:
    status ("ok", "failed", "kernel died"), seconds, peak_rss_mb, error (one line: the
    cell, its first line and the error's last line), recorded, traceback."""
    return NotebookRun(src, dst, parameters, kernel, zygote, threads, report, inputs)()


def work(conn, src, dst, parameters, kernel, zygote, threads, inputs=None):
    """A worker process's body: execute one notebook, send ``("done", result)`` on ``conn``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to answer
    run = NotebookRun(src, dst, parameters, kernel, zygote, threads,
                      report=lambda *event: conn.send(event), inputs=inputs)

    def stop(signum, frame):  # from the runner: a timeout, or the run is interrupted
        run.kill_kernel()
        run.remove_sockets()
        os._exit(128 + signum)

    if hasattr(os, "setpgid"):
        os.setpgid(0, 0)  # out of the terminal's foreground group
    signal.signal(signal.SIGTERM, stop)
    threading.Thread(target=_exit_with_runner, args=(conn, run), daemon=True).start()
    conn.send(("parent", os.getppid()))  # the fork server, for the runner's records
    conn.send(("done", run()))


def _exit_with_runner(conn, run):
    """The runner never writes to us: the pipe ends only when the runner is gone."""
    try:
        conn.recv()
    except (EOFError, OSError):
        pass
    run.kill_kernel()
    run.remove_sockets()
    os._exit(1)
