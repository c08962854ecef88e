"""Execute the notebooks headless with papermill and collect their recorded results.

    python -m notestools.run_notebooks [--device auto] [--pattern 3.6 ...] [--jobs N]
        [--timeout SECONDS] [--kernel d2lnotes-fork|python3] [--src chapters]
        [--out build/notebooks] [--results build/results.json]

Executed copies go to build/notebooks/ (mirroring chapters/); the source notebooks are
only read. build/results.json (see results.py) gets, per notebook, its status, wall
seconds, the peak memory of its kernel and everything it published with ``d2l.record``.

On Linux kernels are forked from a zygote that has imported torch once (``d2lnotes-fork``,
see forkkernel.py); ``--kernel python3`` starts each one from scratch instead. Ctrl-C or
SIGTERM stops everything within a second or two (exit status 130 or 143); a notebook that
hangs is stopped after ``--timeout`` seconds; see runner.py and faults.py.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from .faults import Interrupted, RunLock, RunLocked, StopSignals
from .notebooks import BUILD, CHAPTERS, DEFAULT_KERNEL, KERNELS, source_notebooks
from .results import RESULTS_FILE, read_results, write_results
from .runner import DEFAULT_TIMEOUT, NOT_STARTED, kernel_zygote, run, start_order
from .worker import execute

__all__ = ["main", "run", "execute", "start_order", "previous_seconds", "environment"]


def previous_seconds(results_path=RESULTS_FILE):
    """Each notebook's seconds in the last report, to start the longest ones first."""
    try:
        return {r["notebook"]: r["seconds"] for r in read_results(results_path)["notebooks"]}
    except (ValueError, KeyError, TypeError):
        return {}


class DeviceError(RuntimeError):
    """The device asked for does not exist here (the message lists those that do)."""


def environment(device):
    """The machine, torch and ``device`` resolved, for the report. Found in a child process:
    the runner itself never imports torch, so it starts at once and, stopped, ends at once
    (tearing torch down takes seconds on a busy machine)."""
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from notestools.run_notebooks import "
         "_print_environment; _print_environment(sys.argv[1])", device],
        capture_output=True, text=True, start_new_session=True)  # not hit by Ctrl-C
    if proc.returncode:
        lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
        raise DeviceError(lines[-1])
    return json.loads(proc.stdout.splitlines()[-1])


def _print_environment(device):
    """The body of :func:`environment`'s child: print the environment as JSON."""
    import torch

    from d2lnotes import resolve_device

    try:
        resolved = resolve_device(device)
    except Exception as err:  # d2lnotes says which devices there are
        print(err, file=sys.stderr, flush=True)
        os._exit(2)
    gpu = torch.cuda.get_device_name(resolved) if resolved.type == "cuda" else None
    print(json.dumps({"device": str(resolved), "gpu": gpu, "torch": torch.__version__,
                      "python": platform.python_version(), "cpus": os.cpu_count(),
                      "platform": platform.platform()}), flush=True)
    os._exit(0)  # without tearing torch down


