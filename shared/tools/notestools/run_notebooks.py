"""Execute the notebooks headless with papermill and collect their recorded results.

    python -m notestools.run_notebooks [--device auto] [--pattern 3.6 ...] [--jobs N]
        [--timeout SECONDS] [--kernel d2lnotes-fork|python3] [--src chapters]
        [--out build/notebooks] [--results build/results.json]

Executed copies go to build/notebooks/ (mirroring chapters/); the source notebooks are
only read. build/results.json (see results.py) gets, per notebook, its status, wall
seconds, the peak memory of its kernel and everything it published with ``d2l.record``.

On Linux kernels are forked from a zygote that has imported torch once (``d2lnotes-fork``,
see forkkernel.py); ``--kernel python3`` starts each one from scratch instead. Ctrl-C or
SIGTERM stops everything within a second or two (exit status 130 or 143); a notebook that
hangs is stopped after ``--timeout`` seconds; see runner.py and faults.py.

Only what changed is executed again: each notebook's entry in the report, and its executed
copy, keep what its outputs depend on (its code cells, the d2lnotes sources, the runner, the
parameters, the device, the kernel kind, torch and Python; see results.py). A notebook whose
inputs are those of its last run, which was ok, is skipped, with a line saying so; its executed
copy takes the source's markdown, so a prose edit executes nothing. ``--rerun`` executes all.
"""

import argparse
import ast
import contextlib
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

from .faults import Interrupted, RunLock, RunLocked, StopSignals
from .notebooks import (
    BUILD,
    CHAPTERS,
    DEFAULT_KERNEL,
    JUPYTER_DATA,
    KERNELS,
    ROOT,
    source_notebooks,
)
from .results import (
    COPY_KEY,
    RESULTS_FILE,
    changed_input,
    code_digest,
    files_digest,
    read_results,
    refreshed_copy,
    write_atomically,
    write_results,
)
from .runner import DEFAULT_TIMEOUT, NOT_STARTED, kernel_zygote, run, start_order
from .worker import execute

__all__ = ["main", "run", "execute", "start_order", "previous_seconds", "environment"]

TOOLS = Path(__file__).resolve().parent
HELPERS = ROOT / "shared" / "d2lnotes"  # the package every notebook imports


