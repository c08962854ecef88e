"""Benchmark: the fast training path against the book's pipeline, and the whole suite.

    python shared/tools/bench.py [--quick] [--device cpu --device cuda] [--pattern 3.7]

Measures, in one run, for each device (cpu, plus cuda when CUDA is available):

1. **Training side by side**: section 3.7's model (Flatten + Linear(784, 10), cross-entropy,
   SGD lr 0.1, batch 256) trained with ``d2l.train_ch3`` for 10 epochs, with (A) the
   in-memory loader ``load_data_fashion_mnist`` and (B) the book's DataLoader + ToTensor
   pipeline with ``get_dataloader_workers()`` workers; same seed and initial weights, runs
   interleaved A B A B ..., median seconds of each, the ratio B/A and the final test
   accuracy of both (they must agree within 0.01).
2. **The suite**: every notebook in chapters/ executed headless as ``make run`` does
   (``run_notebooks.run``: papermill, one kernel per core), each notebook's wall seconds
   and its kernel's peak RSS, and the total wall time; once with the kernels `make run`
   uses (forked from a zygote that imported torch once) and once with kernels started from
   scratch, for their ratio.

``--quick`` trains 1 epoch, one run each, and executes only the notebooks matching
``--pattern`` (default ``2.1``): the tests run it so the benchmark never rots.
Results go to build/bench.json; a markdown table is printed.
"""

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

from . import run_notebooks
from .notebooks import (
    BUILD,
    CHAPTERS,
    DEFAULT_KERNEL,
    FORK_KERNEL,
    source_notebooks,
)

# A and B see the same minibatches (see train_once), so their final test accuracies
# must agree: up to float rounding, they are the same computation.
ACC_TOLERANCE = 0.01
PIPELINES = ("in_memory", "classic")


# --------------------------------------------------------------------------- machine

def cpu_model():
    """The processor's marketing name, from /proc/cpuinfo where there is one."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info():
    import torch

    info = {"cpu_model": cpu_model(), "cores": os.cpu_count(),
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "platform": platform.platform()}
    if hasattr(os, "getloadavg"):
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    if torch.cuda.is_available():
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return info


def device_label(device):
    import torch

    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    return f"{device} ({cpu_model()}, {os.cpu_count()} cores)"


def default_devices():
    import torch

    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


# --------------------------------------------------------------------------- training

def softmax_regression(seed, device):
    """Section 3.7's model with its initialization, the same for every run of a seed."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))

    def init_weights(m):
        if type(m) is nn.Linear:
            nn.init.normal_(m.weight, std=0.01)

    net.apply(init_weights)
    return net.to(device)


class SameOrderAsTensorBatches:
    """A DataLoader sampler that shuffles like TensorBatches: each epoch one
    ``torch.randperm(n)``, drawn from its own generator seeded as A seeds torch's global
    one (the loader's worker seeds come from the global generator: it must not share it)."""

    def __init__(self, n, seed):
        import torch

        self.n, self.generator = n, torch.Generator().manual_seed(seed)

    def __len__(self):
        return self.n

    def __iter__(self):
        import torch

        return iter(torch.randperm(self.n, generator=self.generator).tolist())


def train_once(pipeline, device, epochs, batch_size, lr, seed, workers):
    """Train 3.7's model once with one pipeline; return seconds and final metrics."""
    import torch
    from torch import nn
    from torch.utils import data

    import d2lnotes as d2l

    start = time.perf_counter()
    if pipeline == "in_memory":
        # On a GPU the whole dataset moves there once; batches never cross the bus.
        train_iter, test_iter = d2l.load_data_fashion_mnist(
            batch_size, device=device if device.type != "cpu" else None)
    else:
        train_iter, test_iter = d2l.load_data_fashion_mnist_classic(batch_size,
                                                                   num_workers=workers)
        # The same minibatches as A, so that both must reach the same accuracy and any
        # difference is the pipeline's, not the shuffle's: the book's loader, with a
        # sampler that orders each epoch as TensorBatches does (one torch.randperm).
        train_iter = data.DataLoader(train_iter.dataset, batch_size,
                                     sampler=SameOrderAsTensorBatches(len(train_iter.dataset),
                                                                      seed),
                                     num_workers=train_iter.num_workers)
    load_seconds = time.perf_counter() - start

    net = softmax_regression(seed, device)
    torch.manual_seed(seed)  # A's shuffling stream, the same as B's sampler generator
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    log = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(log), warnings.catch_warnings():
        # one epoch (--quick) gives the curve's x axis a single point: matplotlib warns
        warnings.filterwarnings("ignore", "Attempting to set identical", UserWarning)
        result = d2l.train_ch3(net, train_iter, test_iter, loss, epochs, trainer)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 3), "load_seconds": round(load_seconds, 3),
            "train_loss": round(result["train_loss"], 4),
            "train_acc": round(result["train_acc"], 4),
            "test_acc": round(result["test_acc"], 4)}


