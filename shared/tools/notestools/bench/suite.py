"""Every notebook executed as ``make run`` does, with forked and with fresh kernels.

Calls the runner (``notestools.run_notebooks.run``) and keeps, of each notebook's result,
only ``notebook``, ``status``, ``seconds``, ``peak_rss_mb`` and ``error`` (read with
``.get``: the runner may add fields, and a missing one shows as a dash).
"""

import time

from ..notebooks import CHAPTERS, DEFAULT_KERNEL, source_notebooks

KEPT = ("notebook", "status", "seconds", "peak_rss_mb", "error")


def expected_seconds():
    """Each notebook's seconds in the last `make run`, so that the longest start first as
    there; None without a readable report."""
    try:
        from ..results import read_results

        return {r["notebook"]: r["seconds"] for r in read_results().get("notebooks", [])}
    except (ImportError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def run_suite(device, pattern, jobs, out_dir, timeout, kernel=DEFAULT_KERNEL):
    """The notebooks matching ``pattern`` executed into ``out_dir``; seconds and peak RSS
    of each, and the wall time of all (the zygote's start included, as in `make run`)."""
    from ..run_notebooks import run

    paths = source_notebooks(pattern)
    if not paths:
        return {"kernel": kernel, "jobs": jobs, "total_seconds": 0.0, "notebooks": [],
                "failed": [], "note": f"no notebook under {CHAPTERS} matches {pattern!r}"}
    jobs = max(1, min(jobs, len(paths)))
    start = time.perf_counter()
    results = run(paths, out_dir, {"device": str(device)}, jobs, timeout,
                  expected_seconds=expected_seconds(), kernel=kernel)
    total = time.perf_counter() - start
    notebooks = [{key: r.get(key) for key in KEPT} for r in results]
    for n in notebooks:
        n["error"] = n["error"][-2000:] if n["error"] else None
    return {"kernel": kernel, "jobs": jobs, "total_seconds": round(total, 2),
            "notebooks": notebooks,
            "failed": [n["notebook"] for n in notebooks if n["status"] != "ok"]}
