"""The one command line of the build tools; `make <target>` calls it, and it works the same
without make (Windows: `.venv\\Scripts\\python -m notestools <command>`)."""

import argparse
import contextlib
import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from . import lab as jupyterlab
from .notebooks import (
    CHAPTERS,
    DEFAULT_KERNEL,
    FORK_KERNEL,
    KERNELS,
    MY_NOTES,
    ROOT,
    find_notebooks,
    install_git_filter,
    unclean_notebooks,
    use_project_kernels,
)

TOOLS = Path(__file__).resolve().parent
# Commands whose options belong to the module they run: `<command> --help` shows them.
PASSTHROUGH = {
    "run": ("notestools.run_notebooks",
            "execute notebooks headless into build/notebooks/ and write build/results.json"),
    "bench": ("notestools.bench", "measure speed and memory (build/bench.json)"),
}
# Commands that execute the notebooks when stale, then export them with this function.
EXPORTS = {"html": ("notestools.site", "then build the site in build/html/"),
           "pdf": ("notestools.site.pdf", "then build the site and print it to "
                                          "build/html/d2l-notes.pdf with Chromium")}


def add_execution_options(parser):
    parser.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default: auto, where "
                                         "an exported D2L_DEVICE applies)")
    parser.add_argument("--kernel", default=DEFAULT_KERNEL, choices=KERNELS,
                        help="forked from a zygote that imported torch once, or started from "
                             f"scratch (default here: {DEFAULT_KERNEL}; {FORK_KERNEL} is Linux "
                             "only)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks (kernels) at once (default: one per core)")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m notestools", description="Run, test, export and measure the notebooks.",
        epilog="`python -m notestools COMMAND --help` lists a command's options.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, summary) in PASSTHROUGH.items():
        commands.add_parser(name, help=f"{summary} (options: {name} --help)", add_help=False)

    for name, (_, then) in EXPORTS.items():
        export = commands.add_parser(name, help="execute the notebooks whose code, helpers, "
                                                "parameters or device changed since their "
                                                f"last ok run, {then}")
        add_execution_options(export)
        export.add_argument("--timeout", type=int,
                            help="seconds per notebook (default: the runner's)")
        export.add_argument("--lang", choices=("both", "zh", "en"), default="both",
                            help="both languages side by side, or one (default: both)")
        export.add_argument("--rerun", action="store_true",
                            help="execute every notebook, even those unchanged since their "
                                 "last ok run")

    test = commands.add_parser("test", help="pytest: unit tests, notebook conventions, nbval "
                                            "over every notebook (xdist, one thread per kernel)")
    add_execution_options(test)
    test.add_argument("--no-browser", action="store_true",
                      help="deselect the tests that drive a browser (marked `browser`)")
    test.add_argument("--rerun", action="store_true",
                      help="nbval executes every notebook, even those whose executed copies "
                           "in build/ are current (by default it executes only the others)")
    test.add_argument("pytest_args", nargs="*", metavar="-- PYTEST_ARGS",
                      help="more pytest arguments; paths among them replace `tests chapters`")

    lint = commands.add_parser("lint", help="ruff, every tracked notebook stored clean (the "
                                            "git filter's form), install cells and launch links "
                                            "as pyproject.toml says, actionlint")
    lint.add_argument("--clean-notebooks", action="store_true",
                      help="rewrite tracked notebooks that are not stored clean (outputs, kernel "
                           "metadata, JSON layout) in the form the git filter stores")

    lab = commands.add_parser("lab", help=f"JupyterLab in chapters/ on 127.0.0.1, opening "
                                          f"{jupyterlab.INDEX} (configures the git filter first)")
    lab.add_argument("notebook", nargs="?", default=jupyterlab.INDEX,
                     help=f"notebook to open, relative to chapters/ (default: {jupyterlab.INDEX})")
    lab.add_argument("--port", type=int, help="port (default: 8888, or the next free one)")
    lab.add_argument("--allow-root", action="store_true",
                     help="start even as root (Jupyter refuses by default)")
    lab.add_argument("--no-browser", action="store_true", help="only print the URL")
    lab.add_argument("--lang", choices=jupyterlab.LANGUAGES,
                     help="the notes in one language (zh or en) or both; remembered for this "
                          "clone (in .git/) until --lang both (default: the remembered one, "
                          "else both). zh also shows JupyterLab's menus in Chinese")

    commands.add_parser("git-filter", help="configure git (this clone only) to store notebooks "
                                           "without outputs; make install and lab do it too")
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in PASSTHROUGH:
        return passthrough(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    handler = {"html": export, "pdf": export, "test": test, "lint": lint, "lab": lab,
               "git-filter": git_filter}[args.command]
    return handler(args) or 0


@contextlib.contextmanager
def _program_name(name):
    """argparse names the program after sys.argv[0]: show the command a user typed."""
    saved, sys.argv[0] = sys.argv[0], name
    try:
        yield
    finally:
        sys.argv[0] = saved


def passthrough(command, argv):
    use_project_kernels()
    module = importlib.import_module(PASSTHROUGH[command][0])
    with _program_name(f"python -m notestools {command}"):
        return module.main(argv) or 0


def _shown(path):
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def execution_arguments(args):
    """The runner's options that `html` was given."""
    argv = ["--kernel", args.kernel, "--jobs", str(args.jobs)]
    if args.device:
        argv += ["--device", args.device]
    if args.timeout:
        argv += ["--timeout", str(args.timeout)]
    return argv


def export(args):
    """`html` and `pdf`: execute the notebooks that changed (the runner skips the others and
    says so), then export them."""
    argv = execution_arguments(args) + (["--rerun"] if args.rerun else [])
    failed = passthrough("run", argv)
    if failed:
        return failed
    exporter = importlib.import_module(EXPORTS[args.command][0])
    return exporter.main(["--lang", args.lang] + (["--rerun"] if args.rerun else [])) or 0


def pytest_command(args, notebooks=None):
    """`make test`'s pytest: xdist runs each group of tests on one worker, a test module or a
    notebook's cells (tests/conftest.py's scheduler), the longest groups first. ``notebooks``: the
    ones nbval executes (default: every notebook in chapters/)."""
    command = [sys.executable, "-m", "pytest", "-n", str(args.jobs), "--dist", "loadscope",
               "--no-loadscope-reorder", "--nbval-lax", "--nbval-kernel-name", args.kernel,
               "--ignore-glob", f"*/{MY_NOTES}/*"]
    if args.no_browser:
        command += ["-m", "not browser"]
    notebooks = [CHAPTERS] if notebooks is None else notebooks
    defaults = [] if names_a_path(args) else [str(ROOT / "tests"), *map(str, notebooks)]
    return command + defaults + args.pytest_args


def names_a_path(args):
    """Paths among the extra pytest arguments replace `tests chapters`."""
    return any(Path(a.split("::")[0]).exists() for a in args.pytest_args if a[:1] != "-")


def nbval_notebooks(args):
    """The notebooks nbval executes in `make test`, and a line saying which and why: those
    whose executed copy in build/ is not current (`make html` or `make run` wrote none, or
    wrote it from other code, helpers, runner, torch or Python, in another kernel kind or on
    another device than this test run's). A current copy was made by the same execution that
    nbval would repeat: tests/test_executed.py checks it instead, and the site shows it."""
    from . import run_notebooks
    from .notebooks import BUILD, source_notebooks
    from .results import RESULTS_FILE

    notebooks = source_notebooks(root=CHAPTERS)
    if args.rerun:
        return notebooks, f"nbval executes all {len(notebooks)} notebooks (--rerun)"
    stale = run_notebooks.stale_copies(notebooks, CHAPTERS, BUILD / "notebooks", RESULTS_FILE,
                                       run_notebooks.versions(), kernel=args.kernel,
                                       device=args.device)
    run = [p for p in notebooks if str(p.relative_to(CHAPTERS)) in stale]
    if not run:
        return run, (f"nbval executes none of the {len(notebooks)} notebooks: their executed "
                     "copies in build/ are current (tests/test_executed.py checks them; "
                     "RERUN=1 or --rerun executes them again)")
    if len(run) == len(notebooks):
        return run, (f"nbval executes all {len(run)} notebooks: none has a current executed "
                     f"copy in build/ ({_why(stale)})")
    return run, (f"nbval executes {len(run)} of {len(notebooks)} notebooks, those without a "
                 f"current executed copy in build/ ({_why(stale)})")


def _why(stale):
    reasons = sorted(set(stale.values()))
    shown = "; ".join(reasons[:2])
    return shown + (f"; and {len(reasons) - 2} more reasons" if len(reasons) > 2 else "")


def pytest_environment(args, environ=os.environ):
    """One thread per kernel (JOBS kernels share the cores), the device, the fork kernelspec."""
    env = dict(environ, OMP_NUM_THREADS="1")
    if args.device:
        env["D2L_DEVICE"] = args.device
    return use_project_kernels(env)


def test(args):
    if args.jobs <= 0:
        sys.exit("--jobs must be a positive integer")
    notebooks = None
    if not names_a_path(args):
        notebooks, line = nbval_notebooks(args)
        print(line, flush=True)
    return subprocess.run(pytest_command(args, notebooks),
                          env=pytest_environment(args)).returncode


def lint(args):
    checks = {"ruff": _ruff, "notebooks stored clean": lambda: _clean(args.clean_notebooks),
              "install cells and launch links": _launch, "actionlint": _actionlint}
    failed = [name for name, check in checks.items() if not check()]
    print(f"lint failed: {', '.join(failed)}" if failed else "lint passed: " + ", ".join(checks),
          file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0


def _launch():
    """The install cells and README's links agree with pyproject.toml's repository URL."""
    from .launch import out_of_date

    stale = out_of_date()
    for path in stale:
        print(f"out of date: {path} (run: python -m notestools.launch --write)", file=sys.stderr)
    return not stale


def _ruff():
    return subprocess.run([sys.executable, "-m", "ruff", "check", "shared", "tests", "chapters"],
                          cwd=ROOT).returncode == 0


def tracked_notebooks(root=ROOT):
    """Every notebook git tracks in ``root`` (tests' notebooks included), as paths; outside
    a git checkout (a downloaded archive), every notebook under ``root`` but build/ and
    virtual environments."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--", "*.ipynb"], cwd=root,
                                check=True, capture_output=True).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return [p for p in find_notebooks(root)
                if not {"build", ".venv", ".git"} & set(p.relative_to(root).parts)]
    paths = (Path(root) / name for name in listed.split("\0") if name)
    return sorted(p for p in paths if p.is_file())  # not one deleted but not yet committed


def _clean(rewrite, root=ROOT):
    unclean = unclean_notebooks(tracked_notebooks(root), fix=rewrite)
    for path in unclean:
        print(f"{'rewritten clean' if rewrite else 'not stored clean'}: {_shown(path)}")
    if unclean and not rewrite:
        print("  (outputs, kernel metadata or another JSON layout: run "
              "`python -m notestools lint --clean-notebooks`)")
    return rewrite or not unclean


def _actionlint():
    found = (shutil.which("actionlint", path=str(Path(sys.executable).parent))
             or shutil.which("actionlint"))
    if not found:
        print("actionlint is not installed: run `make install-dev` (requirements-dev.txt has it)",
              file=sys.stderr)
        return False
    return subprocess.run([found], cwd=ROOT).returncode == 0


def lab(args):
    return jupyterlab.main(args.notebook, args.port, args.allow_root, not args.no_browser,
                           args.lang)


def git_filter(args):
    if install_git_filter():
        print("git filter configured in .git/config: notebooks are stored without outputs "
              "or kernel metadata")
    else:
        print(f"{ROOT} is not a git clone (or git is missing): no filter to configure")