def compare_training(device, epochs, reps, batch_size, lr, seed, workers):
    """A (in-memory) and B (classic) interleaved, ``reps`` runs each."""
    runs = {p: [] for p in PIPELINES}
    for rep in range(reps):
        for pipeline in PIPELINES:
            r = train_once(pipeline, device, epochs, batch_size, lr, seed, workers)
            runs[pipeline].append(r)
            print(f"  [{device}] run {rep + 1}/{reps} {pipeline:9s} {r['seconds']:7.2f} s  "
                  f"test acc {r['test_acc']:.4f}", flush=True)
    out = {}
    for pipeline, rs in runs.items():
        out[pipeline] = {"seconds": [r["seconds"] for r in rs],
                         "median_seconds": round(statistics.median(r["seconds"] for r in rs), 3),
                         "load_seconds": statistics.median(r["load_seconds"] for r in rs),
                         "test_acc": statistics.median(r["test_acc"] for r in rs),
                         "train_acc": statistics.median(r["train_acc"] for r in rs),
                         "train_loss": statistics.median(r["train_loss"] for r in rs),
                         "runs": rs}
    out["classic"]["workers"] = workers
    a, b = out["in_memory"], out["classic"]
    out["ratio"] = round(b["median_seconds"] / a["median_seconds"], 1)
    out["acc_difference"] = round(abs(a["test_acc"] - b["test_acc"]), 4)
    out["acc_tolerance"] = ACC_TOLERANCE
    out["acc_agree"] = out["acc_difference"] <= out["acc_tolerance"]
    return out


# --------------------------------------------------------------------------- profile

def _best(fn, device, reps):
    """Shortest wall time of ``reps`` calls (the least disturbed by other processes)."""
    import torch

    best = float("inf")
    for _ in range(reps):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        best = min(best, time.perf_counter() - start)
    return best


def profile_epoch(device, batch_size, lr, seed, reps=3):
    """Where one epoch of the fast path goes: seconds per epoch of each piece.

    ``steps`` is forward + loss + backward + SGD on batches made beforehand; ``matmul``
    is only the two matrix products of those steps (forward, weight gradient), the
    arithmetic a perfect framework would still do; ``animator_add`` is train_ch3's
    redraw of its curves, ``svg_render`` what Jupyter adds each time it shows them.
    """
    import torch
    from torch import nn

    import d2lnotes as d2l
    from d2lnotes.metrics import count_correct

    train_iter, test_iter = d2l.load_data_fashion_mnist(
        batch_size, device=device if device.type != "cpu" else None)
    net = softmax_regression(seed, device)
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    batches = list(train_iter)
    outputs = [(net(X).detach(), y) for X, y in batches]
    losses = [loss(y_hat, y) for y_hat, y in outputs]
    W = net[1].weight.detach()
    grads = [torch.randn(X.shape[0], 10, device=device) for X, _ in batches]

    def data():
        for _ in train_iter:
            pass

    def steps():
        for X, y in batches:
            l = loss(net(X), y)
            trainer.zero_grad()
            l.mean().backward()
            trainer.step()

    def matmul():
        for (X, _), g in zip(batches, grads):
            X = X.flatten(1)
            X @ W.t()
            g.t() @ X

    def metrics():
        metric = d2l.Accumulator(3)
        for (y_hat, y), l in zip(outputs, losses):
            metric.add(l.sum(), count_correct(y_hat, y), y.numel())
        metric[0]

    animator = d2l.Animator(xlabel="epoch", xlim=[1, 10], ylim=[0.3, 0.9],
                            legend=["train loss", "train acc", "test acc"])

    def animator_add():
        for epoch in range(10):
            animator.add(epoch + 1, (0.5, 0.8, 0.8))

    def svg_render():  # what IPython does to show the figure once
        animator.fig.savefig(io.BytesIO(), format="svg", bbox_inches="tight")

    parts = {
        "epoch": lambda: (d2l.train_epoch_ch3(net, train_iter, loss, trainer),
                          d2l.evaluate_accuracy(net, test_iter)),
        "data": data, "steps": steps, "matmul": matmul, "metrics": metrics,
        "evaluate": lambda: d2l.evaluate_accuracy(net, test_iter),
        "animator_add": animator_add, "svg_render": svg_render}
    out = {name: _best(fn, device, reps) for name, fn in parts.items()}
    out["animator_add"] /= 10  # one redraw per epoch
    flops = 2 * 2 * train_iter.num_examples * 784 * 10  # forward + weight gradient
    seconds = {name: round(v, 4) for name, v in out.items()}
    return {"seconds_per_epoch": seconds, "steps_per_epoch": len(batches),
            "us_per_step": round(out["steps"] / len(batches) * 1e6, 1),
            "matmul_gflops": round(flops / out["matmul"] / 1e9, 1),
            "threads": torch.get_num_threads()}


