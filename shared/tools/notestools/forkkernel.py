"""Start Jupyter kernels by forking a process that has already imported torch.

A fresh kernel spends about 7 s of CPU on imports before a notebook's first line runs
(torch 2.8 s, torchvision 2.8 s, pandas, matplotlib, ipykernel), and the book's notebooks are
short: for 13 of them that is most of the suite. A *zygote* imports all that once and then
forks one child per kernel; the child is an ordinary ipykernel with its own process, session
and environment, so notebooks cannot tell the difference except that they start at once.

Used by ``make run``/``make test``/``make bench`` through the ``d2lnotes-fork`` kernelspec
in ``notestools/jupyter/kernels`` (its ``kernel_provisioner`` is :class:`ForkingProvisioner`,
registered as a ``jupyter_client.kernel_provisioners`` entry point). JupyterLab keeps the plain
``python3`` kernel.

The zygote lives as long as the process that started it (its stdin is a pipe from that
process), in a session of its own (the terminal's Ctrl-C is for that process), and its kernels
as long as the zygote. Processes started later by that process find the zygote through
``D2L_KERNEL_ZYGOTE``. ``D2L_ZYGOTE_PRELOAD=module,module`` replaces :data:`PRELOAD` (the
tests of notebooks that need no torch start their zygote at once with it).
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

ZYGOTE_ENV = "D2L_KERNEL_ZYGOTE"
PRELOAD_ENV = "D2L_ZYGOTE_PRELOAD"
# What the notebooks import, heaviest first; a module missing here is simply not preloaded.
# ipykernel itself is left out (0.1 s): its options read the environment when it is imported.
PRELOAD = ("torch", "torchvision", "numpy", "pandas", "matplotlib", "matplotlib.pyplot",
           # what the first SVG figure imports (make bench: the first epoch's extra cost)
           "matplotlib.backends.backend_svg", "matplotlib.backends.backend_mixed",
           "IPython", "d2lnotes")
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
_MAX_MESSAGE = 1 << 20
_START_TIMEOUT = 120  # seconds for the zygote's imports on a slow, busy machine


# ----------------------------------------------------------------------------- zygote side

def _send(conn, message):
    conn.sendall(json.dumps(message).encode() + b"\n")


def _recv_message(conn, buf):
    """Read into ``buf`` (a bytearray, kept across calls) up to the newline that ends a
    message and return the message; None if the peer closed first. A non-blocking socket
    with nothing to read raises BlockingIOError and keeps what came so far in ``buf``."""
    while not buf.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            return None
        buf += chunk
    return json.loads(buf)


def _become_kernel(request, fds, closing, ready):
    """In the forked child: take the request's stdio, environment and directory, then run
    ``python -m <module> <args>`` exactly as a fresh interpreter would. Never returns."""
    code = 1
    try:
        os.setsid()  # its own process group, as jupyter_client gives kernels (interrupts)
        os.close(ready)  # the zygote may now report our pid, which is also our group's id
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.set_wakeup_fd(-1)
        for obj in closing:  # the zygote's sockets and pipes are none of the kernel's business
            obj.close() if hasattr(obj, "close") else os.close(obj)
        for target, fd in enumerate(fds):  # fd 0 was the zygote's lifeline
            os.dup2(fd, target)
        for fd in set(fds) - {0, 1, 2}:
            os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # exit when the zygote does
        os.chdir(request["cwd"])
        sys.path[0] = os.getcwd()  # as `python -m` sets it
        _reseed()
        _apply_thread_settings()
        _, _, module, *args = request["argv"]
        sys.argv = [module, *args]
        import runpy

        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        # What a normal interpreter exit does (IPython saves its history there), without
        # unwinding into the zygote's loop: os._exit, never a SystemExit out of here.
        import atexit

        try:
            atexit._run_exitfuncs()
        except BaseException:
            pass
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


def _reseed():
    """A forked child would otherwise share the zygote's random state with every sibling."""
    import random

    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    if "torch" in sys.modules:  # a fresh interpreter starts torch from its fixed default seed
        sys.modules["torch"].manual_seed(sys.modules["torch"].initial_seed())


