"""Study anywhere: every notebook's install cell, its three paths (clone, Colab/Kaggle,
elsewhere), the launch links built from pyproject.toml, and the known-good versions."""

import json
import os
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


def setup_cell(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = [c for c in cells if launch.SETUP_TAG in c.get("metadata", {}).get("tags", [])]
    assert len(found) == 1, f"{path.name}: one install cell tagged `setup`"
    index = cells.index(found[0])
    assert "parameters" in cells[index - 1]["metadata"].get("tags", []), \
        "the install cell comes right after the parameters cell"
    return "".join(found[0]["source"])


@pytest.mark.parametrize("path", source_notebooks(), ids=lambda p: p.stem)
def test_every_notebook_has_the_install_cell_of_pyproject(path):
    assert setup_cell(path) == launch.setup_cell_source(launch.repository_url())


def test_nothing_is_out_of_date():
    assert launch.out_of_date() == []


@pytest.fixture(scope="module")
def cell():
    return setup_cell(source_notebooks("3.6")[0])


def test_in_the_clone_the_cell_does_nothing(cell):
    outcome, shown = simulate(cell, found=True, colab=True)
    assert outcome == {"pip": [], "error": None} and not shown.strip()


@pytest.mark.parametrize("platform", ["colab", "kaggle"])
def test_colab_and_kaggle_install_quietly(cell, platform):
    outcome, _ = simulate(cell, found=False, **{platform: True})
    requirement = launch.install_requirement(launch.repository_url())
    assert outcome == {"pip": [f"install -q {requirement}"], "error": None}


def test_elsewhere_one_line_says_what_to_run(cell):
    outcome, shown = simulate(cell, found=False)
    assert outcome["pip"] == [] and outcome["error"] == "UsageError"  # Run All stops here
    lines = [line for line in shown.splitlines() if line.strip()]
    requirement = launch.install_requirement(launch.repository_url())
    assert lines == [f"UsageError: d2lnotes is not installed. Run: pip install {requirement}"]


def test_the_requirement_follows_the_repository_url():
    assert launch.install_requirement(None) == "d2lnotes"
    url = "https://github.com/someone/d2l-notes"
    assert launch.install_requirement(url) == f'"d2lnotes @ git+{url}"'
    assert f'%pip install -q "d2lnotes @ git+{url}"' in launch.setup_cell_source(url)


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
    (chapters / "03" / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{launch.README_START}\nold\n{launch.README_END}\nrest\n")
    pyproject = tmp_path / "pyproject.toml"
    url = "https://github.com/someone/d2l-notes"
    pyproject.write_text(f'[project]\nname = "x"\n[project.urls]\nRepository = "{url}"\n')
    kwargs = {"chapters": chapters, "readme": readme, "pyproject": pyproject}
    assert len(launch.out_of_date(write=True, **kwargs)) == 2
    assert launch.out_of_date(**kwargs) == []  # writing twice changes nothing
    assert f"git+{url}" in setup_cell(chapters / "03" / src.name)
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
