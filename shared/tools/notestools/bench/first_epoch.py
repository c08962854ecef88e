"""The fast path's first epoch against its later ones, in kernels forked from a zygote.

A notebook's first training epoch pays for what PyTorch, matplotlib and IPython do only
once: modules imported on first use, the first render of a figure, first calls. Here a
kernel forked from a zygote (exactly as ``make run`` starts one) runs, as one cell, 3.7's
fast path from a cold start (``variants.fast``: load the data, build the model,
``train_ch3``), its epochs timed from outside ``train_ch3``.

Two zygotes take turns: one preloads what ``make run``'s preloads (``forkkernel.PRELOAD``),
the other also the modules that the first epoch imported in the first run: the candidates
for that list, measured with and without. The first is this process's own zygote where it
has one that imported PRELOAD (``make test``'s session zygote; a zygote's kernels start the
same whichever it is), else one started for the comparison.
"""

import contextlib
import json
import os
import sys
import tempfile
import time

from .interleaved import summarise

MARK = "D2LNOTES-BENCH-RESULT "
CELL = """\
%matplotlib inline
import json
from notestools.bench.variants import fast
print({mark!r} + json.dumps(fast({epochs}, {batch_size}, {lr}, {seed}, {device!r}, {examples!r})))
"""
WITHOUT, WITH = "PRELOAD", "PRELOAD + first-epoch imports"  # what each zygote preloads
KERNEL_TIMEOUT = 900  # seconds for the cell: 10 epochs on a slow, busy machine


def _stop(client, kernel):
    """Ask the kernel to exit, then make sure it has."""
    try:
        client.shutdown()
    finally:
        client.stop_channels()
    deadline = time.monotonic() + 10
    while kernel.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if kernel.poll() is None:
        kernel.kill()
        kernel.wait()


def _client_of(kernel, connection_file):
    """A client that knows the kernel alive while its process is: jupyter_client's own,
    without a kernel manager, asks the heartbeat, and one beat missed for a second (a busy
    machine) reads as a dead kernel."""
    from jupyter_client import BlockingKernelClient

    class ForkedKernelClient(BlockingKernelClient):
        def is_alive(self):
            return kernel.poll() is None

        async def _async_is_alive(self):  # what wait_for_ready asks
            return self.is_alive()

    client = ForkedKernelClient(connection_file=connection_file)
    client.load_connection_file()
    return client


def kernel_run(zygote, cell, env, folder):
    """Run ``cell`` in a kernel that ``zygote`` forks; return what it printed after MARK
    (a dict), or ``{"error": ...}`` with its traceback."""
    from jupyter_client.connect import write_connection_file

    connection_file, _ = write_connection_file(os.path.join(folder, "kernel.json"))
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file]
    log_path = os.path.join(folder, "kernel.log")
    with open(os.devnull, "rb") as stdin, open(log_path, "wb") as log:
        kernel = zygote.spawn(argv, env, folder, [stdin.fileno(), log.fileno(), log.fileno()])
    client = _client_of(kernel, connection_file)
    client.start_channels()
    printed, errors = [], []

    def collect(msg):
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            errors.append("\n".join(msg["content"]["traceback"]))

    try:
        client.wait_for_ready(timeout=120)
        client.execute_interactive(cell, output_hook=collect, timeout=KERNEL_TIMEOUT)
    except (RuntimeError, TimeoutError) as err:
        errors.append(f"{type(err).__name__}: {err}")
    finally:
        _stop(client, kernel)
    for line in "".join(printed).splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    with open(log_path, encoding="utf-8", errors="replace") as f:
        return {"error": "\n".join(errors) + "\n" + f.read()[-2000:]}


def kernel_env(threads):
    env = dict(os.environ)
    if threads:
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    return env


def _timed_run(zygote, label, cell, threads, device):
    with tempfile.TemporaryDirectory(prefix="d2lnotes-bench-kernel-") as folder:
        r = kernel_run(zygote, cell, kernel_env(threads), folder)
    said = r.get("error") or (f"epochs {r['epoch_seconds'][0]:.2f} s first, "
                              f"{', '.join(f'{s:.2f}' for s in r['epoch_seconds'][1:4])} ... "
                              f"then; imported on the way: {r['first_epoch_imports']}")
    print(f"  [{device}] kernel, {label}: {said}", flush=True)
    return r


def _preload_zygote(stack):
    """A zygote that imported PRELOAD: this process's own (without D2L_ZYGOTE_PRELOAD it
    imported exactly that), else one started here and closed with ``stack``."""
    from ..forkkernel import PRELOAD, PRELOAD_ENV, Zygote

    if PRELOAD_ENV not in os.environ:
        return stack.enter_context(Zygote.shared())
    return stack.enter_context(contextlib.closing(Zygote.start(preload=PRELOAD)))


def compare(cfg, reps, threads=None):
    """``reps`` cold runs in forked kernels with ``forkkernel.PRELOAD`` and with PRELOAD +
    what the first epoch imported, alternating; summaries of both."""
    from ..forkkernel import PRELOAD, Zygote

    cell = CELL.format(mark=MARK, examples=cfg.get("examples"),
                       **{k: cfg[k] for k in ("epochs", "batch_size", "lr", "seed", "device")})
    runs = {WITHOUT: [], WITH: []}
    with contextlib.ExitStack() as stack:
        zygotes = [_preload_zygote(stack)]
        first = _timed_run(zygotes[0], WITHOUT, cell, threads, cfg["device"])
        runs[WITHOUT].append(first)
        extra = [m for m in first.get("first_epoch_imports", []) if m not in PRELOAD]
        if extra:
            zygotes.append(stack.enter_context(contextlib.closing(
                Zygote.start(preload=list(PRELOAD) + extra))))
        for rep in range(reps):
            if rep:
                runs[WITHOUT].append(_timed_run(zygotes[0], WITHOUT, cell, threads,
                                                cfg["device"]))
            if extra:
                runs[WITH].append(_timed_run(zygotes[1], WITH, cell, threads,
                                             cfg["device"]))
    out = {"preload": list(PRELOAD), "extra_preload": extra, "variants": {}}
    out["variants"] = {label: summarise(rs) for label, rs in runs.items() if rs}
    return out
