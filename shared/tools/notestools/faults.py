"""How a run of the notebooks stops, and what keeps two runs apart.

Kernels run in process groups of their own (as jupyter_client starts them, and as the zygote
forks them), so the terminal's Ctrl-C reaches neither them nor, once they have left its group,
the runner's workers: only the runner hears it, and it kills them itself (see runner.py).
"""

import contextlib
import os
import signal
import threading

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
LOCK_NAME = ".run.lock"
PROCESS_LOG_NAME = ".run-processes"


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM reached the runner. ``results``: what the run had when it stopped
    (set by the scheduler; None when it stopped before any notebook started)."""

    def __init__(self, signum, results=None):
        super().__init__(signum)
        self.signum, self.results = signum, results

    @property
    def name(self):
        return signal.Signals(self.signum).name

    @property
    def exit_status(self):
        """What a shell reports for a process killed by the signal: 130, 143."""
        return 128 + self.signum


class StopSignals:
    """While active (a ``with`` block in the main thread), SIGINT and SIGTERM stop the run:
    they raise :class:`Interrupted` where the program is, except inside :meth:`deferred`,
    where they are only noted and the scheduler stops at its next look (every 0.2 s) so that
    no process it is starting escapes its records. Later signals are ignored: the stop is
    already under way, and a second Ctrl-C must not cut the cleanup short."""

    def __init__(self):
        self.signum = None
        self._deferred = False
        self._previous = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc):
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _handle(self, signum, frame):
        if self.signum is not None:
            return
        self.signum = signum
        if not self._deferred:
            raise Interrupted(signum)

    @contextlib.contextmanager
    def deferred(self):
        previous, self._deferred = self._deferred, True
        try:
            yield self
        finally:
            self._deferred = previous


def kill_process_group(pgid):
    """SIGKILL every process in the group ``pgid`` (a kernel and what it started)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(pgid, signal.SIGKILL)
        else:  # Windows: no process groups
            os.kill(pgid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass  # already gone


def kill_process(pid):
    """SIGKILL one process, if it is still there."""
    try:
        os.kill(pid, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass


class RunLocked(RuntimeError):
    def __init__(self, folder, holder):
        who = f"pid {holder}" if holder else "another process"
        super().__init__(
            f"another run ({who}) is executing notebooks into {folder}; wait for it to "
            f"finish{f', or stop it with `kill {holder}`' if holder else ''}")


class RunLock:
    """``<folder>/.run.lock`` names the run writing into ``folder``; a second run refuses
    (:class:`RunLocked`). The lock is the operating system's (flock), so it ends with its
    holder: the file a killed run left behind is taken over."""

    def __init__(self, folder):
        self.folder = folder
        self.path = os.path.join(folder, LOCK_NAME)
        self._fd = None

    def __enter__(self):
        os.makedirs(self.folder, exist_ok=True)
        while self._fd is None:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                holder = _read_pid(fd)
                os.close(fd)
                raise RunLocked(self.folder, holder)
            if _same_file(fd, self.path):
                self._fd = fd
            else:  # its holder removed it between our open and our lock: take the new one
                os.close(fd)
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"{os.getpid()}\n".encode())
        return self

    def __exit__(self, *exc):
        try:
            os.unlink(self.path)  # before closing, so no one locks a file on its way out
        except PermissionError:  # Windows removes no open file
            os.close(self._fd)
            os.unlink(self.path)
        else:
            os.close(self._fd)
        self._fd = None


def _try_lock(fd):
    try:
        import fcntl
    except ImportError:  # Windows: lock one byte far past the pid, which stays readable
        import msvcrt

        os.lseek(fd, 1 << 20, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _read_pid(fd):
    text = os.pread(fd, 64, 0) if hasattr(os, "pread") else os.read(fd, 64)
    first = text.decode(errors="replace").strip()
    return int(first) if first.isdigit() else None


def _same_file(fd, path):
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


class ProcessLog:
    """``<folder>/.run-processes``: one line ``role pid`` per process the last run started
    (zygote, forkserver, worker, kernel; a kernel's pid is also its process group), so that
    a test, or a person, can check that none of them outlived the run."""

    def __init__(self, folder):
        self.path = os.path.join(folder, PROCESS_LOG_NAME)
        self._seen = set()
        with open(self.path, "w", encoding="utf-8") as log:
            log.write(f"runner {os.getpid()}\n")

    def add(self, role, pid):
        if pid is None or (role, pid) in self._seen:
            return
        self._seen.add((role, pid))
        with open(self.path, "a", encoding="utf-8") as log:
            log.write(f"{role} {pid}\n")


def read_process_log(folder):
    """``[(role, pid), ...]`` from the last run's :class:`ProcessLog`."""
    with open(os.path.join(folder, PROCESS_LOG_NAME), encoding="utf-8") as log:
        return [(role, int(pid)) for role, pid in (line.split() for line in log if line.strip())]
