"""build/results.json: the one file where `run` reports each notebook's outcome and what it
recorded with ``d2l.record(...)``, and the one reader of it (the site reads nothing else).

    {"environment": {...}, "total_seconds": 41.2, "complete": true,
     "notebooks": [{"notebook": "03-linear-neural-networks/3.6-....ipynb", "status": "ok",
                    "seconds": 5.1, "peak_rss_mb": 412.0, "error": null,
                    "recorded": {"test_acc": 0.83}}]}

``status`` is one of :data:`STATUSES`; ``seconds`` are wall seconds executing that notebook
and ``total_seconds`` those of the whole run. ``complete`` is false while a notebook in the
list was cut short or never started because a run was interrupted (status "interrupted"):
such a report is not a finished run, and `html` executes the notebooks again.
"""

import json
import os
import tempfile
from pathlib import Path

from d2lnotes.results import MIME_TYPE

from .notebooks import BUILD

RESULTS_FILE = BUILD / "results.json"
STATUSES = ("ok", "failed", "timed out", "kernel died", "interrupted")


def empty_report():
    """What :func:`read_results` gives before any run: no notebook, not complete."""
    return {"environment": {}, "total_seconds": 0.0, "complete": False, "notebooks": []}


def read_results(path=RESULTS_FILE):
    """The last run's report; :func:`empty_report` when there is none yet."""
    path = Path(path)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return empty_report()
    except ValueError as err:
        raise ValueError(f"{path} is not a results file ({err}); delete it and run the "
                         "notebooks again (python -m notestools run)") from None
    if not isinstance(report, dict) or not isinstance(report.get("notebooks"), list):
        raise ValueError(f"{path} has no list of notebooks; delete it and run the notebooks "
                         "again (python -m notestools run)")
    return {**empty_report(), **report}


def write_results(report, path=RESULTS_FILE):
    """Write ``report`` so that a reader sees the old file or the new one, never a part."""
    write_atomically(path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def write_atomically(path, text):
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def recorded_results(nb):
    """Every value an executed notebook published with d2l.record, in cell order (later
    wins). ``nb`` is the notebook as a dict (nbformat's or plain JSON)."""
    found = {}
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if MIME_TYPE in data:
                found.update(data[MIME_TYPE])
    return found
