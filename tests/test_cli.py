"""`python -m notestools`: its commands, the Makefile over it, when `html` re-executes, the git
filter that keeps outputs out of the repository, and how `lab` starts JupyterLab."""

import json
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from notestools import cli, lab
from notestools.notebooks import (
    CHAPTERS,
    DEFAULT_KERNEL,
    JUPYTER_DATA,
    ROOT,
    cleaned,
    install_git_filter,
    stored_forms,
    unclean_notebooks,
)

COMMANDS = ("run", "html", "pdf", "test", "lint", "bench", "lab", "git-filter")


def test_help_lists_every_command():
    shown = subprocess.run([sys.executable, "-m", "notestools", "--help"], capture_output=True,
                           text=True, check=True).stdout
    for command in COMMANDS:
        assert f"\n    {command}" in shown, command


@pytest.mark.parametrize("command, options", [
    ("run", ["--device", "--pattern", "--kernel", "--jobs", "--timeout", "--out", "--rerun"]),
    ("html", ["--device", "--kernel", "--jobs", "--timeout", "--lang", "--rerun"]),
    ("pdf", ["--device", "--kernel", "--jobs", "--timeout", "--lang", "--rerun"]),
    ("test", ["--device", "--kernel", "--jobs", "--no-browser"]),
    ("lint", ["--clean-notebooks"]),
    ("lab", ["--port", "--allow-root", "--no-browser", "--lang"]),
    ("bench", ["--quick", "--device", "--kernel"]),
])
def test_each_command_lists_its_options(command, options, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main([command, "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"usage: python -m notestools {command}")
    for option in options:
        assert option in shown, option


def make_dry_run(*args, env=None):
    """The commands a make target runs (make -n prints them without running them)."""
    if not shutil.which("make"):
        pytest.skip("no make here (Windows: python -m notestools is the same)")
    # Under `make test` this runs inside make: without its variables, a nested make would
    # also print "Entering/Leaving directory" lines.
    env = {k: v for k, v in (env or os.environ).items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    out = subprocess.run(["make", "-n", "--no-print-directory", *args], cwd=ROOT,
                         capture_output=True, text=True, check=True, env=env).stdout
    return [line.strip() for line in out.splitlines()]


@pytest.mark.parametrize("target, variables, expected", [
    ("run", [], "run"),
    ("run", ["DEVICE=cuda", "NB=2.1 3.6", "KERNEL=python3", "JOBS=3", "TIMEOUT=100"],
     'run --device "cuda" --kernel python3 --jobs 3 --timeout 100 --pattern "2.1" '
     '--pattern "3.6"'),
    ("html", [], "html"),
    ("html", ["LANG=en", "DEVICE=cpu", "TIMEOUT=50"], 'html --device "cpu" --timeout 50 --lang en'),
    ("pdf", ["LANG=zh"], "pdf --lang zh"),
    ("test", [], "test"),
    ("test", ["DEVICE=cuda", "NO_BROWSER=1", "JOBS=2", "RERUN=1"],
     'test --device "cuda" --jobs 2 --no-browser --rerun'),
    ("lint", [], "lint"),
    ("bench", [], "bench"),
    ("lab", [], "lab"),
    ("lab", ["ALLOW_ROOT=1", "PORT=9999"], "lab --port 9999 --allow-root"),
    ("lab", ["LANG=en"], "lab --lang en"),
])
def test_make_targets_call_the_cli(target, variables, expected):
    assert make_dry_run(target, *variables)[-1] == f".venv/bin/python -m notestools {expected}"


def test_make_html_ignores_the_locale_lang():
    """LANG from the environment is the shell's locale, not the site's language."""
    env = dict(os.environ, LANG="zh_CN.UTF-8")
    assert make_dry_run("html", env=env)[-1].endswith("-m notestools html")


def test_make_install_uses_the_constraints_and_configures_the_filter():
    install = make_dry_run("-B", "install")
    pip = [line for line in install if "-r requirements.txt" in line]
    expected = "-c constraints.txt " if (ROOT / "constraints.txt").exists() else ""
    assert pip == [f".venv/bin/python -m pip install {expected}-r requirements.txt "
                   "-e . -e shared/tools"]
    assert install[-2:] == [".venv/bin/python -m notestools git-filter", "touch .venv/.installed"]
    latest = make_dry_run("-B", "install", "CONSTRAINTS=")
    assert not any("-c " in line for line in latest)


def test_pip_upgrades_itself_only_when_it_installs():
    assert ".venv/bin/python -m pip install --upgrade pip" in make_dry_run("-B", "install")
    uv = ".venv/bin/uv pip install --python .venv/bin/python"  # .ci/run's installer
    install = make_dry_run("-B", "install", f"PIP_INSTALL={uv}")
    assert not [line for line in install if "--upgrade pip" in line]
    assert any(line.startswith(f"{uv} ") and "-r requirements.txt" in line for line in install)


# -- test ---------------------------------------------------------------------------------------

def test_pytest_command_is_make_tests():
    args = cli.build_parser().parse_args(["test"])
    command = cli.pytest_command(args)
    assert command[:3] == [sys.executable, "-m", "pytest"]
    joined = " ".join(command)
    assert f"-n {os.cpu_count()} --dist loadscope --no-loadscope-reorder" in joined
    assert f"--nbval-lax --nbval-kernel-name {DEFAULT_KERNEL}" in joined
    assert command[-2:] == [str(ROOT / "tests"), str(CHAPTERS)]
    assert "not browser" not in command
    two = [CHAPTERS / "a.ipynb", CHAPTERS / "b.ipynb"]  # the notebooks nbval is to execute
    assert cli.pytest_command(args, two)[-3:] == [str(ROOT / "tests"), *map(str, two)]
    assert cli.pytest_command(args, [])[-1] == str(ROOT / "tests")

    args = cli.build_parser().parse_args(
        ["test", "--kernel", "python3", "--no-browser", "--jobs", "2", "--", "tests", "-x"])
    command = cli.pytest_command(args)
    assert command[command.index("-m", 3) + 1] == "not browser"
    assert command[command.index("-n") + 1] == "2"
    assert command[command.index("--nbval-kernel-name") + 1] == "python3"
    assert command[-2:] == ["tests", "-x"]  # a path given replaces `tests chapters`


def executed_copies(tmp_path, monkeypatch, **inputs):
    """A chapters/ of two notebooks and a build/ whose results.json and executed copies say
    both ran ok here, on the CPU, in forked kernels (``inputs`` overrides what the run
    recorded for the first notebook)."""
    from notestools import notebooks, results, run_notebooks

    chapters, build = tmp_path / "chapters", tmp_path / "build"
    names = ["1-x/1.1-a.ipynb", "1-x/1.2-b.ipynb"]
    env = {**run_notebooks.versions(), "device": "cpu"}
    shared = run_notebooks.shared_inputs(DEFAULT_KERNEL, {"device": "auto"})
    entries = []
    for i, name in enumerate(names):
        source = chapters / name
        source.parent.mkdir(parents=True, exist_ok=True)
        nb = notebook()
        source.write_text(nbformat.writes(nb), encoding="utf-8")
        recorded = {**run_notebooks.notebook_inputs(source, shared, env),
                    **(inputs if i == 0 else {})}
        nb.metadata[results.COPY_KEY] = {"inputs": recorded}
        (build / "notebooks" / name).parent.mkdir(parents=True, exist_ok=True)
        (build / "notebooks" / name).write_text(nbformat.writes(nb), encoding="utf-8")
        entries.append({"notebook": name, "status": "ok", "inputs": recorded})
    (build / "results.json").write_text(json.dumps({"environment": {}, "notebooks": entries}),
                                        encoding="utf-8")
    monkeypatch.setattr(cli, "CHAPTERS", chapters)
    monkeypatch.setattr(notebooks, "CHAPTERS", chapters)
    monkeypatch.setattr(notebooks, "BUILD", build)
    monkeypatch.setattr(results, "RESULTS_FILE", build / "results.json")
    return [chapters / name for name in names]


def nbval_plan(*argv):
    return cli.nbval_notebooks(cli.build_parser().parse_args(["test", *argv]))


def test_nbval_executes_only_notebooks_without_a_current_copy(tmp_path, monkeypatch):
    """`make test` after `make html`: the runner already executed every notebook from the same
    code, so nbval executes none; another device, kernel kind, torch, or --rerun: again."""
    a, b = executed_copies(tmp_path, monkeypatch)
    assert nbval_plan() == ([], "nbval executes none of the 2 notebooks: their executed copies "
                                "in build/ are current (tests/test_executed.py checks them; "
                                "RERUN=1 or --rerun executes them again)")
    assert nbval_plan("--device", "cpu")[0] == []
    assert nbval_plan("--rerun") == ([a, b], "nbval executes all 2 notebooks (--rerun)")
    run, line = nbval_plan("--device", "cuda")
    assert run == [a, b] and line == ("nbval executes all 2 notebooks: none has a current "
                                      "executed copy in build/ (it ran on cpu, not cuda)")
    other = "python3" if DEFAULT_KERNEL != "python3" else "d2lnotes-fork"
    assert nbval_plan("--kernel", other)[0] == [a, b]

    a.write_text(a.read_text(encoding="utf-8").replace("1 + 1", "1 + 3"), encoding="utf-8")
    assert nbval_plan() == ([a], "nbval executes 1 of 2 notebooks, those without a current "
                                 "executed copy in build/ (its code cells changed)")


def test_nbval_executes_a_notebook_run_with_another_torch(tmp_path, monkeypatch):
    a, b = executed_copies(tmp_path, monkeypatch, torch="1.0.0")
    assert nbval_plan()[0] == [a]


def test_torch_version_is_read_without_importing_torch():
    from notestools import run_notebooks

    code = ("import sys; from notestools.run_notebooks import torch_version; "
            "v = torch_version(); assert 'torch' not in sys.modules; print(v)")
    read = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()
    import torch

    assert read == torch.__version__ == run_notebooks.torch_version()


def test_the_cpu_environment_is_torch_s_without_importing_it():
    from notestools import run_notebooks

    code = ("import json, sys; from notestools.run_notebooks import environment; "
            "e = environment('cpu'); assert 'torch' not in sys.modules; print(json.dumps(e))")
    read = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                     text=True, check=True).stdout)
    assert read == run_notebooks.environment_from_torch("cpu")


def test_pytest_environment():
    args = cli.build_parser().parse_args(["test", "--device", "cpu"])
    env = cli.pytest_environment(args, {"JUPYTER_PATH": "/elsewhere", "OMP_NUM_THREADS": "8"})
    assert env["OMP_NUM_THREADS"] == "1"
    assert env["D2L_DEVICE"] == "cpu"
    assert env["JUPYTER_PATH"] == os.pathsep.join([str(JUPYTER_DATA), "/elsewhere"])
    # Without --device, a D2L_DEVICE the user exported stays.
    args = cli.build_parser().parse_args(["test"])
    assert cli.pytest_environment(args, {"D2L_DEVICE": "mps"})["D2L_DEVICE"] == "mps"


def test_test_command_runs_pytest_and_deselects_browser_tests(tmp_path):
    (tmp_path / "test_tiny.py").write_text(
        "import os\nimport pytest\n\n"
        "def test_environment():\n"
        "    assert os.environ['OMP_NUM_THREADS'] == '1'\n"
        f"    assert os.environ['JUPYTER_PATH'].startswith({str(JUPYTER_DATA)!r})\n\n"
        "@pytest.mark.browser\n"
        "def test_in_a_browser():\n"
        "    raise AssertionError('deselected by --no-browser')\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "notestools", "test", "--no-browser", "--jobs", "1", "--",
         str(tmp_path / "test_tiny.py"), "-p", "no:cacheprovider"],
        capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS="4"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout and "failed" not in result.stdout


# -- html: the runner executes what changed, then the site ----------------------------------------

def test_runner_inputs_are_its_modules_and_kernelspecs_not_the_cli():
    from notestools import run_notebooks

    names = {path.name for path in run_notebooks.runner_files()}
    assert {"run_notebooks.py", "notebooks.py", "results.py", "worker.py",
            "forkkernel.py"} <= names
    assert not names & {"cli.py", "lab.py", "__init__.py"}  # the CLI is no input of a run
    assert run_notebooks.HELPERS == ROOT / "shared" / "d2lnotes"
    shared = run_notebooks.shared_inputs("python3", {"device": "cpu"})
    assert shared["kernel"] == "python3" and shared["parameters"] == {"device": "cpu"}
    assert len(shared["d2lnotes"]) == len(shared["runner"]) == 16  # digests
    assert (JUPYTER_DATA / "kernels" / "d2lnotes-fork" / "kernel.json").is_file()


def test_html_runs_the_runner_then_builds_the_site(monkeypatch):
    from notestools import site

    calls = []
    monkeypatch.setattr(cli, "passthrough", lambda *a: calls.append(("run", *a)) or 0)
    monkeypatch.setattr(site, "main", lambda argv: calls.append(("site", argv)) or 0)
    assert cli.main(["html", "--lang", "zh", "--kernel", "python3", "--jobs", "2"]) == 0
    assert calls == [("run", "run", ["--kernel", "python3", "--jobs", "2"]),
                     ("site", ["--lang", "zh"])]

    calls.clear()
    assert cli.main(["html", "--device", "cpu", "--kernel", "python3", "--jobs", "2",
                     "--timeout", "60", "--rerun"]) == 0
    assert calls == [("run", "run", ["--kernel", "python3", "--jobs", "2", "--device", "cpu",
                                     "--timeout", "60", "--rerun"]),
                     ("site", ["--lang", "both", "--rerun"])]  # exported again too

    calls.clear()
    monkeypatch.setattr(cli, "passthrough", lambda *a: calls.append(("run", *a)) or 1)
    assert cli.main(["html"]) == 1  # a notebook failed: no site from it
    assert [c[0] for c in calls] == ["run"]


def test_pdf_is_html_printed(monkeypatch):
    from notestools.site import pdf

    calls = []
    monkeypatch.setattr(cli, "passthrough", lambda *a: 0)
    monkeypatch.setattr(pdf, "main", lambda argv: calls.append(("pdf", argv)) or 0)
    assert cli.main(["pdf", "--lang", "en"]) == 0
    assert calls == [("pdf", ["--lang", "en"])]


# -- the git filter ------------------------------------------------------------------------------

GIT_CONFIG = ["-c", "user.name=test", "-c", "user.email=test@example.com",
              "-c", "commit.gpgsign=false"]


def git(repo, *args):
    return subprocess.run(["git", *GIT_CONFIG, *args], cwd=repo, capture_output=True,
                          check=True).stdout


def notebook():
    """A stored notebook as the project writes them: tags and a folded solution heading."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}})
    nb.cells = [
        nbformat.v4.new_markdown_cell("#### 解答 / Solution", id="c000", metadata={
            "tags": ["bilingual"], "jp-MarkdownHeadingCollapsed": True}),
        nbformat.v4.new_code_cell("print(1 + 1)", id="c001", metadata={"tags": ["solution"]}),
    ]
    return nb


def as_executed(stored):
    """What a kernel and JupyterLab add to a notebook that is run and saved."""
    nb = nbformat.reads(stored.decode(), as_version=4)
    nb.metadata["language_info"] = {"name": "python", "version": "3.12.3"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    code = nb.cells[1]
    code.execution_count = 3
    code.outputs = [nbformat.v4.new_output("stream", text="2\n")]
    code.metadata.update(collapsed=False, scrolled=True, execution={
        "iopub.execute_input": "2026-01-01T00:00:00Z"})
    return nbformat.writes(nb).encode() + b"\n"


@pytest.fixture
def repo(tmp_path):
    git(tmp_path, "init", "-q")
    shutil.copy(ROOT / ".gitattributes", tmp_path)
    assert install_git_filter(tmp_path)
    return tmp_path


def test_git_stores_notebooks_without_outputs_or_kernel_metadata(repo):
    stored = cleaned(nbformat.writes(notebook()).encode())
    path = repo / "nb.ipynb"
    path.write_bytes(stored)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a clean notebook")

    path.write_bytes(as_executed(stored))
    assert b'"outputs": [\n    {' in path.read_bytes()
    # git status lists a file whose size changed without reading it; git diff cleans it.
    assert git(repo, "diff") == b""
    git(repo, "add", "nb.ipynb")
    assert git(repo, "status", "--porcelain") == b""
    assert git(repo, "diff", "--cached") == b""
    assert git(repo, "show", ":nb.ipynb") == stored

    kept = json.loads(stored)
    assert kept["cells"][0]["metadata"] == {"tags": ["bilingual"],
                                            "jp-MarkdownHeadingCollapsed": True}
    assert kept["cells"][1]["metadata"] == {"tags": ["solution"]}
    assert [c["id"] for c in kept["cells"]] == ["c000", "c001"]
    assert kept["metadata"] == notebook().metadata

    # A real edit is still an edit.
    path.write_bytes(stored.replace(b"1 + 1", b"1 + 2"))
    assert git(repo, "status", "--porcelain") == b" M nb.ipynb\n"


def test_cleaning_a_clean_notebook_changes_no_byte(tmp_path):
    executed, real = tmp_path / "executed.ipynb", tmp_path / "real.ipynb"
    executed.write_bytes(as_executed(nbformat.writes(notebook()).encode()))
    real.write_bytes((CHAPTERS / "02-preliminaries" / "2.1-data-manipulation.ipynb").read_bytes())
    once = stored_forms([executed, real])
    assert once[executed] != executed.read_bytes()
    for path, data in once.items():
        path.write_bytes(data)
    assert stored_forms([executed, real]) == once


def test_lint_finds_and_rewrites_unclean_notebooks(tmp_path):
    clean = tmp_path / "clean.ipynb"
    clean.write_bytes(cleaned(nbformat.writes(notebook()).encode()))
    dirty = [tmp_path / "dirty.ipynb", tmp_path / "unsorted.ipynb"]
    dirty[0].write_bytes(as_executed(clean.read_bytes()))
    dirty[1].write_text(json.dumps(json.loads(clean.read_bytes()), indent=2), encoding="utf-8")
    before = [path.read_bytes() for path in dirty]
    paths = [dirty[0], clean, dirty[1]]  # split over processes; one prints two notebooks
    assert unclean_notebooks(paths) == dirty
    assert [path.read_bytes() for path in dirty] == before  # a check changes nothing
    assert unclean_notebooks(paths, fix=True) == dirty
    assert all(path.read_bytes() == clean.read_bytes() for path in dirty)


def test_no_git_checkout_no_filter(tmp_path):
    assert install_git_filter(tmp_path) is False


# -- lab -----------------------------------------------------------------------------------------

@pytest.fixture
def no_server(monkeypatch, tmp_path):
    """lab.main without a server, the real .git/config or the real chapters/."""
    started, filters = [], []

    class Server:
        def __init__(self, command, **kwargs):
            started.append(command)

        def wait(self):
            return 0

    class Subprocess:  # lab's subprocess module, but for the server it starts
        Popen = Server

        def __getattr__(self, name):
            return getattr(subprocess, name)

    monkeypatch.setattr(lab, "subprocess", Subprocess())
    monkeypatch.setattr(lab, "install_git_filter", lambda: filters.append(True))
    monkeypatch.setattr(lab, "CHAPTERS", tmp_path)
    return started, filters


def test_lab_as_root_says_why_and_starts_nothing(monkeypatch, no_server, capsys):
    started, filters = no_server
    monkeypatch.setattr(lab, "running_as_root", lambda: True)
    assert cli.main(["lab"]) == 1
    message = capsys.readouterr().err.strip()
    assert "\n" not in message and "refuses to run as root" in message
    assert "make lab ALLOW_ROOT=1" in message and "--allow-root" in message
    assert started == [] and filters == []

    assert cli.main(["lab", "--allow-root", "--port", "9999", "--no-browser"]) == 0
    assert filters == [True]
    assert "--allow-root" in started[0] and "--ServerApp.port=9999" in started[0]
    assert "--no-browser" in started[0]
    assert (lab.CHAPTERS / "my-notes").is_dir()


def test_lab_command():
    command = lab.lab_command()
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert "--ip=127.0.0.1" in command and f"--ServerApp.root_dir={CHAPTERS}" in command
    assert "--allow-root" not in command and "--no-browser" not in command
    assert ("--LabApp.default_url=/lab/tree/README.ipynb" in command) == \
        (CHAPTERS / "README.ipynb").is_file()
    settings = next(c.split("=", 1)[1] for c in command if c.startswith("--LabApp.app_settings"))
    overrides = json.loads((lab.Path(settings) / "overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"

    command = lab.lab_command("02-preliminaries/2.1-data-manipulation.ipynb", port=8890)
    assert "--LabApp.default_url=/lab/tree/02-preliminaries/2.1-data-manipulation.ipynb" \
        in command
    assert "--ServerApp.port=8890" in command


# -- run, end to end -----------------------------------------------------------------------------

def test_run_executes_a_notebook(tmp_path):
    """`python -m notestools run` is the runner (a small notebook: the real ones run in
    test_run_notebooks.py, test_executed.py and nbval)."""
    out, results = tmp_path / "notebooks", tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "notestools", "run", "--src",
                           str(ROOT / "tests" / "faults"), "--pattern", "ok",
                           "--out", str(out), "--results", str(results), "--jobs", "1",
                           "--kernel", "python3"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "ok.ipynb").is_file()
    report = json.loads(results.read_text(encoding="utf-8"))
    assert [(nb["notebook"], nb["status"], nb["recorded"]) for nb in report["notebooks"]] == [
        ("ok.ipynb", "ok", {"answer": 42})]


def test_lint_checks_every_tracked_notebook(tmp_path, capsys):
    """Tests' notebooks too, not only chapters/: one stored unclean fails lint."""
    git(tmp_path, "init", "-q")
    clean = cleaned(nbformat.writes(notebook()).encode())
    (tmp_path / "chapters").mkdir()
    (tmp_path / "tests" / "faults").mkdir(parents=True)
    (tmp_path / "chapters" / "1.1-a.ipynb").write_bytes(clean)
    unclean = tmp_path / "tests" / "faults" / "ok.ipynb"
    unclean.write_bytes(clean.replace(b'\n  }\n },', b'\n  },\n  "language_info": '
                                                     b'{\n   "name": "python"\n  }\n },'))
    assert b"language_info" in unclean.read_bytes()
    git(tmp_path, "add", "-A")  # no filter here: stored as it is, as it once was
    git(tmp_path, "commit", "-q", "-m", "one notebook stored unclean")
    (tmp_path / "untracked.ipynb").write_bytes(as_executed(clean))  # git does not know it
    assert cli.tracked_notebooks(tmp_path) == [tmp_path / "chapters" / "1.1-a.ipynb", unclean]

    assert cli._clean(False, root=tmp_path) is False
    assert "not stored clean: " in capsys.readouterr().out
    assert cli._clean(True, root=tmp_path) is True
    assert unclean.read_bytes() == clean  # what the filter stores, as the other one


def test_tracked_notebooks_outside_chapters_are_stored_clean():
    """chapters/ is test_conventions.py's; here the others (tests/faults/)."""
    tracked = [p for p in cli.tracked_notebooks() if CHAPTERS not in p.parents]
    assert ROOT / "tests" / "faults" / "ok.ipynb" in tracked
    assert unclean_notebooks(tracked) == []


# -- .ci/run ---------------------------------------------------------------------------------------

FAKE_MAKE = r"""#!/usr/bin/env bash
echo "make $*" >> "$CALLS"
case "$1" in
  html) echo "executing 2 notebook(s) on cpu with 2 job(s), d2lnotes-fork kernels: x"
        [ -n "$NOISY" ] && echo "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel." >&2
        echo "2/2 notebooks ran in 0.2 s; results in build/results.json";;
  pdf) echo "nothing to execute: 2 skipped (unchanged since their last run) (0.1 s); ..."
       echo "PDF: build/html/d2l-notes.pdf (1.0 MiB, 3 s)"
       exit "${FAIL_PDF:-0}";;
  test) junit=${PYTEST_ADDOPTS##*--junitxml=}
        printf '%s' '<testsuites><testsuite>
<testcase classname="tests.test_site" name="a" time="12.5"/>
<testcase classname="tests.test_site" name="b" time="2.5"/>
<testcase classname="tests.test_cli" name="c" time="3"/>
<testcase classname="chapters.03-x.3.6-y.ipynb" name="Cell 3" time="20"/>
</testsuite></testsuites>' > "$junit"
        echo "D2L_SITE_EXECUTED=$D2L_SITE_EXECUTED"
        exit "${FAIL_TEST:-0}";;
esac
"""


def fake_ci_tree(tmp_path):
    """A copy of .ci/run in tmp_path with a venv marked installed and a fake `make` (and the
    system tools present) first on PATH; returns that PATH folder."""
    if not os.path.isdir("/usr/share/fonts/truetype/wqy"):
        pytest.skip("the CJK font is missing: .ci/run would install it with apt-get")
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / ".installed-dev").touch()
    os.symlink(sys.executable, tmp_path / ".venv" / "bin" / "python")
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    (bin_dir / "make").write_text(FAKE_MAKE)
    (bin_dir / "make").chmod(0o755)
    for tool in ("chromium", "chromedriver", "pdftoppm"):  # no system packages to install
        (bin_dir / tool).write_text("#!/bin/sh\n")
        (bin_dir / tool).chmod(0o755)
    return bin_dir


@pytest.mark.skipif(sys.platform == "win32", reason="bash")
@pytest.mark.parametrize("serial", [False, True])
@pytest.mark.parametrize("fail", [None, "FAIL_TEST", "FAIL_PDF"])
def test_ci_runs_lint_html_pdf_test_and_ends_with_where_the_time_went(tmp_path, fail, serial):
    bin_dir = fake_ci_tree(tmp_path)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", CI_PIP="1",
               CALLS=str(tmp_path / "calls"), D2L_DATA_DIR=str(tmp_path),
               CI_SERIAL="1" if serial else "0")
    env.pop("PYTEST_ADDOPTS", None)
    if fail:
        env[fail] = "2"
    done = subprocess.run(["bash", ".ci/run"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == (2 if fail else 0), done.stdout + done.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls[:3] == ["make install-dev", "make lint", "make html"]
    if serial:  # one after the other; a failed make pdf stops there
        assert calls[3:] == ["make pdf"] + ([] if fail == "FAIL_PDF" else ["make test"])
    else:  # alongside: both run, whichever fails
        assert sorted(calls[3:]) == ["make pdf", "make test"]
    if "make test" in calls:  # the site tests reuse make html's run
        assert "D2L_SITE_EXECUTED=build" in done.stdout
    table = done.stdout[done.stdout.index("where the time went"):]
    assert table == (tmp_path / "build" / "ci" / "timings.txt").read_text().lstrip("\n")
    assert ("FAILED: exit status 2" in table) == bool(fail)
    rows = dict(re.findall(r"^(\S.*?|  of which the PDF)\s+(-?[0-9.]+)(?:  .*)?$",
                           table.split("\n\n")[0], re.M))
    steps = {"system-packages", "install", "lint", "notebooks", "site", "make pdf",
             "  of which the PDF", "total"} | ({"pytest"} if "make test" in calls else set())
    assert steps <= set(rows), table
    assert rows["notebooks"] == "0.2" and rows["  of which the PDF"] == "3.0"
    assert "2 executed (make html)" in table
    assert ("alongside pytest" in table) == (not serial)
    if "make test" not in calls:
        return
    slowest = table[table.index("slowest test files"):].splitlines()[1:4]
    assert [line.split() for line in slowest] == [
        ["nbval", "(1", "notebooks)", "20.0"], ["tests/test_site.py", "15.0"],
        ["tests/test_cli.py", "3.0"]]


def test_the_filter_keeps_folded_code_and_drops_folded_outputs():
    """A figure, record or install cell keeps its code folded in git (`source_hidden`); an
    output a student folded in JupyterLab (`outputs_hidden`) is not stored."""
    nb = notebook()
    nb.cells[1].metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
    stored = json.loads(cleaned(nbformat.writes(nb).encode()))
    assert stored["cells"][1]["metadata"] == {"tags": ["solution"],
                                              "jupyter": {"source_hidden": True}}


@pytest.mark.skipif(sys.platform == "win32", reason="bash")
def test_ci_fails_when_a_passing_make_html_prints_an_error_line(tmp_path):
    bin_dir = fake_ci_tree(tmp_path)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", CI_PIP="1",
               CALLS=str(tmp_path / "calls"), D2L_DATA_DIR=str(tmp_path), NOISY="1")
    done = subprocess.run(["bash", ".ci/run"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert "printed the lines above (an ERROR or a traceback)" in done.stderr
    assert "KeyboardInterrupt caught in kernel" in done.stderr
    assert "CI FAILED: exit status 1" in done.stdout
    assert "make test" not in (tmp_path / "calls").read_text()
