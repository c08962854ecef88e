"""`python -m notestools lab`: JupyterLab in chapters/, opening the index notebook.

Before it starts, the git filter is configured (outputs never reach git) and chapters/my-notes/
exists for the student's own copies (File > Save As; git and the tools ignore it).

Everything else applies to this server only; the student's own Jupyter configuration (in
their home) is left as it is:

- ``--lang zh`` or ``--lang en`` shows the notes in one language (``both``, the default, shows
  both); the choice is remembered for this clone (in .git/) until ``--lang both``. With ``zh``
  JupyterLab's own menus are in Chinese too (the language pack jupyterlab-language-pack-zh-cn).
- the project's extension (jupyter/labextensions/d2lnotes-lab, loaded from there) hides the other
  language's cells from the page, the table of contents and keyboard navigation, starts no
  kernel for a notebook without code (the contents page), and keeps an untouched notebook
  untouched when its kernel connects;
- the settings (jupyter/lab-settings/overrides.json): no news pop-up or update check, closing a
  notebook shuts its kernel down, the file browser follows the open notebook;
- a quiet terminal: kernels talk to the server over CurveZMQ-encrypted sockets where pyzmq
  supports it (no "running over TCP without encryption" warning), opening a notebook stored
  without outputs logs no "not trusted" warning, and the browser's websockets to this local
  server are not pinged (tornado warns about Jupyter Server's ping settings).
The server's settings and workspaces (its layout) go to build/lab/ (git-ignored).
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from .notebooks import BUILD, CHAPTERS, INDEX, MY_NOTES, ROOT, install_git_filter

JUPYTER = Path(__file__).resolve().parent / "jupyter"
# overrides.json: JupyterLab's settings for this server (news pop-up and update check off,
# kernels shut down with their notebook, the file browser follows the open notebook).
SETTINGS = JUPYTER / "lab-settings"
# The project's own prebuilt JupyterLab extension (no build step: a hand-written container).
LABEXTENSIONS = JUPYTER / "labextensions"
LAB_BUILD = BUILD / "lab"
LANGUAGES = ("both", "zh", "en")
# JupyterLab's locale per language view; `both` leaves JupyterLab's own default.
LOCALES = {"zh": "zh_CN", "en": "en"}
LANGUAGE_FILE = "d2lnotes-lab-language"
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


def language_file(repo=ROOT):
    """Where this clone remembers the language view: .git/d2lnotes-lab-language (the git
    directory a `.git` file points to, in a worktree), or build/lab/language outside a git
    checkout."""
    dot_git = Path(repo) / ".git"
    if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>"
        text = dot_git.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            dot_git = (Path(repo) / text.partition(":")[2].strip()).resolve()
    return dot_git / LANGUAGE_FILE if dot_git.is_dir() else LAB_BUILD / "language"


def choose_language(requested=None, remembered=None):
    """The language view to use: ``requested`` (then remembered, `both` forgets), or the one
    remembered for this clone, or `both`."""
    path = Path(remembered) if remembered else language_file()
    if requested is None:
        try:
            found = path.read_text(encoding="utf-8").strip()
        except OSError:
            return "both"
        return found if found in LANGUAGES else "both"
    if requested not in LANGUAGES:
        raise ValueError(f"unknown language {requested!r}: choose one of {', '.join(LANGUAGES)}")
    if requested == "both":
        path.unlink(missing_ok=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(requested + "\n", encoding="utf-8")
    return requested


def server_settings(language="both", folder=None, settings=SETTINGS):
    """JupyterLab's settings folder for one language view (``--LabApp.app_settings_dir``):
    the project's overrides.json plus the locale, and page_config.json telling the
    extension which language to show. Written to build/lab/settings-<language>/."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: choose one of {', '.join(LANGUAGES)}")
    folder = Path(folder) if folder else LAB_BUILD / f"settings-{language}"
    folder.mkdir(parents=True, exist_ok=True)
    overrides = json.loads((Path(settings) / "overrides.json").read_text(encoding="utf-8"))
    if language in LOCALES:
        overrides["@jupyterlab/translation-extension:plugin"] = {"locale": LOCALES[language]}
    (folder / "overrides.json").write_text(json.dumps(overrides, indent=2) + "\n",
                                           encoding="utf-8")
    (folder / "page_config.json").write_text(
        json.dumps({"d2lnotesLanguage": language}, indent=2) + "\n", encoding="utf-8")
    return folder