def _apply_thread_settings():
    """torch read the thread variables when the zygote imported it (without them, see
    serve); a kernel started with OMP_NUM_THREADS=1 must still compute on one thread."""
    torch = sys.modules.get("torch")
    for var in THREAD_VARS:
        value = os.environ.get(var, "")
        if torch is not None and value.isdigit() and int(value) > 0:
            torch.set_num_threads(int(value))
            return


def _check_argv(argv):
    python = os.path.realpath(sys.executable)
    if len(argv) < 3 or argv[1] != "-m":
        return f"the zygote runs `python -m module ...` kernels only, not {argv!r}"
    if os.path.realpath(argv[0]) != python:
        return f"the kernel's interpreter {argv[0]} is not the zygote's {sys.executable}"
    return None


def serve(path, preload=PRELOAD):
    """Import ``preload``, listen on the Unix socket ``path`` and fork kernels on request
    until stdin (the lifeline from the process that started us) closes."""
    _prepare(preload)
    server = _Server(path)
    try:
        server.loop()
    finally:  # kernels still running have lost their host: kill them and their children
        server.shut_down()


def _prepare(preload):
    """Set up this process as each kernel should start from it, and import ``preload``."""
    import importlib

    # The zygote ends when its lifeline closes. It sits in a session of its own, away from
    # the terminal's Ctrl-C; SIGTERM ends it as the lifeline does (kernels killed).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    # What ipykernel would set: matplotlib reads it once, when it is imported here.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for var in THREAD_VARS:  # torch keeps its default; each kernel applies its own
        os.environ.pop(var, None)
    for name in preload:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


class _Server:
    """The zygote's loop: accept fork requests, report each kernel's exit to its requester."""

    def __init__(self, path):
        import selectors

        self.path = path
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path + ".tmp")
        self.listener.listen(16)
        os.rename(path + ".tmp", path)  # appears only when ready to fork
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so the wakeup fd hears it
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(self.wake_r, selectors.EVENT_READ, "child")
        self.selector.register(sys.stdin, selectors.EVENT_READ, "lifeline")
        self.waiting = {}  # pid -> connection that hears its exit

    def loop(self):
        while True:
            for key, _ in self.selector.select():
                if key.data == "accept":
                    self.accept()
                elif key.data == "child":
                    os.read(self.wake_r, 4096)
                    self.reap()
                elif not sys.stdin.buffer.read1(1):
                    return

    def accept(self):
        conn, _ = self.listener.accept()
        try:
            self.spawn(conn)
        except (OSError, ValueError, KeyError) as err:
            try:
                _send(conn, {"error": f"{type(err).__name__}: {err}"})
            except OSError:
                pass
            conn.close()

    def reap(self):
        while self.waiting:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.waiting.pop(pid, None)
            if conn is not None:
                try:
                    _send(conn, {"exit": os.waitstatus_to_exitcode(status),
                                 "maxrss_kb": usage.ru_maxrss})
                except OSError:
                    pass
                conn.close()

    def spawn(self, conn):
        msg, fds, _, _ = socket.recv_fds(conn, _MAX_MESSAGE, 3)
        request = _recv_message(conn, bytearray(msg))  # a long request may come in pieces
        if request is None:
            raise ValueError("the request ended early")
        error = _check_argv(request["argv"]) or (None if len(fds) == 3 else "expected 3 fds")
        if error:
            _send(conn, {"error": error})
            return conn.close()
        ready_r, ready_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            _become_kernel(request, fds, [self.listener, self.selector, conn,
                                          *self.waiting.values(), self.wake_r, self.wake_w],
                           ready_w)
        os.close(ready_w)
        for fd in fds:
            os.close(fd)
        os.read(ready_r, 1)  # EOF once the child has called setsid()
        os.close(ready_r)
        self.waiting[pid] = conn
        _send(conn, {"pid": pid})

    def shut_down(self):
        for pid in self.waiting:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        # The socket and its folder: the host removes them too, unless it was killed first.
        for remove, path in ((os.unlink, self.path), (os.rmdir, os.path.dirname(self.path))):
            try:
                remove(path)
            except OSError:
                pass


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


