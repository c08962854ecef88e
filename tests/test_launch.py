"""Study anywhere: every notebook's install cell, its three paths (clone, Colab/Kaggle,
elsewhere) in each of its three states (no public source, the repository's tag, a PyPI
release), the launch links built from pyproject.toml, the known-good versions, and the
install commands of `make install`."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from notestools import constraints, launch
from notestools.notebooks import CHAPTERS, ROOT, source_notebooks

# Runs a cell in a real IPython shell: `find` says whether d2lnotes is importable, `%pip` is
# recorded instead of run, and the platform markers are what the test sets.
SIMULATE = r"""
import importlib.util, json, os, sys
from IPython.core.interactiveshell import InteractiveShell

find = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: (
    None if name == "d2lnotes" and os.environ["FOUND"] == "0" else find(name, *a))
if os.environ.get("COLAB") == "1":
    sys.modules["google.colab"] = type(sys)("google.colab")
shell = InteractiveShell.instance()
ran = []
shell.register_magic_function(ran.append, "line", "pip")
result = shell.run_cell(os.environ["CELL"])
error = result.error_in_exec
print(json.dumps({"pip": ran, "error": type(error).__name__ if error else None}))
"""


def simulate(cell, found, colab=False, kaggle=False):
    env = {k: v for k, v in os.environ.items() if k != "KAGGLE_KERNEL_RUN_TYPE"}
    env.update(CELL=cell, FOUND="1" if found else "0", COLAB="1" if colab else "0")
    if kaggle:
        env["KAGGLE_KERNEL_RUN_TYPE"] = "Interactive"
    done = subprocess.run([sys.executable, "-c", SIMULATE], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    *shown, last = done.stdout.strip().splitlines()
    return json.loads(last), "\n".join(shown) + done.stderr


def setup_cell(path, folded=True):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = [c for c in cells if launch.SETUP_TAG in c.get("metadata", {}).get("tags", [])]
    assert len(found) == 1, f"{path.name}: one install cell tagged `setup`"
    index = cells.index(found[0])
    assert "parameters" in cells[index - 1]["metadata"].get("tags", []), \
        "the install cell comes right after the parameters cell"
    if folded:
        assert found[0]["metadata"].get("jupyter") == {"source_hidden": True}, \
            f"{path.name}: the install cell is folded in JupyterLab"
    return "".join(found[0]["source"])


@pytest.mark.parametrize("path", source_notebooks(), ids=lambda p: p.stem)
def test_every_notebook_has_the_install_cell_of_pyproject(path):
    assert setup_cell(path) == launch.project_setup_cell()


def test_nothing_is_out_of_date():
    assert launch.out_of_date() == []


URL = "https://github.com/someone/d2l-notes"
VERSION = "1.2.3"
# The three states: (repository URL, released) -> what Colab and Kaggle install
STATES = {"no public source": (None, False, None),
          "repository": (URL, False, f'"d2lnotes @ git+{URL}@v{VERSION}"'),
          "released": (URL, True, f"d2lnotes=={VERSION}")}


@pytest.fixture(scope="module", params=list(STATES))
def state(request):
    url, released, requirement = STATES[request.param]
    return launch.setup_cell_source(url, VERSION, released), requirement


def test_the_first_line_says_what_the_cell_is(state):
    first = state[0].splitlines()[0]
    assert first == launch.SETUP_TITLE
    assert first.startswith("# 安装辅助包 d2lnotes") and "Install the helper package" in first


def test_in_the_clone_the_cell_does_nothing(state):
    outcome, shown = simulate(state[0], found=True, colab=True)
    assert outcome == {"pip": [], "error": None} and not shown.strip()


@pytest.mark.parametrize("platform", ["colab", "kaggle"])
def test_colab_and_kaggle_install_the_pinned_helper(state, platform):
    cell, requirement = state
    outcome, shown = simulate(cell, found=False, **{platform: True})
    if requirement is None:  # nothing public to install: say how, in one line
        assert outcome == {"pip": [], "error": "UsageError"}
        assert shown.strip() == f"UsageError: {launch.clone_message(VERSION)}"
    else:
        assert outcome == {"pip": [f"install -q {requirement}"], "error": None}


def test_elsewhere_one_line_says_what_to_run(state):
    cell, requirement = state
    outcome, shown = simulate(cell, found=False)
    assert outcome["pip"] == [] and outcome["error"] == "UsageError"  # Run All stops here
    lines = [line for line in shown.splitlines() if line.strip()]
    if requirement is None:
        assert lines == [f"UsageError: {launch.clone_message(VERSION)}"]
        assert "pip install -e <path to the clone>" in lines[0]
        assert f"d2lnotes-{VERSION}-py3-none-any.whl" in lines[0]
    else:
        assert lines == [f"UsageError: d2lnotes is not installed. Run: pip install {requirement}"]


def test_never_an_unpinned_name():
    for url in (None, URL):
        for released in (False, True):
            cell = launch.setup_cell_source(url, VERSION, released)
            named = [line for line in cell.splitlines() if "pip install" in line]
            assert named
            for line in named:
                assert "d2lnotes==" in line or f"@v{VERSION}" in line or \
                    "-e <path to the clone>" in line or f"d2lnotes-{VERSION}-py3" in line, line
    assert launch.install_requirement(None, VERSION) is None
    assert launch.install_requirement(URL, VERSION) == f'"d2lnotes @ git+{URL}@v{VERSION}"'
    assert launch.install_requirement(None, VERSION, True) == f"d2lnotes=={VERSION}"


def test_the_state_is_read_from_pyproject(tmp_path):
    version_file = tmp_path / "__init__.py"
    version_file.write_text(f'"""d2lnotes"""\n\n__version__ = "{VERSION}"\n')
    assert launch.package_version(version_file) == VERSION
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n')
    assert not launch.released(pyproject)
    assert "pip install -e <path to the clone>" in launch.project_setup_cell(pyproject,
                                                                              version_file)
    pyproject.write_text(f'[project]\nname = "x"\n[project.urls]\nRepository = "{URL}"\n'
                         '[tool.d2lnotes]\nreleased = true\n')
    assert f"%pip install -q d2lnotes=={VERSION}" in launch.project_setup_cell(pyproject,
                                                                               version_file)
    pyproject.write_text('[tool.d2lnotes]\nreleased = "yes"\n')
    with pytest.raises(SystemExit, match="must be true or false"):
        launch.released(pyproject)
    # the repository's own state: a version, and a flag the maintainer flips
    assert launch.package_version() and isinstance(launch.released(), bool)


def test_links_only_for_a_github_repository():
    rel = "chapters/03-linear-neural-networks/3.6-softmax-regression-from-scratch.ipynb"
    assert launch.launch_links(rel, None) == {}
    assert launch.launch_links(rel, "https://gitlab.com/a/b") == {}
    links = launch.launch_links(rel, "https://github.com/someone/d2l-notes.git")
    assert links["colab"] == ("https://colab.research.google.com/github/someone/d2l-notes"
                              f"/blob/main/{rel}")
    assert links["kaggle"] == ("https://kaggle.com/kernels/welcome?src=https://github.com/"
                               f"someone/d2l-notes/blob/main/{rel}")
    assert links["download"].startswith("https://raw.githubusercontent.com/someone/d2l-notes/")


def test_setting_the_url_rewrites_cells_and_readme(tmp_path):
    chapters = tmp_path / "chapters"
    (chapters / "03").mkdir(parents=True)
    src = source_notebooks("3.6")[0]
    nb = json.loads(src.read_text(encoding="utf-8"))
    for cell in nb["cells"]:  # an install cell of the old, unfolded form
        if launch.SETUP_TAG in cell["metadata"].get("tags", []):
            cell["metadata"] = {"tags": [launch.SETUP_TAG]}
    (chapters / "03" / src.name).write_text(json.dumps(nb), encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{launch.README_START}\nold\n{launch.README_END}\nrest\n")
    pyproject = tmp_path / "pyproject.toml"
    url = "https://github.com/someone/d2l-notes"
    pyproject.write_text(f'[project]\nname = "x"\n[project.urls]\nRepository = "{url}"\n')
    kwargs = {"chapters": chapters, "readme": readme, "pyproject": pyproject}
    assert len(launch.out_of_date(write=True, **kwargs)) == 2
    assert launch.out_of_date(**kwargs) == []  # writing twice changes nothing
    version = launch.package_version()
    assert f"git+{url}@v{version}" in setup_cell(chapters / "03" / src.name)
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("rest\n")
    assert "[Open in Colab](https://colab.research.google.com/github/someone/" in text
    assert "[Open in Kaggle](https://kaggle.com/kernels/welcome?src=" in text


def test_readme_lists_every_notebook():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in source_notebooks():
        assert f"]({path.relative_to(ROOT).as_posix()})" in text, path.name
    assert CHAPTERS.exists()


def test_constraints_pin_within_the_ranges():
    pins = constraints.read_pins()
    assert constraints.conflicts(pins, constraints.ranges()) == []
    for name in ("torch", "torchvision", "pandas", "numpy", "papermill", "nbval", "pytest"):
        assert name in pins, f"{name} is not pinned"


def test_a_pin_outside_a_range_is_caught():
    from packaging.requirements import Requirement

    assert constraints.conflicts({"torch": "2.0.1"}, [Requirement("torch>=2.1")]) == \
        ["torch==2.0.1 does not satisfy torch>=2.1"]
    assert constraints.conflicts({}, [Requirement("pandas>=2.0")]) == ["pandas: not pinned"]


# -- make install: what studying needs, the tools on first use, PyTorch's CPU build ----------

def make_dry_run(*args):
    """The commands a make target runs (make -n -B prints them all without running them)."""
    if not shutil.which("make"):
        pytest.skip("no make here")
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    done = subprocess.run(["make", "-n", "-B", "--no-print-directory", *args], cwd=ROOT,
                          capture_output=True, text=True, env=env)
    return done.returncode, [line.strip() for line in done.stdout.splitlines()], done.stderr


def pip_lines(lines):
    return [line for line in lines if " -m pip install " in line and "--upgrade pip" not in line]


def test_make_install_installs_what_studying_needs():
    rc, lines, _ = make_dry_run("install")
    assert rc == 0
    assert pip_lines(lines) == [".venv/bin/python -m pip install -c constraints.txt "
                                "-r requirements.txt -e . -e shared/tools"]
    study = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    for tool in ("papermill", "nbval", "pytest", "ruff", "selenium", "build"):
        assert f"\n{tool}>" not in study, f"{tool} is not needed to study"
    for need in ("jupyterlab>", "jupyterlab-language-pack-zh-cn>", "torch>", "torchvision>",
                 "matplotlib>", "pandas>", "nbstripout>"):
        assert f"\n{need}" in study, need


@pytest.mark.parametrize("target", ["run", "html", "pdf", "test", "lint", "bench"])
def test_the_tools_come_with_the_targets_that_use_them(target):
    rc, lines, _ = make_dry_run(target)
    assert rc == 0
    assert pip_lines(lines)[-1] == (".venv/bin/python -m pip install -c constraints.txt "
                                    "-r requirements-dev.txt")
    assert lines[-1].startswith(f".venv/bin/python -m notestools {target}")


def test_make_lab_needs_no_tools():
    rc, lines, _ = make_dry_run("lab", "LANG=zh")
    assert rc == 0 and not [line for line in lines if "requirements-dev.txt" in line]
    assert lines[-1] == ".venv/bin/python -m notestools lab --lang zh"


def test_torch_cpu_installs_pytorchs_cpu_build_first():
    rc, lines, _ = make_dry_run("install", "TORCH=cpu")
    assert rc == 0
    assert pip_lines(lines) == [
        ".venv/bin/python -m pip install -c constraints.txt torch torchvision "
        "--index-url https://download.pytorch.org/whl/cpu",
        ".venv/bin/python -m pip install -c constraints.txt -r requirements.txt "
        "-e . -e shared/tools"]
    rc, lines, _ = make_dry_run("install", "TORCH=cpu", "CONSTRAINTS=")
    assert pip_lines(lines)[0] == (".venv/bin/python -m pip install torch torchvision "
                                   "--index-url https://download.pytorch.org/whl/cpu")


def test_an_unknown_torch_build_is_refused():
    rc, _, err = make_dry_run("install", "TORCH=cuda")
    assert rc != 0 and "TORCH=cuda: the one choice is TORCH=cpu" in err


# -- make lab's language view and settings (no server; tests/test_lab.py drives one) -----------

def test_the_language_view_is_remembered_until_both(tmp_path):
    from notestools import lab

    memory = tmp_path / "git" / "d2lnotes-lab-language"
    assert lab.choose_language(None, memory) == "both"  # nothing chosen yet
    assert lab.choose_language("zh", memory) == "zh" and memory.read_text().strip() == "zh"
    assert lab.choose_language(None, memory) == "zh"  # a later plain `make lab`
    assert lab.choose_language("both", memory) == "both" and not memory.exists()
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        lab.choose_language("fr", memory)
    memory.write_text("garbage\n")
    assert lab.choose_language(None, memory) == "both"


def test_the_language_file_lives_in_the_git_directory(tmp_path):
    from notestools import lab

    (tmp_path / "clone" / ".git").mkdir(parents=True)
    assert lab.language_file(tmp_path / "clone") == \
        tmp_path / "clone" / ".git" / lab.LANGUAGE_FILE
    worktree = tmp_path / "worktree"
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {tmp_path / 'clone' / '.git'}\n")
    assert lab.language_file(worktree) == (tmp_path / "clone" / ".git" / lab.LANGUAGE_FILE)
    assert lab.language_file(tmp_path / "archive") == lab.LAB_BUILD / "language"


@pytest.mark.parametrize("language, locale", [("zh", "zh_CN"), ("en", "en"), ("both", None)])
def test_each_view_has_its_settings(tmp_path, language, locale):
    from notestools import lab

    folder = lab.server_settings(language, tmp_path / language)
    overrides = json.loads((folder / "overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/notebook-extension:tracker"]["kernelShutdown"] is True
    assert overrides["@jupyterlab/filebrowser-extension:browser"][
        "navigateToCurrentDirectory"] is True
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert overrides.get("@jupyterlab/translation-extension:plugin", {}).get("locale") == locale
    page = json.loads((folder / "page_config.json").read_text(encoding="utf-8"))
    assert page == {"d2lnotesLanguage": language}
    command = lab.lab_command(settings=folder, encrypt=True)
    assert f"--LabApp.app_settings_dir={folder}" in command
    assert f"--LabApp.extra_labextensions_path={lab.LABEXTENSIONS}" in command
    assert "--KernelManager.transport_encryption=auto" in command
    assert "--KernelManager.transport_encryption=auto" not in lab.lab_command(encrypt=False)
    package = json.loads((lab.LABEXTENSIONS / "d2lnotes-lab" / "package.json").read_text())
    assert (lab.LABEXTENSIONS / "d2lnotes-lab" / package["jupyterlab"]["_build"]["load"]
            ).is_file()
