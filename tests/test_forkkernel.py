"""The forking kernel provisioner: kernels forked from a preloaded zygote must behave like
freshly started ones (environment, directory, threads, process group, signals, exit)."""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT
from jupyter_client.manager import start_new_kernel

from notestools import forkkernel
from notestools.notebooks import FORK_KERNEL, use_project_kernels

LINUX_ONLY = pytest.mark.skipif(sys.platform != "linux",
                                reason="forked kernels need os.fork and Unix sockets (Linux)")

PROBE = """\
import json, os, random, sys
import torch

print(json.dumps({"pid": os.getpid(), "pgid": os.getpgid(0), "ppid": os.getppid(),
                  "cwd": os.getcwd(), "path0": sys.path[0], "argv": sys.argv[1:],
                  "env": os.environ.get("PROBE_VALUE"), "threads": torch.get_num_threads(),
                  "parent": os.environ.get("JPY_PARENT_PID"), "random": random.random(),
                  "preloaded": "torchvision" in sys.modules,
                  "fds": sorted(int(fd) for fd in os.listdir("/proc/self/fd"))}))
sys.exit(int(os.environ.get("PROBE_EXIT", "0")))
"""


def _probe(zygote, tmp_path, **env):
    (tmp_path / "probe.py").write_text(PROBE)
    out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}.txt"
    with open(out, "wb") as stdout, open(os.devnull, "rb") as stdin:
        kernel = zygote.spawn([sys.executable, "-m", "probe", "--flag"],
                              {**os.environ, **env}, tmp_path,
                              [stdin.fileno(), stdout.fileno(), sys.__stderr__.fileno()])
    code = kernel.wait()
    return kernel, code, json.loads(out.read_text())


def test_forked_process_gets_the_requested_environment_directory_and_threads(fork_zygote, tmp_path):
    zygote = fork_zygote
    kernel, code, seen = _probe(zygote, tmp_path, PROBE_VALUE="hello", OMP_NUM_THREADS="1")
    assert code == 0 and kernel.returncode == 0
    assert seen["pid"] == kernel.pid and seen["pgid"] == kernel.pid  # own process group
    assert seen["ppid"] == int(seen["parent"]) != os.getpid()  # dies with the zygote
    assert seen["cwd"] == seen["path0"] == str(tmp_path)  # as `python -m probe` run there
    assert seen["argv"] == ["--flag"] and seen["env"] == "hello"
    assert seen["threads"] == 1
    assert seen["preloaded"]  # imported by the zygote, not by the probe
    # stdio, plus what listing /proc/self/fd and importing open: none of the zygote's sockets
    assert len([fd for fd in seen["fds"] if fd > 2]) <= 3, seen["fds"]
    assert kernel.maxrss_kb > 50_000  # torch is loaded: the zygote reports the peak RSS


def test_siblings_do_not_share_random_state_and_exit_codes_come_back(fork_zygote, tmp_path):
    zygote = fork_zygote
    _, code_a, a = _probe(zygote, tmp_path, PROBE_EXIT="3")
    _, code_b, b = _probe(zygote, tmp_path, OMP_NUM_THREADS="2")
    assert (code_a, code_b) == (3, 0)
    assert a["random"] != b["random"]
    assert b["threads"] == 2


def test_another_interpreter_is_refused_with_a_reason(fork_zygote, tmp_path):
    zygote = fork_zygote
    with pytest.raises(RuntimeError, match="not the zygote's"):
        zygote.spawn(["/usr/bin/env", "-m", "probe"], dict(os.environ), tmp_path, [0, 1, 2])
    with pytest.raises(RuntimeError, match="python -m module"):
        zygote.spawn([sys.executable, "probe.py"], dict(os.environ), tmp_path, [0, 1, 2])


