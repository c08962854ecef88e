"""Where the notebooks are, where their executed copies go, what they recorded, and how
they are stored in git: without outputs or kernel metadata (shared by the build tools)."""

import concurrent.futures as cf
import fnmatch
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path, PureWindowsPath

ROOT = Path(__file__).resolve().parents[3]
CHAPTERS = ROOT / "chapters"
BUILD = ROOT / "build"
# Project kernelspecs (JUPYTER_PATH layout): d2lnotes-fork, see forkkernel.py
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"
FORK_KERNEL = "d2lnotes-fork"
# Forking a process that imported torch is safe and fast on Linux; elsewhere (macOS's
# Objective-C runtime, Windows without fork) kernels start from scratch.
DEFAULT_KERNEL = FORK_KERNEL if sys.platform == "linux" else "python3"
KERNELS = (FORK_KERNEL, "python3")  # the --kernel choices of run, html, test and bench


def use_project_kernels(environ=os.environ):
    """Make the project's kernelspecs visible to jupyter_client in this process (or in the
    processes started with ``environ``)."""
    paths = environ.get("JUPYTER_PATH", "").split(os.pathsep)
    if str(JUPYTER_DATA) not in paths:
        environ["JUPYTER_PATH"] = os.pathsep.join([str(JUPYTER_DATA)] + [p for p in paths if p])
    return environ


# A student's own worked copies (JupyterLab's File > Save As), ignored by git and by the tools.
MY_NOTES = "my-notes"
SKIPPED_DIRS = {".ipynb_checkpoints", MY_NOTES}


def find_notebooks(root):
    """Every notebook under ``root`` in reading order, leaving out Jupyter's checkpoints and
    the student's own copies in my-notes/."""
    return sorted(p for p in Path(root).rglob("*.ipynb") if not SKIPPED_DIRS & set(p.parts))


# The notes' table of contents (chapters/README.ipynb): JupyterLab opens it first; it is no
# section, so the runner, the site and the conventions leave it out.
INDEX = "README.ipynb"


def source_notebooks(pattern="", root=CHAPTERS):
    """Source notebooks under ``root`` in reading order (not the index), optionally filtered
    by a substring or glob of their path below ``root``."""
    paths = [p for p in find_notebooks(root) if p != Path(root) / INDEX]
    if pattern:
        glob = pattern if any(c in pattern for c in "*?[") else f"*{pattern}*"
        paths = [p for p in paths if fnmatch.fnmatch(str(p.relative_to(root)), glob)]
    return paths


# The git filter (.gitattributes: `*.ipynb filter=nbstripout`). nbstripout drops outputs,
# execution counts, widget state and JupyterLab's collapsed/scrolled/execution cell metadata;
# these are what else a kernel or an editor fills in (an output folded in JupyterLab,
# `jupyter.outputs_hidden`, too). Kept: cell tags, the folded solutions'
# `jp-MarkdownHeadingCollapsed`, the folded install, figure and record cells'
# `"jupyter": {"source_hidden": true}`, and the cell ids, so that inserting a cell does not
# renumber every cell after it.
STRIPPED_KEYS = ("metadata.language_info", "metadata.vscode",
                 "cell.metadata.jupyter.outputs_hidden")
# --unix-newlines: Windows gets the same bytes as Linux.
NBSTRIPOUT_OPTIONS = ("--keep-id", "--unix-newlines", "--extra-keys", " ".join(STRIPPED_KEYS))


def nbstripout_command(python=sys.executable):
    """The clean filter: a notebook on stdin, its stripped form on stdout."""
    return [str(python), "-m", "nbstripout", *NBSTRIPOUT_OPTIONS]


def git_filter_settings(python=sys.executable):
    """The local git config that runs the filter; git runs these lines with sh (Git for
    Windows brings its own), so the interpreter is written with forward slashes and quoted."""
    command = [PureWindowsPath(python).as_posix(), *nbstripout_command(python)[1:]]
    clean = " ".join(shlex.quote(part) for part in command)
    return {
        "filter.nbstripout.clean": clean,
        "filter.nbstripout.smudge": "cat",
        # Without the filter (say .venv was deleted) git refuses to add notebooks instead of
        # storing their outputs.
        "filter.nbstripout.required": "true",
        "diff.ipynb.textconv": clean + " --textconv",
    }


def install_git_filter(repo=ROOT, python=sys.executable):
    """Configure the filter in ``repo``'s .git/config; False when ``repo`` is no git checkout
    (a downloaded archive) or git is missing, where there is nothing to keep clean."""
    try:
        subprocess.run(["git", "rev-parse", "--git-dir"], cwd=repo, check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    for key, value in git_filter_settings(python).items():
        subprocess.run(["git", "config", "--local", key, value], cwd=repo, check=True)
    return True


def _nbstripout(args, data=None):
    proc = subprocess.run([*nbstripout_command(), *args], input=data, capture_output=True,
                          cwd=ROOT)
    if proc.returncode:
        raise RuntimeError(f"nbstripout failed: {proc.stderr.decode(errors='replace').strip()}"
                           " (is it installed? run `make install`)")
    return proc.stdout


def cleaned(data):
    """A notebook's bytes as the filter stores them in git."""
    return _nbstripout([], data)


def stored_forms(paths):
    """What the filter stores for each of ``paths``, from one nbstripout (importing it takes
    seconds): it prints them one after the other, each a JSON object from a "{" line to a
    "}" line (nested lines are indented)."""
    if not paths:
        return {}  # nbstripout without files would read stdin
    out = _nbstripout(["--textconv", *map(str, paths)])
    forms = re.split(rb"(?<=\n\}\n)(?=\{)", out)
    if len(forms) != len(paths):
        raise RuntimeError(f"nbstripout printed {len(forms)} notebooks for {len(paths)}")
    return dict(zip(paths, forms))


def unclean_notebooks(paths, fix=False):
    """The notebooks whose bytes differ from what the filter stores (outputs, kernel metadata,
    or another JSON layout); ``fix`` writes the stored form in their place."""
    paths = list(paths)
    jobs = min(len(paths), os.cpu_count() or 1)
    stored = {}
    with cf.ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        for forms in pool.map(stored_forms, [paths[i::jobs] for i in range(jobs)]):
            stored.update(forms)
    unclean = [path for path in paths if path.read_bytes() != stored[path]]
    if fix:
        for path in unclean:
            path.write_bytes(stored[path])
    return unclean
