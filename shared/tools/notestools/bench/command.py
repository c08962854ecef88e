"""`python -m notestools bench`: measure, write build/bench.json and build/bench.md, summarise.

For each device (cpu, plus cuda when there is one):

1. **Section 3.7 trained three ways**, runs alternating, each in a fresh process: the fast
   path (d2lnotes), the book's own d2l 0.17.6 (installed on first use into --d2l-dir with
   pip, without its pinned dependencies; skipped, saying why, where pip cannot fetch it) and
   a bare loop over ready batches (the floor). Medians, every epoch, fast/d2l and fast/floor.
2. **The fast path's first epoch against its later ones** in kernels forked from a zygote as
   `make run`'s are, with the zygote's preloads and with those plus what the first epoch
   imported.
3. **The suite**: every notebook executed as `make run` does, with forked and with fresh
   (python3) kernels.

``--quick`` (the tests): 1 epoch (2 for the first-epoch part, which needs a later epoch)
on the first QUICK_EXAMPLES training examples, one run each, d2l only with --with-d2l, and
only the notebooks matching --pattern.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from ..notebooks import BUILD, DEFAULT_KERNEL, FORK_KERNEL, KERNELS
from . import first_epoch, interleaved
from .machine import default_devices, device_label, load_average, machine_info
from .report import markdown, summary
from .suite import run_suite
from .variants import TRAIN_EXAMPLES

# Every variant reaches ~0.78 test accuracy after one epoch on all training examples, and
# 0.73-0.75 on --quick's first QUICK_EXAMPLES: less means it did not train.
MIN_TEST_ACC = 0.7
QUICK_EXAMPLES = 20480


def build_parser():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0].split(": ", 1)[-1])
    p.add_argument("--device", action="append", help="cpu, cuda, cuda:N or mps; repeat for "
                   "several (default: cpu, plus cuda when CUDA is available)")
    p.add_argument("--quick", action="store_true", help=f"1 epoch on the first {QUICK_EXAMPLES} "
                   "training examples, one run each, no d2l, only the notebooks matching "
                   "--pattern (default 2.1)")
    p.add_argument("--with-d2l", action="store_true", help="run the book's d2l in --quick too")
    p.add_argument("--no-d2l", action="store_true", help="leave the book's d2l out")
    p.add_argument("--epochs", type=int, help="default 10 (quick: 1)")
    p.add_argument("--examples", type=int, help=f"train on the first N of the {TRAIN_EXAMPLES} "
                   f"training examples (default: all; quick: {QUICK_EXAMPLES}); the test "
                   "accuracy is always on the whole test set")
    p.add_argument("--reps", type=int, help="runs of each variant (default 3; quick: 1)")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, help="torch threads of the training runs and the "
                   "first-epoch kernels (default: torch's own, one per core, or "
                   "OMP_NUM_THREADS); the suite keeps `make run`'s (cores / notebooks at once)")
    p.add_argument("--pattern", help="only notebooks whose path matches (default: all; "
                   "quick: 2.1)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="notebooks executed at once (default: one per core)")
    p.add_argument("--kernel", action="append", choices=KERNELS,
                   help="kernels for the suite; repeat for both (default on Linux: both; "
                        f"quick: {DEFAULT_KERNEL})")
    p.add_argument("--timeout", type=int, default=900, help="seconds per notebook")
    p.add_argument("--no-training", action="store_true", help="skip the 3.7 comparison")
    p.add_argument("--no-first-epoch", action="store_true", help="skip the forked kernels")
    p.add_argument("--no-suite", action="store_true", help="skip the notebooks")
    p.add_argument("--out", type=Path, default=BUILD / "bench.json",
                   help="the JSON report; the tables go beside it (.md)")
    p.add_argument("--notebooks-out", type=Path, default=BUILD / "bench" / "notebooks",
                   help="where the suite's executed copies go")
    p.add_argument("--d2l-dir", type=Path, default=BUILD / "bench" / "d2l-0.17.6",
                   help="where the book's d2l is installed, with its data links")
    return p


def configure(parser, argv):
    args = parser.parse_args(argv)
    args.epochs = args.epochs or (1 if args.quick else 10)
    args.reps = args.reps or (1 if args.quick else 3)
    if args.examples is None and args.quick:
        args.examples = QUICK_EXAMPLES
    if args.pattern is None:
        args.pattern = "2.1" if args.quick else ""
    if not args.kernel:
        both = not args.quick and DEFAULT_KERNEL == FORK_KERNEL
        args.kernel = list(KERNELS) if both else [DEFAULT_KERNEL]
    if min(args.epochs, args.reps, args.jobs, args.batch_size, args.threads or 1,
           args.examples or 1) <= 0:
        parser.error("--epochs, --reps, --jobs, --batch-size, --threads and --examples must "
                     "be positive")
    if (args.examples or 0) > TRAIN_EXAMPLES:
        parser.error(f"--examples: Fashion-MNIST has {TRAIN_EXAMPLES} training examples")
    if args.with_d2l and args.no_d2l:
        parser.error("--with-d2l and --no-d2l contradict each other")
    with_d2l = args.with_d2l or not (args.quick or args.no_d2l)
    args.variants = ["fast", "d2l", "floor"] if with_d2l else ["fast", "floor"]
    return args


def measure(device, args):
    """Every part on one device."""
    entry = {"device": str(device), "label": device_label(device)}
    cfg = {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
           "seed": args.seed, "device": str(device), "examples": args.examples}
    if not args.no_training:
        print(f"3.7 on {entry['label']}: {', '.join(args.variants)}, {args.reps} run(s) each",
              flush=True)
        entry["training"] = interleaved.compare(args.variants, cfg, args.reps, args.d2l_dir,
                                                args.threads)
    if not args.no_first_epoch and DEFAULT_KERNEL == FORK_KERNEL:
        print(f"the fast path's first epoch in forked kernels on {device}", flush=True)
        entry["first_epoch"] = first_epoch.compare(
            dict(cfg, epochs=max(2, args.epochs)), args.reps, args.threads)
    if not args.no_suite:
        entry["suites"] = []
        for kernel in args.kernel:
            print(f"suite on {device} ({args.jobs} jobs, {kernel} kernels)", flush=True)
            entry["suites"].append(run_suite(
                device, args.pattern, args.jobs,
                args.notebooks_out / kernel / str(device).replace(":", "-"), args.timeout,
                kernel))
    return entry


def problems(report):
    """What makes the bench fail: runs that failed or did not train, notebooks that failed."""
    found = []
    for entry in report["devices"]:
        d = entry["device"]
        parts = [("", entry.get("training", {}).get("variants", {})),
                 ("forked kernel, ", entry.get("first_epoch", {}).get("variants", {}))]
        for where, variants in parts:
            for name, s in variants.items():
                found += [f"{d}: {where}{name}: {e}" for e in s["errors"]]
                if s["test_acc"] is not None and s["test_acc"] < MIN_TEST_ACC:
                    found.append(f"{d}: {where}{name} reached test accuracy {s['test_acc']} "
                                 f"(< {MIN_TEST_ACC}): it did not train")
        for suite in entry.get("suites", []):
            found += [f"{d} ({suite['kernel']}): {n['notebook']} {n['status']}: {n['error']}"
                      for n in suite["notebooks"] if n["status"] != "ok"]
    return found


def write(report, out):
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown(report) + "\n", encoding="utf-8")


def main(argv=None):
    args = configure(build_parser(), argv)
    from d2lnotes import resolve_device

    devices = [resolve_device(d) for d in (args.device or default_devices())]
    report = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "machine": machine_info(),
              "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
              "devices": []}
    m = report["machine"]
    print(f"bench on {', '.join(map(str, devices))}: {m['cores']} cores, {m['cpu_model']}, "
          f"torch {m['torch']}, load average {m['load_average']}", flush=True)
    for device in devices:
        report["devices"].append(measure(device, args))
    m["load_average_end"] = load_average()
    write(report, args.out)
    print(f"\n{summary(report)}\ntables in {args.out.with_suffix('.md')}, all in {args.out}")
    found = problems(report)
    for p in found:
        print(f"PROBLEM {p}", file=sys.stderr)
    return 1 if found else 0