def curve_available():
    """Whether pyzmq can encrypt the kernels' sockets (CurveZMQ, libsodium)."""
    try:
        import zmq
    except ImportError:
        return False
    return bool(zmq.has("curve"))


def __getattr__(name):
    """``notestools.lab.QuietContentsManager``, built on first use: importing jupyter_server
    would slow down every other command of the CLI."""
    if name != "QuietContentsManager":
        raise AttributeError(name)
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

    class QuietContentsManager(AsyncLargeFileManager):
        """Jupyter Server's own file manager, without the "Notebook ... is not trusted"
        warning on every notebook opened: the notes are stored without outputs, so none is
        signed, and an unsigned notebook simply shows its (absent) outputs as untrusted."""

        def mark_trusted_cells(self, nb, path=""):
            self.notary.mark_cells(nb, self.notary.check_signature(nb))

    globals()[name] = QuietContentsManager
    return QuietContentsManager


def lab_command(notebook=INDEX, port=None, allow_root=False, browser=True, python=sys.executable,
                root=CHAPTERS, settings=SETTINGS, extensions=LABEXTENSIONS, encrypt=None,
                state=LAB_BUILD):
    """The JupyterLab command line (a pure function, so tests need no server)."""
    state = Path(state)
    command = [str(python), "-m", "jupyterlab", "--ip=127.0.0.1",
               f"--ServerApp.root_dir={root}", f"--LabApp.app_settings_dir={settings}",
               f"--LabApp.extra_labextensions_path={extensions}",
               f"--LabApp.workspaces_dir={state / 'workspaces'}",
               "--ServerApp.contents_manager_class=notestools.lab.QuietContentsManager",
               "--FileContentsManager.post_save_hook=notestools.lab.refresh_git_index",
               # No websocket keep-alive pings on 127.0.0.1: Jupyter Server's default timeout
               # (90 s) exceeds its interval (30 s), which tornado warns about in the terminal,
               # and a timeout no longer than the interval closes live connections.
               '--ServerApp.tornado_settings={"ws_ping_interval": 0}']
    if curve_available() if encrypt is None else encrypt:
        # Kernels whose kernelspec supports it (ipykernel's does) get CurveZMQ keys.
        command.append("--KernelManager.transport_encryption=auto")
    if notebook and (Path(root) / notebook).is_file():
        command.append(f"--LabApp.default_url=/lab/tree/{quote(Path(notebook).as_posix())}")
    if port:
        command.append(f"--ServerApp.port={port}")
    if allow_root:
        command.append("--allow-root")
    if not browser:
        command.append("--no-browser")
    return command


def main(notebook=INDEX, port=None, allow_root=False, browser=True, lang=None):
    if running_as_root() and not allow_root:
        print(ROOT_REFUSAL, file=sys.stderr)
        return 1
    install_git_filter()
    (CHAPTERS / MY_NOTES).mkdir(exist_ok=True)
    language = choose_language(lang)
    if language != "both":
        print(f"notes shown in {'中文' if language == 'zh' else 'English'} only "
              "(`make lab LANG=both` shows both languages again)")
    settings = server_settings(language)
    proc = subprocess.Popen(lab_command(notebook, port, allow_root, browser, settings=settings))
    # Ctrl-C reaches JupyterLab too, which asks before it shuts down: wait for its answer.
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            continue
