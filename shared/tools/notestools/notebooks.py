"""Where the notebooks are, where their executed copies go, and what they recorded
(shared by the build tools)."""

import fnmatch
import os
import sys
from pathlib import Path

from d2lnotes.results import MIME_TYPE

ROOT = Path(__file__).resolve().parents[3]
CHAPTERS = ROOT / "chapters"
BUILD = ROOT / "build"
# Project kernelspecs (JUPYTER_PATH layout): d2lnotes-fork, see forkkernel.py
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"
FORK_KERNEL = "d2lnotes-fork"
# Forking a process that imported torch is safe and fast on Linux; elsewhere (macOS's
# Objective-C runtime, Windows without fork) kernels start from scratch.
DEFAULT_KERNEL = FORK_KERNEL if sys.platform == "linux" else "python3"


def use_project_kernels():
    """Make the project's kernelspecs visible to jupyter_client in this process."""
    paths = os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
    if str(JUPYTER_DATA) not in paths:
        os.environ["JUPYTER_PATH"] = os.pathsep.join([str(JUPYTER_DATA)] + [p for p in paths if p])


def find_notebooks(root):
    """Every notebook under ``root`` in reading order, leaving out Jupyter's checkpoints."""
    return sorted(p for p in Path(root).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def source_notebooks(pattern=""):
    """Source notebooks in reading order, optionally filtered by a substring or glob."""
    paths = find_notebooks(CHAPTERS)
    if pattern:
        glob = pattern if any(c in pattern for c in "*?[") else f"*{pattern}*"
        paths = [p for p in paths if fnmatch.fnmatch(str(p.relative_to(CHAPTERS)), glob)]
    return paths


def recorded_metrics(nb):
    """Every value a notebook published with d2l.record, in cell order (later wins)."""
    found = {}
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if MIME_TYPE in data:
                found.update(data[MIME_TYPE])
    return found
