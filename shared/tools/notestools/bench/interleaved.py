"""Section 3.7 trained by each variant, one fresh process per run, alternating rep by rep.

Rep r runs the variants in turn, starting one further along each rep (fast d2l floor,
d2l floor fast, ...), so that a change in the machine's load falls on all of them alike.
Each run is ``python -m notestools.bench.variants VARIANT``; its process seconds (start,
imports, data, training) are measured here, the rest by the run itself.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import book
from .variants import PHASES

RUN_TIMEOUT = 1800  # seconds for one run: the book's pipeline on a slow, busy machine


def worker_env(threads, pythonpath=None):
    env = dict(os.environ, MPLBACKEND="Agg")  # a script: no window, no inline figures
    if threads:
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(pythonpath)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    return env


def run_variant(variant, cfg, env, cwd):
    """One run in a fresh process; its JSON result, plus ``process_seconds``, or
    ``{"error": ...}`` with the end of its output."""
    with tempfile.TemporaryDirectory(prefix="d2lnotes-bench-") as tmp:
        out, log = Path(tmp) / "run.json", Path(tmp) / "run.log"
        command = [sys.executable, "-m", "notestools.bench.variants", variant, "--out", str(out),
                   "--epochs", str(cfg["epochs"]), "--batch-size", str(cfg["batch_size"]),
                   "--lr", str(cfg["lr"]), "--seed", str(cfg["seed"]),
                   "--device", cfg["device"]]
        if cfg.get("examples"):
            command += ["--examples", str(cfg["examples"])]
        start = time.perf_counter()
        with open(log, "wb") as output:
            try:
                code = subprocess.run(command, cwd=cwd, env=env, stdout=output,
                                      stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT).returncode
            except subprocess.TimeoutExpired:
                code = "timeout"
        seconds = time.perf_counter() - start
        if code != 0 or not out.exists():
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            return {"error": f"{variant} run failed (exit {code}):\n{tail}"}
        return dict(json.loads(out.read_text(encoding="utf-8")), process_seconds=seconds)


def prepare_variants(variants, device, scratch, examples=None):
    """(PYTHONPATH, cwd) for each variant that can run, and why each other one cannot."""
    ready, skipped = {}, {}
    for variant in variants:
        if variant != "d2l":
            ready[variant] = (None, None)
        elif device != "cpu":
            skipped[variant] = "the book's train_ch3 (chapter 3) trains on the CPU only"
        else:
            try:
                ready[variant] = book.prepare(scratch, examples)
            except book.BookUnavailable as err:
                skipped[variant] = str(err)
    return ready, skipped


def compare(variants, cfg, reps, scratch, threads=None):
    """``reps`` interleaved runs of each variant on ``cfg['device']``; their summaries."""
    ready, skipped = prepare_variants(variants, cfg["device"], scratch, cfg.get("examples"))
    for variant, why in skipped.items():
        print(f"  skipping {variant}: {why}", flush=True)
    names = list(ready)
    runs = {name: [] for name in names}
    for rep in range(reps if names else 0):
        for name in names[rep % len(names):] + names[:rep % len(names)]:
            pythonpath, cwd = ready[name]
            r = run_variant(name, cfg, worker_env(threads, pythonpath), cwd)
            runs[name].append(r)
            said = r.get("error") or (f"{r['seconds']:7.2f} s training, "
                                      f"{r['process_seconds']:6.1f} s process, "
                                      f"test acc {r['test_acc']:.4f}")
            print(f"  [{cfg['device']}] rep {rep + 1}/{reps} {name:5s} {said}", flush=True)
    out = {"variants": {name: summarise(rs) for name, rs in runs.items()},
           "skipped": skipped, "order": names}
    out["ratios"] = ratios(out["variants"])
    return out


def _median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 4) if values else None


def summarise(runs):
    """Medians over the runs that finished, and every run's own numbers."""
    ok = [r for r in runs if "error" not in r]
    later = [statistics.median(r["epoch_seconds"][1:]) if len(r["epoch_seconds"]) > 1
             else None for r in ok]
    # first epoch / later ones within each run: the machine's load changes less within a run
    first_later = [r["epoch_seconds"][0] / m for r, m in zip(ok, later) if m]
    summary = {
        "runs": runs, "errors": [r["error"] for r in runs if "error" in r],
        "seconds": [round(r["seconds"], 3) for r in ok],
        "median_seconds": _median(r["seconds"] for r in ok),
        "median_process_seconds": _median(r.get("process_seconds") for r in ok),
        "median_load_seconds": _median(r["load_seconds"] for r in ok),
        "median_first_epoch": _median(r["epoch_seconds"][0] for r in ok),
        "median_later_epochs": _median(later),
        "median_first_later": _median(first_later),
        "median_epoch_seconds": [_median(e) for e in zip(*(r["epoch_seconds"] for r in ok))],
        "median_phases": {p: [_median(e) for e in zip(*(r["phases"][p] for r in ok))]
                          for p in PHASES},
        "test_acc": _median(r["test_acc"] for r in ok),
        "train_loss": _median(r["train_loss"] for r in ok),
        "threads": ok[0]["threads"] if ok else None,
        "notes": sorted({r["note"] for r in ok if r.get("note")})}
    if ok and "workers" in ok[0]:
        summary["workers"] = ok[0]["workers"]
    return summary


def ratios(summaries):
    """fast/d2l, d2l/fast and fast/floor of the median training seconds, where both ran;
    and the median over the fast path's runs of its first epoch / its later ones."""
    seconds = {name: s["median_seconds"] for name, s in summaries.items() if s["median_seconds"]}
    out = {}
    for a, b in (("fast", "d2l"), ("d2l", "fast"), ("fast", "floor")):
        if a in seconds and b in seconds:
            out[f"{a}/{b}"] = round(seconds[a] / seconds[b], 3)
    if summaries.get("fast", {}).get("median_first_later"):
        out["fast first/later epochs"] = round(summaries["fast"]["median_first_later"], 3)
    return out