# ----------------------------------------------------------------------------- host side

class ForkedKernel:
    """The part of :class:`subprocess.Popen` that jupyter_client uses, for a kernel the
    zygote forked: the zygote reports its exit on our connection."""

    stdin = stdout = stderr = None

    def __init__(self, pid, conn):
        self.pid, self._conn, self._buf = pid, conn, bytearray()
        self.returncode = self.maxrss_kb = None

    def _finish(self, block):
        if self.returncode is not None:
            return self.returncode
        self._conn.setblocking(block)
        try:
            msg = _recv_message(self._conn, self._buf) or {}  # {}: the zygote died first
        except BlockingIOError:
            return None
        self._conn.close()
        self.returncode = msg.get("exit", -signal.SIGKILL)
        self.maxrss_kb = msg.get("maxrss_kb")  # its peak RSS, as the zygote saw it
        return self.returncode

    def poll(self):
        return self._finish(block=False)

    def wait(self):  # jupyter_client waits only after poll() saw the exit
        return self._finish(block=True)

    def send_signal(self, signum):
        if self.returncode is None:
            os.kill(self.pid, signum)

    def terminate(self):
        self.send_signal(signal.SIGTERM)

    def kill(self):
        self.send_signal(signal.SIGKILL)


class Zygote:
    """The host's handle on a zygote: starts one, or joins the one named in the environment."""

    _current = None

    def __init__(self, path, process=None):
        self.path, self.process = path, process

    @classmethod
    def _live(cls):
        """This process's zygote if it is still running, else None."""
        current = cls._current
        return current if current is not None and current.alive() else None

    @classmethod
    def get(cls):
        """This process's zygote: the running one, one a parent process started (named in
        the environment), or a new one."""
        if cls._live() is None:
            if cls._current is not None:
                cls._current.close()  # a dead one: tidy its folder away
            path = os.environ.get(ZYGOTE_ENV)
            if path and os.path.exists(path):
                cls._current = cls(path)
            else:
                cls._current = cls.start()
        return cls._current

    @classmethod
    @contextlib.contextmanager
    def shared(cls, wait=True):
        """The zygote this process already uses, or one started for the ``with`` block."""
        current = cls._live()
        if current is not None:
            yield current
            return
        zygote = cls.start(wait=wait)
        try:
            yield zygote
        finally:
            zygote.close()

    def alive(self):
        return os.path.exists(self.path) and (self.process is None or self.process.poll() is None)

    @classmethod
    def start(cls, wait=True, preload=None):
        """Start a zygote for this process (and, through the environment, its children).
        With ``wait=False`` it imports in the background until :meth:`wait_ready`."""
        if not (hasattr(os, "fork") and hasattr(socket, "send_fds")):
            raise RuntimeError("d2lnotes-fork kernels need os.fork and Unix sockets (Linux); "
                               "use the python3 kernel here (make run KERNEL=python3)")
        folder = tempfile.mkdtemp(prefix="d2lnotes-zygote-")
        path = os.path.join(folder, "socket")
        argv = [sys.executable, "-m", __name__, path]
        if preload is None and PRELOAD_ENV in os.environ:
            preload = os.environ[PRELOAD_ENV].split(",")
        if preload is not None:  # what to import, instead of PRELOAD
            argv.append(",".join(preload))
        # A session of its own: the terminal's Ctrl-C is for the host, which closes it.
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, start_new_session=True)
        zygote = cls(path, process)
        return zygote.wait_ready() if wait else zygote

    def wait_ready(self, timeout=_START_TIMEOUT):
        """Block until the zygote listens. The first zygote a process starts is the one
        :meth:`get` returns, there and (through the environment) in its child processes."""
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.path):
            problem = None
            if self.process is None:
                problem = f"no kernel zygote is listening at {self.path}"
            elif self.process.poll() is not None:
                problem = (f"the kernel zygote exited with status {self.process.returncode} "
                           "while importing; its error is printed above")
            elif time.monotonic() > deadline:
                problem = f"the kernel zygote was not ready after {timeout} s"
            if problem:
                self.close()
                raise RuntimeError(problem)
            time.sleep(0.05)
        if self.process is not None and Zygote._live() is None:
            os.environ[ZYGOTE_ENV] = self.path  # the first one started serves this process
            Zygote._current = self
        return self

    def close(self):
        """Close the lifeline: the zygote exits, and its kernels with it."""
        if self.process is not None and self.process.stdin is not None:
            importing = not os.path.exists(self.path)
            self.process.stdin.close()
            if importing:  # it reads the lifeline only once ready, and has no kernel yet
                self.process.kill()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            for leftover in (self.path + ".tmp", self.path):
                if os.path.exists(leftover):
                    os.unlink(leftover)
            with contextlib.suppress(FileNotFoundError):  # the zygote removed it on its way out
                os.rmdir(os.path.dirname(self.path))
        if Zygote._current is self:
            Zygote._current = None
            if os.environ.get(ZYGOTE_ENV) == self.path:
                del os.environ[ZYGOTE_ENV]

    def spawn(self, argv, env, cwd, fds):
        """Fork a kernel that runs ``argv`` (``python -m module ...``) in ``cwd`` with
        ``env`` and the file descriptors ``fds`` as its stdin, stdout and stderr."""
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(self.path)
        request = {"argv": list(argv), "env": dict(env), "cwd": str(cwd)}
        socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], fds)
        reply = _recv_message(conn, bytearray()) or {"error": "the zygote closed the connection"}
        if "error" in reply:
            conn.close()
            raise RuntimeError(f"the kernel zygote could not start {argv!r}: {reply['error']}")
        return ForkedKernel(reply["pid"], conn)


