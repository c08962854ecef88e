"""Where datasets live: one directory for every notebook, wherever it runs from."""

import os
from pathlib import Path


def data_dir():
    """The data directory: ``$D2L_DATA_DIR`` if set, else a per-user cache folder.

    Never relative to the working directory, so a notebook finds the same files whether
    it runs from JupyterLab, papermill or a test, and never writes next to the notebooks.
    """
    env = os.environ.get("D2L_DATA_DIR")
    if env:
        path = Path(env).expanduser()
    elif os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
        path = Path(base) / "d2lnotes" / "data"
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        path = Path(base) / "d2lnotes" / "data"
    path.mkdir(parents=True, exist_ok=True)
    return path