def _parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=os.environ.get("DEVICE", "auto"),
                        help="auto, cpu, cuda, cuda:N or mps (default: auto)")
    parser.add_argument("--pattern", action="append",
                        help="only notebooks whose path matches; repeat for several")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks executed at once (default: one per core)")
    parser.add_argument("--src", type=Path, default=CHAPTERS,
                        help="folder of the source notebooks (default: chapters/)")
    parser.add_argument("--out", type=Path, default=BUILD / "notebooks",
                        help="folder of the executed copies (default: build/notebooks/)")
    parser.add_argument("--results", type=Path, default=RESULTS_FILE,
                        help="the report to write (default: build/results.json)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds for each whole notebook (default: {DEFAULT_TIMEOUT})")
    parser.add_argument("--kernel", default=DEFAULT_KERNEL, choices=KERNELS,
                        help="forked from a zygote that imported torch once (default on Linux)"
                             ", or started from scratch (python3; default elsewhere)")
    return parser


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    patterns = [p for p in args.pattern or [] if p]  # make passes --pattern "" for all
    paths = sorted({p for pattern in patterns or [""]
                    for p in source_notebooks(pattern, root=args.src)})
    if not paths:
        parser.error(f"no notebook under {args.src} matches {' or '.join(map(repr, patterns))}")
    if args.jobs <= 0:
        parser.error("--jobs must be a positive integer")
    if args.timeout <= 0:
        parser.error("--timeout must be a positive number of seconds")
    with StopSignals() as stop:
        try:
            with RunLock(args.out):
                return _run(args, paths, bool(patterns), stop)
        except (RunLocked, DeviceError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2 if isinstance(err, DeviceError) else 1


def _run(args, paths, partial, stop):
    start = time.perf_counter()
    results, interrupted = None, None
    try:
        # The zygote imports torch on one core while this process does the same on the other.
        with kernel_zygote(args.kernel) as zygote:
            env = environment(args.device)  # fails early, and clearly, on a bad device name
            print(f"executing {len(paths)} notebook(s) on {env['device']} with {args.jobs} "
                  f"job(s), {args.kernel} kernels", flush=True)
            results = run(paths, args.out, {"device": args.device}, args.jobs, args.timeout,
                          expected_seconds=previous_seconds(args.results), kernel=args.kernel,
                          zygote=zygote, src_root=args.src, stop=stop)
    except Interrupted as stopped:
        results, interrupted = stopped.results, stopped
    total = round(time.perf_counter() - start, 2)
    with stop.deferred():  # the report is written whole, whatever comes now
        tracebacks = {r["notebook"]: r.pop("traceback", None) for r in results or []}
        report = None
        if results is not None:
            report = _report(env, total, results, args.results, partial)
            write_results(report, args.results)
        if interrupted is not None:
            print(_interrupted_line(interrupted, total, report, results, args.results),
                  file=sys.stderr)
            return interrupted.exit_status
        _print_summary(results, total, args, tracebacks)
    if stop.signum is not None:  # came while the report was written: it is complete
        return 128 + stop.signum
    return 0 if all(r["status"] == "ok" for r in results) else 1


def _report(env, total, results, path, partial):
    """This run's results over the last report's: a partial run (patterns) keeps the other
    notebooks, and a notebook an interruption kept from starting keeps its last result."""
    try:
        old = {r["notebook"]: r for r in read_results(path)["notebooks"]}
    except (ValueError, KeyError, TypeError):  # unreadable: this run's report replaces it
        old = {}
    mine = {}
    for r in results:
        if r["error"] == NOT_STARTED and r["notebook"] in old:
            mine[r["notebook"]] = old[r["notebook"]]
        else:
            mine[r["notebook"]] = r
    notebooks = {**old, **mine} if partial else mine
    entries = [notebooks[name] for name in sorted(notebooks)]
    return {"environment": env, "total_seconds": total,
            "complete": all(r["status"] != "interrupted" for r in entries),
            "notebooks": entries}


def _interrupted_line(stopped, total, report, results, results_path):
    if report is None:
        return (f"interrupted by {stopped.name} after {total:.1f} s, before any notebook "
                f"started; {results_path} unchanged")
    cut = [r["notebook"] for r in results
           if r["status"] == "interrupted" and r["error"] != NOT_STARTED]
    waiting = sum(r["error"] == NOT_STARTED for r in results)
    finished = [r for r in results if r["status"] != "interrupted"]
    ok = sum(r["status"] == "ok" for r in finished)
    return (f"interrupted by {stopped.name} after {total:.1f} s: stopped "
            f"{', '.join(cut) or 'no notebook'}; {len(finished)} finished ({ok} ok), "
            f"{waiting} not started; {results_path} "
            f"{'complete' if report['complete'] else 'marked incomplete'}")


def _print_summary(results, total, args, tracebacks):
    failed = [r for r in results if r["status"] != "ok"]
    print(f"{len(results) - len(failed)}/{len(results)} notebooks ran in {total:.1f} s; "
          f"results in {args.results}", flush=True)
    for r in failed:
        if tracebacks.get(r["notebook"]):
            print(f"\n{r['notebook']}:\n{tracebacks[r['notebook']][-3000:]}", file=sys.stderr)
    for r in failed:  # last, where a reader sees them: one line each
        copy = f" (executed copy: {args.out / r['notebook']})" if r["status"] == "failed" else ""
        print(f"{r['notebook']}: {r['error']}{copy}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