def _fileno(stream, default):
    if stream is None:
        return default
    return stream if isinstance(stream, int) else stream.fileno()


def _make_provisioner():
    from jupyter_client.provisioning import LocalProvisioner

    class ForkingProvisioner(LocalProvisioner):
        """LocalProvisioner whose kernels are forked by the zygote instead of exec'd."""

        async def launch_kernel(self, cmd, **kwargs):
            env = kwargs.get("env") or dict(os.environ)
            cwd = kwargs.get("cwd") or os.getcwd()
            with open(os.devnull, "rb") as devnull:
                fds = [_fileno(kwargs.get("stdin"), devnull.fileno()),
                       _fileno(kwargs.get("stdout"), sys.__stdout__.fileno()),
                       _fileno(kwargs.get("stderr"), sys.__stderr__.fileno())]
                self.process = Zygote.get().spawn(cmd, env, cwd, fds)
            self.pid = self.pgid = self.process.pid  # the child called setsid()
            self.cwd = cwd
            return self.connection_info

    return ForkingProvisioner


def __getattr__(name):  # jupyter_client is imported only when a provisioner is wanted
    if name == "ForkingProvisioner":
        globals()[name] = _make_provisioner()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _main(argv):
    """python -m notestools.forkkernel SOCKET [MODULE,MODULE,...]"""
    code = 0
    try:
        if len(argv) > 2:
            serve(argv[1], [name for name in argv[2].split(",") if name])
        else:
            serve(argv[1])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    # Without tearing down torch and the rest (seconds on a busy machine): the host is
    # waiting, and the zygote has nothing left to save.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _main(sys.argv)