# --------------------------------------------------------------------------- suite

def run_suite(device, pattern, jobs, out_dir, timeout, kernel=DEFAULT_KERNEL):
    """Every matching notebook executed as `make run` does; seconds and peak RSS each.
    ``kernel``: the forking kernel `make run` uses, or python3 (each kernel from scratch)."""
    paths = source_notebooks(pattern)
    if not paths:
        return {"kernel": kernel, "jobs": jobs, "total_seconds": 0.0, "notebooks": [],
                "failed": [], "errors": {},
                "note": f"no notebook under {CHAPTERS} matches {pattern!r}"}
    jobs = max(1, min(jobs, len(paths)))
    start = time.perf_counter()  # includes starting the zygote, as in `make run`
    results = run_notebooks.run(paths, out_dir, {"device": str(device)}, jobs, timeout,
                                expected_seconds=run_notebooks.previous_seconds(
                                    BUILD / "metrics.json"), kernel=kernel)
    total = time.perf_counter() - start
    return {"kernel": kernel, "jobs": jobs, "total_seconds": round(total, 2),
            "notebooks": [{k: r[k] for k in ("notebook", "status", "seconds", "peak_rss_mb",
                                             "metrics")} for r in results],
            "failed": [r["notebook"] for r in results if r["status"] != "ok"],
            "errors": {r["notebook"]: r["error"][-2000:] for r in results if r["error"]}}


# --------------------------------------------------------------------------- report

def _fmt(x, spec=".2f"):
    return "–" if x is None else format(x, spec)