def runner_files(entry=TOOLS / "run_notebooks.py"):
    """The runner's modules: ``entry`` and the notestools modules it imports, directly or not
    (read, not imported, so this costs nothing)."""
    found, todo = set(), [entry]
    while todo:
        path = todo.pop()
        if path in found or not path.is_file():
            continue  # a subpackage such as site/ is no part of the runner
        found.add(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            module = node.module or ""
            if node.level == 0 and module.startswith("notestools."):
                module = module.removeprefix("notestools.")
            elif node.level != 1:
                continue
            names = [module] if module else [alias.name for alias in node.names]
            todo += [TOOLS / f"{name.split('.')[0]}.py" for name in names]
    return sorted(found)


def shared_inputs(kernel, parameters, helpers=None):
    """The inputs every notebook of a run shares but the environment's: the helper package's
    files, the runner's modules and kernelspecs, the kernel kind and the parameters."""
    helpers = HELPERS if helpers is None else helpers
    helper_files = [p for p in Path(helpers).rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts]
    runner = [*runner_files(), *JUPYTER_DATA.glob("kernels/*/kernel.json")]
    return {"d2lnotes": files_digest(helper_files, helpers),
            "runner": files_digest(runner, TOOLS), "parameters": parameters, "kernel": kernel}


def notebook_inputs(path, shared, env):
    """Everything the outputs of the notebook at ``path`` depend on (see results.py)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return {"code": code_digest(nb), **shared, "device": env.get("device"),
            "torch": env.get("torch"), "python": env.get("python")}


def plan(paths, src_root, out_dir, inputs, previous, rerun=False):
    """Split ``paths`` into those to execute, as {path: why}, and those to skip, as
    {path: their last entry}: skipped when the last run of the notebook was ok with the same
    inputs, and its executed copy is the one that run wrote."""
    run, skip = {}, {}
    for path in paths:
        name = str(path.relative_to(src_root))
        last = previous.get(name)
        copy = Path(out_dir) / name
        if rerun:
            run[path] = "--rerun"
        elif last is None:
            run[path] = "not run before"
        elif last["status"] != "ok":
            run[path] = f"its last run {last['status']}"
        elif not copy.is_file():
            run[path] = "no executed copy"
        elif (why := changed_input(last.get("inputs"), inputs[name])) is not None:
            run[path] = why
        elif _copy_inputs(copy) != last.get("inputs"):
            run[path] = "its executed copy is from another run"
        else:
            skip[path] = last
    return run, skip


def stale_copies(paths, src_root, out_dir, results_path, env, kernel=None, device=None):
    """{notebook name: why} for each of ``paths`` whose executed copy in ``out_dir`` is not
    what an ok run of its code, with these helpers, runner, torch and Python (``env``: the
    "torch" and "python" versions) wrote; empty when every copy can be used as it is.
    Whatever device, kernel kind and parameters that run had (tests that only read executed
    copies take them from any run), unless ``kernel`` names the kernel kind it must have
    had, or ``device`` (not None or "auto") the device it must have run on."""
    _, previous = _previous(results_path)
    stale = {}
    for path in paths:
        name = str(path.relative_to(src_root))
        last = (previous.get(name) or {}).get("inputs") or {}
        shared = shared_inputs(kernel or last.get("kernel"), last.get("parameters"))
        ran_on = last.get("device")
        inputs = notebook_inputs(path, shared, {**env, "device": ran_on})
        why = plan([path], src_root, out_dir, {name: inputs}, previous)[0].get(path)
        if why is None and device not in (None, "auto") and not same_device(device, ran_on):
            why = f"it ran on {ran_on}, not {device}"
        if why is not None:
            stale[name] = why
    return stale


def versions():
    """The torch and Python versions an executed copy must have been made with (see
    :func:`stale_copies`), found without importing torch."""
    return {"torch": torch_version(), "python": platform.python_version()}


def same_device(asked, ran_on):
    """Whether a run on ``ran_on`` (resolved, e.g. "cuda:0") is one on ``asked`` ("cuda")."""
    return ran_on is not None and (ran_on == asked or ":" not in asked
                                   and ran_on.split(":")[0] == asked)


def torch_version():
    """``torch.__version__`` without importing torch (seconds of CPU): read from the version
    file of the torch that imports here; imported in a child process if that file is not as
    expected. None without torch."""
    spec = importlib.util.find_spec("torch")
    if spec is None:
        return None
    for folder in spec.submodule_search_locations or []:
        try:
            text = (Path(folder) / "version.py").read_text(encoding="utf-8")
        except OSError:
            continue
        found = re.search(r"^__version__\s*=\s*['\"]([^'\"]+)['\"]", text, re.M)
        if found:
            return found[1]
    return subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__)"],
                          capture_output=True, text=True, check=True).stdout.strip()


def _copy_inputs(copy):
    try:
        nb = json.loads(copy.read_text(encoding="utf-8"))
        return nb["metadata"][COPY_KEY]["inputs"]
    except (ValueError, KeyError, TypeError, OSError):
        return None


def refresh(src, copy):
    """Give the executed copy ``copy`` the markdown and cell metadata of ``src``; True when
    it changed."""
    source = json.loads(Path(src).read_text(encoding="utf-8"))
    executed = json.loads(Path(copy).read_text(encoding="utf-8"))
    new = refreshed_copy(source, executed)
    if new == executed:
        return False
    write_atomically(copy, json.dumps(new, indent=1, ensure_ascii=False) + "\n")
    return True


def previous_seconds(results_path=RESULTS_FILE):
    """Each notebook's seconds in the last report, to start the longest ones first."""
    try:
        return {r["notebook"]: r["seconds"] for r in read_results(results_path)["notebooks"]}
    except (ValueError, KeyError, TypeError):
        return {}


class DeviceError(RuntimeError):
    """The device asked for does not exist here (the message lists those that do)."""


def environment(device):
    """The machine, torch and ``device`` resolved, for the report. Found in a child process:
    the runner itself never imports torch, so it starts at once and, stopped, ends at once
    (tearing torch down takes seconds on a busy machine). The CPU needs no look-up, and then
    nothing imports torch (seconds of CPU per run)."""
    found = versions() if device == "cpu" else {}
    if found.get("torch"):  # (without torch, the child process says what is missing)
        return {"device": "cpu", "gpu": None, **found, "cpus": os.cpu_count(),
                "platform": platform.platform()}
    return environment_from_torch(device)


def environment_from_torch(device):
    """:func:`environment` as torch resolves ``device``, in a child process."""
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from notestools.run_notebooks import "
         "_print_environment; _print_environment(sys.argv[1])", device],
        capture_output=True, text=True, start_new_session=True)  # not hit by Ctrl-C
    if proc.returncode:
        lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
        raise DeviceError(lines[-1])
    return json.loads(proc.stdout.splitlines()[-1])


