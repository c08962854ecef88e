"""Shared fixtures: the repository's notebooks, the real Fashion-MNIST data, the kernel
zygote, and headless Chromium for the browser tests (marked `browser`)."""

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# tests/faults/ holds notebooks that fail, crash and hang on purpose for tests/test_faults.py:
# nbval, which `make test` points at every notebook, must not collect them.
collect_ignore_glob = ["faults/*.ipynb"]


# `make test` runs pytest-xdist with --dist loadscope --no-loadscope-reorder and the scheduler
# below: each group runs whole on one worker, in collection order. A group is a test module (its
# module fixtures are made once), a notebook's nbval cells (one kernel, in order), or modules that
# JOINED puts together to share a session fixture. (xdist's own --dist loadgroup would read
# xdist_group marks, but with pytest 9.2 it groups nothing: pytest-dev/pytest-xdist#1386.) The
# longest groups start first, so that neither worker is left alone with a long one at the end
# (where the time goes: build/ci/timings.txt after `.ci/run`).
JOINED = {"tests/test_site.py": "site", "tests/test_site_browser.py": "site"}  # the real site
LONGEST_FIRST = ["tests/test_lab.py", "tests/test_standalone.py", "tests/test_bench.py", "site",
                 "tests/test_faults.py", "tests/test_cli.py", "tests/test_run_notebooks.py"]


def group_of(nodeid):
    path = nodeid.split("::")[0]
    return JOINED.get(path, path)


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadscope":
        return None  # xdist's own
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return group_of(nodeid)

    return GroupScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    def rank(item):
        group = group_of(item.nodeid)
        if group in LONGEST_FIRST:
            return LONGEST_FIRST.index(group)
        return len(LONGEST_FIRST) + (0 if group.endswith(".ipynb") else 1)

    items.sort(key=rank)  # stable: a group's own tests keep their order


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives headless Chromium (Debian's chromium "
                            "and chromium-driver); `python -m notestools test --no-browser` "
                            "or D2L_SKIP_BROWSER=1 leaves them out")


def load_notebook(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def fashion_mnist_root():
    """The data directory holding the real Fashion-MNIST (prepared once, as a user would)."""
    from d2lnotes import data_dir, fashion_mnist_datasets

    root = data_dir()
    fashion_mnist_datasets(root=root)  # finds, unpacks and checks the files, or says how to
    return root


@pytest.fixture(scope="session")
def fork_zygote():
    """This test process's kernel zygote (started once; nbval's kernels fork from it too)."""
    if sys.platform != "linux":
        pytest.skip("forked kernels are Linux-only (python3 kernels elsewhere)")
    from notestools.forkkernel import Zygote

    return Zygote.get()


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """Headless Chromium through selenium (the site's own launcher). Hostnames do not
    resolve, so a page that reaches for a CDN gets an error; 127.0.0.1 and file:// work."""
    if os.environ.get("D2L_SKIP_BROWSER") == "1":
        pytest.skip("D2L_SKIP_BROWSER=1: browser test skipped on purpose")
    from notestools.site.browser import INSTALL_HINT, chromium_paths, start_chrome

    if not all(chromium_paths()):
        pytest.skip(f"no Chromium here: {INSTALL_HINT}")
    try:
        driver = start_chrome(tmp_path_factory.mktemp("chromium-profile"), offline=False,
                              capabilities={"goog:loggingPrefs": {"browser": "ALL",
                                                                  "performance": "ALL"}})
    except RuntimeError as err:  # a driver for another browser version says so here
        pytest.fail(str(err))
    try:
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def executed_notebooks(tmp_path_factory):
    """Every source notebook executed, as (folder of executed copies, results.json): the
    copies in build/ when the last `make run`/`html`/`pdf` wrote them from the current code,
    helpers, runner, torch and Python (so CI, which runs `make html` first, executes nothing
    again here); else executed now, once per test session, into a temporary folder (build/
    is left alone)."""
    from notestools import run_notebooks
    from notestools.notebooks import BUILD, CHAPTERS, source_notebooks
    from notestools.results import RESULTS_FILE

    stale = run_notebooks.stale_copies(source_notebooks(), CHAPTERS, BUILD / "notebooks",
                                       RESULTS_FILE, run_notebooks.versions())
    if not stale:
        return BUILD / "notebooks", RESULTS_FILE
    tmp = tmp_path_factory.mktemp("executed")
    print(f"executing the notebooks for this test session ({len(stale)} stale in build/)")
    run_notebooks.main(["--out", str(tmp / "notebooks"), "--results",
                        str(tmp / "results.json"), "--device", "cpu"])
    return tmp / "notebooks", tmp / "results.json"