def markdown(report):
    m, cfg = report["machine"], report["config"]
    lines = [f"Machine: {m['cores']} cores, {m['cpu_model']}, torch {m['torch']} "
             f"({m['torch_threads']} threads), Python {m['python']}"
             + (f", GPU {', '.join(m['gpus'])}" if m.get("gpus") else "")
             + (f"; load average at start {m['load_average'][0]}" if m.get("load_average")
                else ""), ""]
    trained = [d for d in report["devices"] if "training" in d]
    if trained:
        lines += [f"Training: section 3.7, {cfg['epochs']} epoch(s), batch {cfg['batch_size']}, "
                  f"lr {cfg['lr']}, seed {cfg['seed']}, {cfg['reps']} interleaved run(s) each", "",
                  "| device | pipeline | median s | runs (s) | test acc |",
                  "| --- | --- | ---: | --- | ---: |"]
        for d in trained:
            t = d["training"]
            for p, name in (("in_memory", "A: in-memory (load_data_fashion_mnist)"),
                            ("classic", f"B: DataLoader + ToTensor, "
                                        f"{t['classic']['workers']} workers")):
                r = t[p]
                lines.append(f"| {d['label']} | {name} | {r['median_seconds']:.2f} | "
                             f"{', '.join(f'{s:.2f}' for s in r['seconds'])} | "
                             f"{r['test_acc']:.4f} |")
            agree = "agree" if t["acc_agree"] else "DISAGREE"
            lines.append(f"| {d['label']} | **ratio B/A** | **{t['ratio']:.1f}×** | | "
                         f"Δ {t['acc_difference']:.4f} ({agree}) |")
        lines.append("")
    profiled = [d for d in report["devices"] if "profile" in d]
    if profiled:
        names = list(profiled[0]["profile"]["seconds_per_epoch"])
        lines += [f"Profile: one epoch of the fast path, seconds x {cfg['epochs']} epoch(s) "
                  "(shortest of the tries)", "",
                  "| piece |" + "".join(f" {d['device']} |" for d in profiled),
                  "| --- |" + " ---: |" * len(profiled)]
        for name in names:
            lines.append(f"| {name} |" + "".join(
                f" {d['profile']['seconds_per_epoch'][name] * cfg['epochs']:.3f} |"
                for d in profiled))
        lines.append("| µs per step, matmul GFLOP/s, threads |" + "".join(
            f" {d['profile']['us_per_step']:.0f}, {d['profile']['matmul_gflops']:.1f}, "
            f"{d['profile']['threads']} |" for d in profiled))
        lines += ["", "steps: forward + loss + backward + SGD on ready batches; matmul: only "
                  "their two matrix products; svg_render: one Jupyter redraw of the curve "
                  "(x epochs: what redrawing every epoch would cost)", ""]
    suites = [(d, suite) for d in report["devices"] for suite in d.get("suites", [])]
    if suites:
        names = []
        for _, suite in suites:
            names += [n["notebook"] for n in suite["notebooks"] if n["notebook"] not in names]
        lines += ["Suite: every notebook executed headless (papermill, "
                  f"{suites[0][1]['jobs']} kernels at once); {FORK_KERNEL}: forked from a "
                  "zygote that imported torch once (`make run`), python3: each kernel started "
                  "from scratch", "",
                  "| notebook |" + "".join(f" {d['device']} {s['kernel']} s | peak RSS MB |"
                                           for d, s in suites),
                  "| --- |" + " ---: | ---: |" * len(suites)]
        for name in sorted(names):
            row = f"| {name} |"
            for _, suite in suites:
                n = next((n for n in suite["notebooks"] if n["notebook"] == name), None)
                mark = "" if n is None or n["status"] == "ok" else " (failed)"
                row += (f" {_fmt(n and n['seconds'], '.1f')}{mark} |"
                        f" {_fmt(n and n['peak_rss_mb'], '.0f')} |")
            lines.append(row)
        lines.append("| **total (wall)** |" + "".join(
            f" **{s['total_seconds']:.1f}** | max "
            f"{_fmt(max((n['peak_rss_mb'] or 0 for n in s['notebooks']), default=None), '.0f')} |"
            for _, s in suites))
        for d in report["devices"]:
            by_kernel = {s["kernel"]: s["total_seconds"] for s in d.get("suites", [])}
            if by_kernel.get(FORK_KERNEL) and by_kernel.get("python3"):
                lines.append(f"| **ratio python3/{FORK_KERNEL}** ({d['device']}) | "
                             f"**{by_kernel['python3'] / by_kernel[FORK_KERNEL]:.2f}×** |"
                             + " |" * (2 * len(suites) - 1))
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", action="append",
                        help="cpu, cuda, cuda:N or mps; repeat for several "
                             "(default: cpu, plus cuda when CUDA is available)")
    parser.add_argument("--quick", action="store_true",
                        help="1 epoch, one run each, only the notebooks matching --pattern")
    parser.add_argument("--epochs", type=int, help="default 10 (quick: 1)")
    parser.add_argument("--reps", type=int, help="runs of each pipeline (default 3; quick: 1)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int,
                        help="torch threads for the training runs (default: torch's own, "
                             "one per core; OMP_NUM_THREADS also sets it)")
    parser.add_argument("--workers", type=int,
                        help="DataLoader workers of pipeline B (default: get_dataloader_workers())")
    parser.add_argument("--pattern", help="only notebooks whose path matches "
                                          "(default: all; quick: 2.1)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks executed at once (default: one per core)")
    parser.add_argument("--kernel", action="append", choices=(FORK_KERNEL, "python3"),
                        help="kernels for the suite; repeat for both (default on Linux: "
                             f"both, {FORK_KERNEL} first; quick: {DEFAULT_KERNEL})")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--no-training", action="store_true", help="skip the A/B comparison")
    parser.add_argument("--no-suite", action="store_true", help="skip the notebooks")
    parser.add_argument("--no-profile", action="store_true",
                        help="skip the breakdown of one epoch of the fast path")
    parser.add_argument("--out", type=Path, default=BUILD / "bench.json")
    parser.add_argument("--notebooks-out", type=Path, default=BUILD / "bench",
                        help="where executed copies go (one folder per device)")
    args = parser.parse_args(argv)
    epochs = args.epochs or (1 if args.quick else 10)
    reps = args.reps or (1 if args.quick else 3)
    pattern = args.pattern if args.pattern is not None else ("2.1" if args.quick else "")
    kernels = args.kernel or ([DEFAULT_KERNEL] if args.quick or DEFAULT_KERNEL != FORK_KERNEL
                              else [FORK_KERNEL, "python3"])
    if min(epochs, reps, args.jobs, args.batch_size) <= 0:
        parser.error("--epochs, --reps, --jobs and --batch-size must be positive")

    if args.threads is not None and args.threads <= 0:
        parser.error("--threads must be a positive integer")
    import matplotlib
    import torch

    matplotlib.use("Agg")  # train_ch3's figure here is drawn nowhere (the notebooks' kernels
    #                        choose their own backend)

    if args.threads:
        torch.set_num_threads(args.threads)
    from d2lnotes import get_dataloader_workers, resolve_device

    devices = [resolve_device(d) for d in (args.device or default_devices())]
    workers = get_dataloader_workers() if args.workers is None else args.workers
    report = {"machine": machine_info(),
              "config": {"epochs": epochs, "reps": reps, "batch_size": args.batch_size,
                         "lr": args.lr, "seed": args.seed, "quick": args.quick,
                         "pattern": pattern, "jobs": args.jobs, "workers": workers,
                         "kernels": kernels},
              "devices": []}
    print(f"bench on {', '.join(map(str, devices))}: {report['machine']['cores']} cores, "
          f"{report['machine']['cpu_model']}, torch {report['machine']['torch']}", flush=True)
    for device in devices:
        entry = {"device": str(device), "label": device_label(device)}
        if not args.no_training:
            print(f"training 3.7 on {entry['label']}: {epochs} epoch(s), {reps} run(s) each, "
                  f"A in-memory / B classic with {workers} workers", flush=True)
            entry["training"] = compare_training(device, epochs, reps, args.batch_size,
                                                 args.lr, args.seed, workers)
        if not args.no_profile:
            print(f"profiling one epoch of the fast path on {device}", flush=True)
            entry["profile"] = profile_epoch(device, args.batch_size, args.lr, args.seed,
                                             reps=1 if args.quick else 3)
        if not args.no_suite:
            entry["suites"] = []
            for kernel in kernels:
                print(f"suite on {device} ({args.jobs} jobs, {kernel} kernels)", flush=True)
                entry["suites"].append(run_suite(
                    device, pattern, args.jobs,
                    args.notebooks_out / kernel / str(device).replace(":", "-"), args.timeout,
                    kernel))
        report["devices"].append(entry)
    if hasattr(os, "getloadavg"):
        report["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print()
    print(markdown(report))
    print(f"results in {args.out}")
    problems = []
    for d in report["devices"]:
        if "training" in d and not d["training"]["acc_agree"]:
            problems.append(f"{d['device']}: test accuracies differ by "
                            f"{d['training']['acc_difference']} "
                            f"(> {d['training']['acc_tolerance']})")
        for suite in d.get("suites", []):
            for name in suite["failed"]:
                problems.append(f"{d['device']} ({suite['kernel']}): {name} failed: "
                                f"{suite['errors'][name]}")
    for p in problems:
        print(f"PROBLEM {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