def _print_environment(device):
    """The body of :func:`environment`'s child: print the environment as JSON."""
    import torch

    from d2lnotes import resolve_device

    try:
        resolved = resolve_device(device)
    except Exception as err:  # d2lnotes says which devices there are
        print(err, file=sys.stderr, flush=True)
        os._exit(2)
    gpu = torch.cuda.get_device_name(resolved) if resolved.type == "cuda" else None
    print(json.dumps({"device": str(resolved), "gpu": gpu, "torch": torch.__version__,
                      "python": platform.python_version(), "cpus": os.cpu_count(),
                      "platform": platform.platform()}), flush=True)
    os._exit(0)  # without tearing torch down


def _parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=os.environ.get("DEVICE", "auto"),
                        help="auto, cpu, cuda, cuda:N or mps (default: auto)")
    parser.add_argument("--pattern", action="append",
                        help="only notebooks whose path matches; repeat for several")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks executed at once (default: one per core)")
    parser.add_argument("--src", type=Path, default=CHAPTERS,
                        help="folder of the source notebooks (default: chapters/)")
    parser.add_argument("--out", type=Path, default=BUILD / "notebooks",
                        help="folder of the executed copies (default: build/notebooks/)")
    parser.add_argument("--results", type=Path, default=RESULTS_FILE,
                        help="the report to write (default: build/results.json)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds for each whole notebook (default: {DEFAULT_TIMEOUT})")
    parser.add_argument("--kernel", default=DEFAULT_KERNEL, choices=KERNELS,
                        help="forked from a zygote that imported torch once (default on Linux)"
                             ", or started from scratch (python3; default elsewhere)")
    parser.add_argument("--rerun", action="store_true",
                        help="execute every notebook, even those whose code, helpers, "
                             "parameters, device and kernel are those of their last ok run")
    return parser


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    patterns = [p for p in args.pattern or [] if p]  # make passes --pattern "" for all
    paths = sorted({p for pattern in patterns or [""]
                    for p in source_notebooks(pattern, root=args.src)})
    if not paths:
        parser.error(f"no notebook under {args.src} matches {' or '.join(map(repr, patterns))}")
    if args.jobs <= 0:
        parser.error("--jobs must be a positive integer")
    if args.timeout <= 0:
        parser.error("--timeout must be a positive number of seconds")
    with StopSignals() as stop:
        try:
            with RunLock(args.out):
                return _run(args, paths, bool(patterns), stop)
        except (RunLocked, DeviceError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2 if isinstance(err, DeviceError) else 1


def _previous(results_path):
    """The last report's environment and its entries by notebook (empty when unreadable)."""
    try:
        report = read_results(results_path)
    except ValueError:  # unreadable: this run's report replaces it
        return {}, {}
    entries = {r["notebook"]: r for r in report["notebooks"]
               if isinstance(r, dict) and "notebook" in r and "status" in r}
    return report.get("environment") or {}, entries


def _run(args, paths, partial, stop):
    start = time.perf_counter()
    results, interrupted, skipped = None, None, {}
    parameters = {"device": args.device}
    last_env, previous = _previous(args.results)
    shared = shared_inputs(args.kernel, parameters)
    try:
        with contextlib.ExitStack() as stack:
            # The zygote imports torch on one core while `environment` does the same on the
            # other; not started when, the environment as last time, there is nothing to run.
            guess = {str(p.relative_to(args.src)): notebook_inputs(p, shared, last_env)
                     for p in paths}
            zygote = None
            if plan(paths, args.src, args.out, guess, previous, args.rerun)[0]:
                zygote = stack.enter_context(kernel_zygote(args.kernel))
            env = environment(args.device)  # fails early, and clearly, on a bad device name
            inputs = {str(p.relative_to(args.src)): notebook_inputs(p, shared, env)
                      for p in paths}
            todo, skipped = plan(paths, args.src, args.out, inputs, previous, args.rerun)
            for path, last in list(skipped.items()):
                try:
                    refreshed = refresh(path, args.out / last["notebook"])
                except (ValueError, KeyError, TypeError):  # a copy edited since: run it
                    todo[path] = "its executed copy does not match its code"
                    del skipped[path]
                    continue
                _print_skipped(last, refreshed)
            if not todo:
                results = []
            else:
                if zygote is None:
                    zygote = stack.enter_context(kernel_zygote(args.kernel))
                print(f"executing {len(todo)} notebook(s) on {env['device']} with "
                      f"{min(args.jobs, len(todo))} job(s), {args.kernel} kernels: "
                      f"{_why(todo, args.src)}", flush=True)
                results = run(list(todo), args.out, parameters, args.jobs, args.timeout,
                              expected_seconds=previous_seconds(args.results),
                              kernel=args.kernel, zygote=zygote, src_root=args.src, stop=stop,
                              inputs=inputs)
    except Interrupted as stopped:
        results, interrupted = stopped.results, stopped
    total = round(time.perf_counter() - start, 2)
    with stop.deferred():  # the report is written whole, whatever comes now
        tracebacks = {r["notebook"]: r.pop("traceback", None) for r in results or []}
        for r in results or []:
            if r["notebook"] in inputs and r["error"] != NOT_STARTED:
                r["inputs"] = inputs[r["notebook"]]
        report = None
        if results is not None:
            every = results + list(skipped.values())
            report = _report(env, total, every, args.results, partial)
            write_results(report, args.results)
        if interrupted is not None:
            print(_interrupted_line(interrupted, total, report, results, args.results),
                  file=sys.stderr)
            return interrupted.exit_status
        _print_summary(results, total, args, tracebacks, len(skipped))
    if stop.signum is not None:  # came while the report was written: it is complete
        return 128 + stop.signum
    return 0 if all(r["status"] == "ok" for r in results) else 1


def _print_skipped(entry, refreshed):
    prose = "; its markdown taken from the source" if refreshed else ""
    print(f"{'skipped':11s} {entry['notebook']:60s} unchanged since its last run "
          f"(ok in {entry['seconds']:.1f} s){prose}", flush=True)


def _why(todo, src_root):
    """Each reason once, with the notebooks it applies to."""
    by_reason = {}
    for path, why in todo.items():
        by_reason.setdefault(why, []).append(path.stem)
    return "; ".join(f"{why} ({', '.join(names)})" for why, names in by_reason.items())


def _report(env, total, results, path, partial):
    """This run's results over the last report's: a partial run (patterns) keeps the other
    notebooks, and a notebook an interruption kept from starting keeps its last result."""
    try:
        old = {r["notebook"]: r for r in read_results(path)["notebooks"]}
    except (ValueError, KeyError, TypeError):  # unreadable: this run's report replaces it
        old = {}
    mine = {}
    for r in results:
        if r["error"] == NOT_STARTED and r["notebook"] in old:
            mine[r["notebook"]] = old[r["notebook"]]
        else:
            mine[r["notebook"]] = r
    notebooks = {**old, **mine} if partial else mine
    entries = [notebooks[name] for name in sorted(notebooks)]
    return {"environment": env, "total_seconds": total,
            "complete": all(r["status"] != "interrupted" for r in entries),
            "notebooks": entries}


def _interrupted_line(stopped, total, report, results, results_path):
    if report is None:
        return (f"interrupted by {stopped.name} after {total:.1f} s, before any notebook "
                f"started; {results_path} unchanged")
    cut = [r["notebook"] for r in results
           if r["status"] == "interrupted" and r["error"] != NOT_STARTED]
    waiting = sum(r["error"] == NOT_STARTED for r in results)
    finished = [r for r in results if r["status"] != "interrupted"]
    ok = sum(r["status"] == "ok" for r in finished)
    return (f"interrupted by {stopped.name} after {total:.1f} s: stopped "
            f"{', '.join(cut) or 'no notebook'}; {len(finished)} finished ({ok} ok), "
            f"{waiting} not started; {results_path} "
            f"{'complete' if report['complete'] else 'marked incomplete'}")


def _print_summary(results, total, args, tracebacks, skipped=0):
    failed = [r for r in results if r["status"] != "ok"]
    unchanged = f"{skipped} skipped (unchanged since their last run)" if skipped else ""
    if results:
        ran = f"{len(results) - len(failed)}/{len(results)} notebooks ran in {total:.1f} s"
        done = f"{ran}, {unchanged}" if unchanged else ran
    else:
        done = f"nothing to execute: {unchanged} ({total:.1f} s)"
    print(f"{done}; results in {args.results}", flush=True)
    for r in failed:
        if tracebacks.get(r["notebook"]):
            print(f"\n{r['notebook']}:\n{tracebacks[r['notebook']][-3000:]}", file=sys.stderr)
    for r in failed:  # last, where a reader sees them: one line each
        copy = f" (executed copy: {args.out / r['notebook']})" if r["status"] == "failed" else ""
        print(f"{r['notebook']}: {r['error']}{copy}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