@LINUX_ONLY
def test_closing_the_lifeline_ends_the_zygote_and_its_kernels(tmp_path):
    zygote = forkkernel.Zygote.start(preload=())  # nothing to import: starts at once
    (tmp_path / "sleeper.py").write_text("import time\ntime.sleep(60)\n")
    kernel = zygote.spawn([sys.executable, "-m", "sleeper"], dict(os.environ), tmp_path,
                          [0, 1, 2])
    assert kernel.poll() is None
    zygote.close()
    assert zygote.process.returncode == 0 and not os.path.exists(zygote.path)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(kernel.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the kernel outlived its zygote")
    assert os.environ.get(forkkernel.ZYGOTE_ENV) != zygote.path
    assert not os.path.exists(os.path.dirname(zygote.path))


@LINUX_ONLY
def test_a_zygote_whose_host_was_killed_leaves_no_folder_behind():
    """A host killed (SIGKILL: no close()) closes the lifeline all the same; the zygote
    removes its socket and the temporary folder that held it."""
    host = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from notestools import forkkernel; "
        "z = forkkernel.Zygote.start(preload=()); print(z.path, z.process.pid, flush=True); "
        "time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    path, pid = host.stdout.readline().split()
    assert os.path.exists(path)
    host.kill()
    host.wait()
    deadline = time.monotonic() + 20  # a busy machine
    while (os.path.exists(os.path.dirname(path)) or alive(int(pid))) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(os.path.dirname(path)), "the zygote's folder was left behind"
    assert not alive(int(pid)), "the zygote outlived its host"


def alive(pid):
    """Whether ``pid`` runs (an exited orphan may stay a zombie until init reaps it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@LINUX_ONLY
def test_a_zygote_sits_apart_from_ctrl_c_and_is_stopped_at_once_while_importing(
        tmp_path, monkeypatch):
    (tmp_path / "slow_to_import.py").write_text("import time\ntime.sleep(60)\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    zygote = forkkernel.Zygote.start(wait=False, preload=("slow_to_import",))
    time.sleep(0.5)
    assert os.getsid(zygote.process.pid) == zygote.process.pid  # the terminal's SIGINT
    start = time.monotonic()                                    # does not reach it
    zygote.close()
    assert time.monotonic() - start < 2 and zygote.process.returncode is not None


@LINUX_ONLY
def test_a_zygote_that_cannot_start_says_so_and_leaves_nothing(monkeypatch):
    folders = os.path.join(tempfile.gettempdir(), "d2lnotes-zygote-*")
    before = set(glob.glob(folders))
    monkeypatch.setattr(forkkernel.sys, "executable", "/bin/false")
    with pytest.raises(RuntimeError, match="exited with status 1"):
        forkkernel.Zygote.start()
    assert set(glob.glob(folders)) <= before  # its socket folder is removed


# --------------------------------------------------------------- a real Jupyter kernel

@pytest.fixture
def fork_kernel(monkeypatch, tmp_path):
    if sys.platform != "linux":
        pytest.skip("forked kernels are Linux-only (python3 kernels elsewhere)")
    use_project_kernels()
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    km, kc = start_new_kernel(kernel_name=FORK_KERNEL, cwd=str(tmp_path))
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def _run(kc, code, timeout=60):
    outputs = []
    reply = kc.execute_interactive(textwrap.dedent(code), timeout=timeout,
                                   output_hook=outputs.append)
    return reply["content"], outputs


def _text(outputs):
    return "".join(o["content"].get("text", "") for o in outputs
                   if o["msg_type"] == "stream")


def test_kernelspec_is_found_and_uses_the_provisioner(fork_kernel):
    km, _ = fork_kernel
    assert km.kernel_spec.metadata["kernel_provisioner"]["provisioner_name"] == FORK_KERNEL
    assert type(km.provisioner).__name__ == "ForkingProvisioner"


def test_kernel_runs_code_shows_figures_and_keeps_its_settings(fork_kernel, tmp_path):
    km, kc = fork_kernel
    reply, outputs = _run(kc, """\
        import os, sys, torch
        import matplotlib.pyplot as plt
        plt.plot([1, 2, 3])
        plt.show()
        print(os.getcwd(), torch.get_num_threads(), os.getpid())
        """)
    assert reply["status"] == "ok"
    assert any("image/png" in o["content"].get("data", {}) for o in outputs
               if o["msg_type"] == "display_data")  # the inline backend, as in Lab
    cwd, threads, pid = _text(outputs).split()
    assert cwd == str(tmp_path) and threads == "1"
    assert int(pid) == km.provisioner.pid


def test_kernel_can_be_interrupted_and_restarted(fork_kernel):
    km, kc = fork_kernel
    msg_id = kc.execute("import time; print('sleeping', flush=True); time.sleep(30)")
    while True:  # interrupt only once the cell runs (an idle kernel ignores SIGINT)
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
            break
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=10)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=10)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    old_pid = km.provisioner.pid
    km.restart_kernel(now=True)
    kc.wait_for_ready(timeout=30)
    reply, outputs = _run(kc, "import os; print(os.getpid())")
    assert reply["status"] == "ok" and int(_text(outputs)) != old_pid
    with pytest.raises(ProcessLookupError):
        os.kill(old_pid, 0)


def test_make_uses_the_fork_kernel_on_linux():
    """`make run`/`make test` leave the kernel to `python -m notestools`, whose default is the
    forking kernel on Linux only; the pytest it starts finds the project's kernelspec."""
    from notestools import cli

    if shutil.which("make"):
        dry_run = subprocess.run(["make", "-n", "test", "run", "--always-make"], cwd=ROOT,
                                 capture_output=True, text=True, check=True).stdout
        assert "-m notestools test" in dry_run and "-m notestools run" in dry_run
        assert "--kernel" not in dry_run
    args = cli.build_parser().parse_args(["test"])
    expected = FORK_KERNEL if sys.platform == "linux" else "python3"
    command = cli.pytest_command(args)
    assert command[command.index("--nbval-kernel-name") + 1] == expected
    assert cli.pytest_environment(args, {})["JUPYTER_PATH"] == \
        str(ROOT / "shared" / "tools" / "notestools" / "jupyter")


@LINUX_ONLY
def test_zygote_module_runs_standalone_and_exits_on_eof(tmp_path):
    path = str(tmp_path / "socket")
    proc = subprocess.Popen([sys.executable, "-m", "notestools.forkkernel", path, "json"],
                            stdin=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.path.exists(path)
    proc.stdin.close()
    assert proc.wait(timeout=10) == 0
    assert not os.path.exists(path)
