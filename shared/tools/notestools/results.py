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

import hashlib
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


# --- what an executed notebook's outputs depend on ------------------------------------------
# Each executed notebook's entry, and its executed copy's metadata ("d2lnotes"), hold its
# ``inputs``: digests and values, compared key by key with those of the next run, which
# executes again only the notebooks whose inputs changed or whose last run was not ok.
# Markdown is no input: a notebook whose prose alone changed is not executed again, its
# executed copy takes the new prose (see refreshed_copy).

INPUT_CHANGES = {  # key: why a notebook runs again when that input changed
    "code": "its code cells changed",
    "d2lnotes": "the d2lnotes helpers changed",
    "runner": "the runner changed",
    "parameters": "other parameters",
    "device": "another device",
    "kernel": "another kernel kind",
    "torch": "another torch",
    "python": "another Python",
}
COPY_KEY = "d2lnotes"  # in an executed copy's metadata: {"inputs": {...}}


def _digest(data):
    return hashlib.sha256(data).hexdigest()[:16]


def code_digest(nb):
    """The code cells' sources and tags (papermill's `parameters`, nbclient's
    `raises-exception`), in order: what the notebook runs. Markdown is left out."""
    code = [[_source(cell), cell.get("metadata", {}).get("tags", [])]
            for cell in nb.get("cells", []) if cell.get("cell_type") == "code"]
    return _digest(json.dumps(code, ensure_ascii=False).encode())


def files_digest(paths, root):
    """One digest of the files' names (below ``root``) and bytes."""
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(Path(path).relative_to(root).as_posix().encode() + b"\0")
        h.update(Path(path).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def changed_input(old, new):
    """Why a notebook whose last inputs were ``old`` runs again with ``new``, or None."""
    if not old:
        return "not run with these tools before"
    for key, why in INPUT_CHANGES.items():
        if old.get(key) != new.get(key):
            return why
    return None


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def refreshed_copy(source, executed):
    """``executed`` (a notebook executed from an earlier version of ``source`` with the same
    code cells) with ``source``'s markdown cells and cell metadata: what executing ``source``
    gives, without executing it. Both are notebooks as plain JSON dicts."""
    def is_injected(cell):
        return "injected-parameters" in cell.get("metadata", {}).get("tags", [])

    ran = [c for c in executed["cells"] if c["cell_type"] == "code" and not is_injected(c)]
    code = [c for c in source["cells"] if c["cell_type"] == "code"]
    if [_source(c) for c in ran] != [_source(c) for c in code]:
        raise ValueError("the executed copy ran other code cells")
    injected, before = None, 0  # papermill's parameters cell, after `before` code cells
    for cell in executed["cells"]:
        if is_injected(cell):
            injected = cell
            break
        before += cell["cell_type"] == "code"
    cells = [injected] if injected is not None and before == 0 else []
    outputs, by_id = iter(ran), {c.get("id"): c for c in executed["cells"] if c.get("id")}
    for cell in source["cells"]:
        cell = dict(cell)
        if cell["cell_type"] == "code":
            done = next(outputs)
            cell.update(outputs=done.get("outputs", []),
                        execution_count=done.get("execution_count"))
        else:
            done = by_id.get(cell.get("id"), {})
        cell["metadata"] = {**cell.get("metadata", {}), **_run_metadata(done, cell)}
        cells.append(cell)
        if injected is not None and before and cell["cell_type"] == "code":
            before -= 1
            if before == 0:
                cells.append(injected)
    metadata = {**executed.get("metadata", {}),
                **{k: v for k, v in source.get("metadata", {}).items() if k != "kernelspec"}}
    return {**executed, "metadata": metadata, "cells": cells}


def _run_metadata(executed_cell, source_cell):
    """What papermill and nbclient added to a cell's metadata when it ran."""
    metadata = executed_cell.get("metadata", {})
    kept = {k: v for k, v in metadata.items() if k in ("papermill", "execution")}
    if metadata.get("tags") == [] and "tags" not in source_cell.get("metadata", {}):
        kept["tags"] = []  # papermill gives every cell a list of tags
    return kept
