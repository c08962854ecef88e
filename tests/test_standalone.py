"""The d2lnotes wheel stands alone: built from the checkout, installed into a fresh virtual
environment, it runs notebooks copied alone into an empty folder, with no repository around.

Dependencies (torch, papermill, ...) are not downloaded again: the fresh environment sees the
project environment's packages through a .pth file, minus the project's own, so the only
d2lnotes it can import is the one from the wheel.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from notestools.notebooks import CHAPTERS, ROOT

NOTEBOOKS = ["02-preliminaries/2.1-data-manipulation.ipynb",
             "03-linear-neural-networks/3.5-image-classification-dataset.ipynb",
             "03-linear-neural-networks/3.6-softmax-regression-from-scratch.ipynb"]
PACKAGE_FILES = ["pyproject.toml", "LICENSE", "MANIFEST.in", "README.md",
                 "shared/d2lnotes-readme.md", "shared/d2lnotes"]
OWN = ("d2lnotes", "notestools", "__editable__", "_d2lnotes", "__editable___d2lnotes")


# What this test is about is where the notebooks run, not their numbers: 3.5 times the book's
# DataLoader over 5 batches instead of 60 (its estimate of an epoch still beats the in-memory
# loader by far). 3.6 keeps its 10 epochs: its calibration checks need a trained model.
PARAMETERS = {"3.5-image-classification-dataset.ipynb": {"classic_batches": 5}}
# papermill writes each output notebook once, at the end or on an error, instead of twice per
# cell: ~700 writes of growing notebooks, which cost more CPU than running 2.1 does.
EXECUTE_EACH = """
import json
import sys
import papermill as pm
parameters = json.loads(sys.argv[1])
for name in sys.argv[2:]:
    print(name, flush=True)
    pm.execute_notebook(name, "out-" + name, kernel_name="standalone", cwd=".",
                        parameters=parameters.get(name), progress_bar=False,
                        request_save_on_cell_execute=False)
"""


def run(*args, **kwargs):
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True,
                          **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Build the wheel and sdist from a copy of the package's files (nothing lands in the
    checkout); the release workflow passes the wheel it built in D2LNOTES_WHEEL instead."""
    if os.environ.get("D2LNOTES_WHEEL"):
        return Path(os.environ["D2LNOTES_WHEEL"]).resolve()
    src = tmp_path_factory.mktemp("src")
    for name in PACKAGE_FILES:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, src / name)
    shutil.rmtree(src / "shared/d2lnotes/__pycache__", ignore_errors=True)
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, src)
    [whl] = dist.glob("d2lnotes-*.whl")
    return whl


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel):
    """A fresh virtual environment with the wheel installed (dependencies resolved offline
    against the project environment's packages)."""
    home = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", "--without-pip", home)
    python = home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .stdout.strip())
    borrowed = home / "borrowed"
    borrowed.mkdir()
    ours = Path(sysconfig.get_paths()["purelib"])
    for entry in ours.iterdir():
        if not entry.name.lower().startswith(OWN) and not entry.name.endswith(".pth"):
            (borrowed / entry.name).symlink_to(entry)
    (site / "borrowed.pth").write_text(str(borrowed) + "\n")
    run(python, "-m", "pip", "install", "--no-index", "--no-build-isolation", wheel)
    return python


def test_the_wheel_holds_the_helper_only(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n == "d2lnotes/train.py" for n in names)
    assert not [n for n in names if "notestools" in n or "forkkernel" in n or "tests/" in n]
    meta = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    for field in ("Version: ", "Summary: ", "License-Expression: MIT", "Requires-Python: ",
                  "Requires-Dist: torch", "Classifier: ", "Project-URL: "):
        assert field in meta, field


def test_the_fresh_environment_imports_the_wheel(venv):
    where = run(venv, "-c", "import d2lnotes; print(d2lnotes.__file__)").stdout.strip()
    assert Path(where).is_relative_to(venv.parents[1]), where
    assert run(venv, "-c", "import importlib.util as u; print(u.find_spec('notestools'))"
               ).stdout.strip() == "None"


def test_notebooks_run_alone_in_an_empty_folder(venv, tmp_path):
    """The wheel's own code finds (and if need be unpacks) Fashion-MNIST, as for a user."""
    kernels = tmp_path / "jupyter" / "kernels" / "standalone"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(venv), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "d2lnotes wheel", "language": "python"}))
    alone = tmp_path / "alone"
    alone.mkdir()
    for rel in NOTEBOOKS:
        shutil.copy(CHAPTERS / rel, alone)
    env = {**os.environ, "JUPYTER_PATH": str(tmp_path / "jupyter"), "OMP_NUM_THREADS": "1"}
    names = [Path(rel).name for rel in NOTEBOOKS]
    # One papermill for the three (importing it takes seconds); each in a fresh kernel.
    done = subprocess.run([sys.executable, "-c", EXECUTE_EACH, json.dumps(PARAMETERS), *names],
                          cwd=alone, env=env, capture_output=True, text=True, timeout=900)
    failed = (done.stdout.split() or ["a notebook"])[-1]  # the last one started
    assert done.returncode == 0, f"{failed} failed alone:\n{done.stderr[-3000:]}"
    assert sorted(p.name for p in alone.iterdir() if p.name.startswith("out-")) == \
        sorted(f"out-{name}" for name in names)
    assert sorted(p.name for p in alone.iterdir() if not p.name.startswith("out-")) == \
        sorted(Path(r).name for r in NOTEBOOKS)
    for name, parameters in PARAMETERS.items():  # papermill gave them to the kernel
        cells = json.loads((alone / f"out-{name}").read_text(encoding="utf-8"))["cells"]
        [injected] = [c for c in cells if "injected-parameters" in c["metadata"].get("tags", [])]
        assert all(f"{k} = {v!r}" in "".join(injected["source"]) for k, v in parameters.items())
