"""Execute the notebooks headless with papermill and collect their recorded results.

    python shared/tools/run_notebooks.py [--device auto] [--pattern 3.6] [--jobs N]
                                         [--kernel d2lnotes-fork|python3]

Executed copies go to build/notebooks/ (mirroring chapters/); the source notebooks are
only read. build/metrics.json gets, per notebook, its status, wall seconds, the peak
memory of its kernel and everything it published with ``d2l.record(...)``.

On Linux kernels are forked from a zygote that has imported torch once (``d2lnotes-fork``,
see d2lnotes/forkkernel.py); ``--kernel python3`` starts each one from scratch instead.
"""

import argparse
import concurrent.futures as cf
import contextlib
import json
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path

from .notebooks import (
    BUILD,
    CHAPTERS,
    DEFAULT_KERNEL,
    FORK_KERNEL,
    recorded_metrics,
    source_notebooks,
    use_project_kernels,
)


def _peak_child_rss_mb():
    """Peak RSS of this process's finished children (the kernel), where the OS says it.
    Before Python 3.11 a worker runs several notebooks (no max_tasks_per_child), so its
    children's peak is no one notebook's: None then."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    if sys.version_info < (3, 11):
        return None
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _peak_forked_rss_mb(kernels):
    """Peak RSS of forked kernels (``finished_kernels`` entries), as the zygote saw them."""
    peaks = [k["maxrss_kb"] for k in kernels if k["maxrss_kb"]]
    return round(max(peaks) / 1024, 1) if peaks else None


def execute(src, dst, parameters, threads, timeout, kernel, zygote):
    """Run one notebook in a fresh kernel; this runs in its own worker process.
    ``zygote`` is the socket path of the zygote that forks ``d2lnotes-fork`` kernels (None
    for other kernels). It is passed, not inherited: workers fork from a server whose
    environment is that of the moment it started, perhaps before this zygote existed."""
    import papermill as pm

    from .forkkernel import THREAD_VARS, ZYGOTE_ENV, finished_kernels

    # Parallel kernels share the cores: give each its slice instead of oversubscribing.
    for var in THREAD_VARS:
        os.environ[var] = str(threads)
    if zygote:
        os.environ[ZYGOTE_ENV] = zygote
    use_project_kernels()  # the same reason: JUPYTER_PATH set here reaches papermill
    seen_kernels = len(finished_kernels)
    dst.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    error = None
    try:
        pm.execute_notebook(str(src), str(dst), parameters=parameters, cwd=str(src.parent),
                            kernel_name=kernel, progress_bar=False,
                            execution_timeout=timeout,
                            # Rewriting the whole notebook after every cell costs more
                            # than many cells; it is still saved every 30 s and at the end.
                            request_save_on_cell_execute=False)
    except Exception as err:  # papermill keeps the executed part of the notebook in dst
        error = f"{type(err).__name__}: {err}"
    if kernel == FORK_KERNEL:
        peak = _peak_forked_rss_mb(finished_kernels[seen_kernels:])
    else:
        peak = _peak_child_rss_mb()
    return {"seconds": round(time.perf_counter() - start, 2), "peak_rss_mb": peak,
            "error": error}


def previous_seconds(metrics_path):
    """Each notebook's seconds in the last report, to start the longest ones first."""
    try:
        report = json.loads(Path(metrics_path).read_text(encoding="utf-8"))
        return {r["notebook"]: r["seconds"] for r in report["notebooks"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def start_order(paths, expected_seconds=None):
    """Longest expected first; without a previous report (a fresh clone), later sections
    first, since the training notebooks of chapter 3 are the long ones."""
    expected = expected_seconds or {}
    order = sorted(enumerate(paths), reverse=True, key=lambda item: (
        expected.get(str(item[1].relative_to(CHAPTERS)), 0), item[0]))
    return [path for _, path in order]


def kernel_zygote(kernel, zygote=None):
    """Context manager giving the zygote ``kernel`` needs: ``zygote`` if given, else this
    process's (started in the background and closed at the end if there was none); None
    for a kernel that is not forked."""
    if kernel != FORK_KERNEL or zygote is not None:
        return contextlib.nullcontext(zygote)
    from .forkkernel import Zygote

    return Zygote.shared(wait=False)


def run(paths, out_dir, parameters, jobs, timeout=600, expected_seconds=None,
        kernel=DEFAULT_KERNEL, zygote=None):
    """Execute ``paths`` into ``out_dir``; return one result dict per notebook, in order.

    With ``expected_seconds`` (notebook name -> seconds) the longest notebooks start first,
    so the short ones fill the gaps instead of one long notebook running alone at the end
    (see :func:`start_order`). ``kernel`` is a kernelspec name; the fork kernel's zygote
    is ``zygote`` or one from :func:`kernel_zygote`.
    """
    with kernel_zygote(kernel, zygote) as zygote:
        zygote_path = zygote.wait_ready().path if zygote is not None else None
        return _run_pool(paths, out_dir, parameters, jobs, timeout, expected_seconds, kernel,
                         zygote_path)


def _run_pool(paths, out_dir, parameters, jobs, timeout, expected_seconds, kernel,
              zygote_path):
    jobs = max(1, min(jobs, len(paths)))
    threads = max(1, (os.cpu_count() or 1) // jobs)
    results = {}
    # max_tasks_per_child=1: every notebook gets a fresh worker, so the worker's peak
    # child RSS is that notebook's kernel alone. Workers fork from a server that has
    # imported papermill once (3 s each otherwise); plain fork cannot recycle workers.
    kwargs = {"max_tasks_per_child": 1} if sys.version_info >= (3, 11) else {}
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["papermill"])
    else:  # Windows
        context = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=context, **kwargs) as pool:
        futures = {}
        for src in start_order(paths, expected_seconds):
            dst = Path(out_dir) / src.relative_to(CHAPTERS)
            futures[pool.submit(execute, src, dst, parameters, threads, timeout, kernel,
                                zygote_path)] = (src, dst)
        for future in cf.as_completed(futures):
            src, dst = futures[future]
            result = future.result()
            name = str(src.relative_to(CHAPTERS))
            metrics = {}
            if dst.exists():
                metrics = recorded_metrics(json.loads(dst.read_text(encoding="utf-8")))
            results[src] = {"notebook": name, "status": "failed" if result["error"] else "ok",
                            **result, "metrics": metrics}
            status = "FAILED" if result["error"] else "ok"
            print(f"{status:6s} {name:60s} {result['seconds']:6.1f} s", flush=True)
    return [results[p] for p in paths]


def environment(device):
    import torch

    from d2lnotes import resolve_device

    resolved = resolve_device(device)
    gpu = torch.cuda.get_device_name(resolved) if resolved.type == "cuda" else None
    return {"device": str(resolved), "gpu": gpu, "torch": torch.__version__,
            "python": platform.python_version(), "cpus": os.cpu_count(),
            "platform": platform.platform()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=os.environ.get("DEVICE", "auto"),
                        help="auto, cpu, cuda, cuda:N or mps (default: auto)")
    parser.add_argument("--pattern", action="append",
                        help="only notebooks whose path matches; repeat for several")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks executed at once (default: one per core)")
    parser.add_argument("--out", type=Path, default=BUILD / "notebooks")
    parser.add_argument("--metrics", type=Path, default=BUILD / "metrics.json")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--kernel", default=DEFAULT_KERNEL, choices=(FORK_KERNEL, "python3"),
                        help="forked from a zygote that imported torch once (default on Linux)"
                             ", or started from scratch (python3; default elsewhere)")
    args = parser.parse_args(argv)

    patterns = [p for p in args.pattern or [] if p]  # make passes --pattern "" for all
    paths = sorted({p for pattern in patterns or [""] for p in source_notebooks(pattern)})
    if not paths:
        parser.error(f"no notebook under {CHAPTERS} matches {' or '.join(map(repr, patterns))}")
    if args.jobs <= 0:
        parser.error("--jobs must be a positive integer")
    start = time.perf_counter()
    # The zygote imports torch on one core while this process does the same on the other.
    with kernel_zygote(args.kernel) as zygote:
        env = environment(args.device)  # fails early, and clearly, on a bad device name
        print(f"executing {len(paths)} notebook(s) on {env['device']} with {args.jobs} job(s)"
              f", {args.kernel} kernels")
        results = run(paths, args.out, {"device": args.device}, args.jobs, args.timeout,
                      expected_seconds=previous_seconds(args.metrics), kernel=args.kernel,
                      zygote=zygote)
    total = round(time.perf_counter() - start, 2)

    args.metrics.parent.mkdir(parents=True, exist_ok=True)
    report = {"environment": env, "total_seconds": total, "notebooks": results}
    if patterns and args.metrics.exists():  # a partial run updates the full report
        old = json.loads(args.metrics.read_text(encoding="utf-8"))
        mine = {r["notebook"] for r in results}
        report["notebooks"] = sorted(
            [r for r in old.get("notebooks", []) if r["notebook"] not in mine] + results,
            key=lambda r: r["notebook"])
    args.metrics.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    failed = [r for r in results if r["error"]]
    print(f"{len(results) - len(failed)}/{len(results)} notebooks ran in {total:.1f} s; "
          f"results in {args.metrics}")
    for r in failed:
        print(f"\nFAILED {r['notebook']} (executed copy: {args.out / r['notebook']}):\n"
              f"{r['error'][-3000:]}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
