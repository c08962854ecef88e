"""`python -m notestools lab`: JupyterLab in chapters/, opening the index notebook.

Before it starts, the git filter is configured (outputs never reach git) and chapters/my-notes/
exists for the student's own copies (File > Save As; git and the tools ignore it).
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from .notebooks import CHAPTERS, INDEX, MY_NOTES, install_git_filter

# overrides.json there turns off JupyterLab's "get notified about official Jupyter news?"
# pop-up and its update check, for this server only (nothing is written to the user's home).
SETTINGS = Path(__file__).resolve().parent / "jupyter" / "lab-settings"
ROOT_REFUSAL = ("JupyterLab refuses to run as root, since every notebook would run with root's "
                "rights: start it as an ordinary user, or anyway with `make lab ALLOW_ROOT=1` "
                "(`python -m notestools lab --allow-root`).")


def running_as_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0  # Windows has no root


def refresh_git_index(model, os_path, contents_manager=None, **kwargs):
    """After JupyterLab saves a notebook: when git's filter finds nothing but outputs and
    kernel metadata changed, record the file's new size in git's index, so `git status`
    stays clean (git calls a file whose size changed modified without asking the filter).
    A real edit stays an unstaged change for the student to keep or discard."""
    if model.get("type") != "notebook":
        return
    folder, name = os.path.split(os_path)

    def git(*args):
        return subprocess.run(["git", *args, "--", name], cwd=folder, capture_output=True)

    if git("ls-files", "--error-unmatch").returncode == 0 and \
            git("diff", "--quiet").returncode == 0:
        git("add")  # stages nothing: the stored form is unchanged


def lab_command(notebook=INDEX, port=None, allow_root=False, browser=True, python=sys.executable,
                root=CHAPTERS, settings=SETTINGS):
    """The JupyterLab command line (a pure function, so tests need no server)."""
    command = [str(python), "-m", "jupyterlab", "--ip=127.0.0.1",
               f"--ServerApp.root_dir={root}", f"--LabApp.app_settings_dir={settings}",
               "--FileContentsManager.post_save_hook=notestools.lab.refresh_git_index"]
    if notebook and (Path(root) / notebook).is_file():
        command.append(f"--LabApp.default_url=/lab/tree/{quote(Path(notebook).as_posix())}")
    if port:
        command.append(f"--ServerApp.port={port}")
    if allow_root:
        command.append("--allow-root")
    if not browser:
        command.append("--no-browser")
    return command


def main(notebook=INDEX, port=None, allow_root=False, browser=True):
    if running_as_root() and not allow_root:
        print(ROOT_REFUSAL, file=sys.stderr)
        return 1
    install_git_filter()
    (CHAPTERS / MY_NOTES).mkdir(exist_ok=True)
    proc = subprocess.Popen(lab_command(notebook, port, allow_root, browser))
    # Ctrl-C reaches JupyterLab too, which asks before it shuts down: wait for its answer.
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            continue
