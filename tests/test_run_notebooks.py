"""`make run`'s executor: sources untouched, executed copies and results collected into
build/results.json, and the kernel-side helpers (Animator, record) behave in a real Jupyter
kernel. Crashes, hangs and Ctrl-C: test_faults.py."""

import hashlib
import json
import sys

import nbformat
import pytest
from conftest import ROOT

from notestools import results, run_notebooks
from notestools.notebooks import FORK_KERNEL, source_notebooks


def _digests():
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in source_notebooks()}


def test_run_leaves_sources_unchanged_and_writes_results(tmp_path, fork_zygote):
    before = _digests()
    out, results_file = tmp_path / "notebooks", tmp_path / "results.json"
    code = run_notebooks.main(["--pattern", "2.1-data", "--out", str(out),
                               "--results", str(results_file), "--jobs", "1",
                               "--device", "cpu"])
    assert code == 0
    assert _digests() == before  # byte for byte
    executed = out / "02-preliminaries" / "2.1-data-manipulation.ipynb"
    nb = nbformat.read(executed, as_version=4)
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert nb.cells[1].source.startswith('device = "auto"')  # papermill injected after it
    assert any('device = "cpu"' in c.source for c in nb.cells)
    report = results.read_results(results_file)
    assert report["environment"]["device"] == "cpu" and report["complete"] is True
    [entry] = report["notebooks"]
    assert set(entry) == {"notebook", "status", "seconds", "peak_rss_mb", "error", "recorded",
                          "inputs"}
    assert set(entry["inputs"]) == {"code", "d2lnotes", "runner", "parameters", "device",
                                    "kernel", "torch", "python"}
    assert entry["inputs"]["device"] == "cpu" and entry["inputs"]["kernel"] == FORK_KERNEL
    assert nb.metadata["d2lnotes"]["inputs"] == entry["inputs"]  # the copy says what it ran
    assert entry["notebook"] == "02-preliminaries/2.1-data-manipulation.ipynb"
    assert entry["status"] == "ok" and entry["seconds"] > 0 and entry["error"] is None
    assert entry["peak_rss_mb"] > 50  # a kernel with torch loaded
    assert not list(out.rglob("*.partial.json"))  # written whole, then renamed
    assert not (out / ".run.lock").exists()


def test_a_failing_notebook_fails_the_run(tmp_path, capsys):
    chapters = tmp_path / "chapters" / "99-test"
    chapters.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell('device = "auto"', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("assert 1 + 1 == 3, 'arithmetic is broken'")]
    nbformat.write(nb, chapters / "9.9-broken.ipynb")
    code = run_notebooks.main(["--src", str(tmp_path / "chapters"), "--out",
                               str(tmp_path / "out"), "--jobs", "1", "--device", "cpu",
                               "--results", str(tmp_path / "r.json"), "--kernel", "python3"])
    assert code == 1
    err = capsys.readouterr().err
    [entry] = json.loads((tmp_path / "r.json").read_text())["notebooks"]
    assert entry["status"] == "failed"
    assert entry["error"] == ("failed in cell 2 (assert 1 + 1 == 3, 'arithmetic is broken'): "
                              "AssertionError: arithmetic is broken")
    assert f"99-test/9.9-broken.ipynb: {entry['error']} (executed copy: " in err
    assert entry["peak_rss_mb"] > 10  # a plain kernel, measured as its worker's child


def _execute_cells(tmp_path, zygote, *sources):
    """Run code cells in a real kernel, as `make run` does; return the executed notebook."""
    src, dst = tmp_path / "cells.ipynb", tmp_path / "out" / "cells.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, src)
    # The forked kernel, as `make run` uses: figures and record work there as in JupyterLab.
    result = run_notebooks.execute(src, dst, {}, FORK_KERNEL, zygote.path)
    assert result["status"] == "ok", result["error"]
    return nbformat.read(dst, as_version=4)


def _figures(outputs):
    return [o for o in outputs if "image/svg+xml" in o.get("data", {})]


def test_animator_updates_one_figure_and_record_is_collected(tmp_path, fork_zygote):
    nb = _execute_cells(
        tmp_path, fork_zygote,
        "import d2lnotes as d2l\n"
        "animator = d2l.Animator(xlabel='epoch', xlim=[1, 5], legend=['loss'])\n"
        "for epoch in range(1, 6):\n"
        "    animator.add(epoch, 1.0 / epoch)\n"
        "    print(epoch)\n"
        "d2l.record(test_acc=0.83, seconds=1.5)")
    outputs = nb.cells[0].outputs
    figures = _figures(outputs)
    assert len(figures) == 1  # updated in place, not one figure per epoch
    assert "<svg" in figures[0]["data"]["image/svg+xml"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert text.split() == ["1", "2", "3", "4", "5"]
    assert results.recorded_results(nb) == {"test_acc": 0.83, "seconds": 1.5}


def test_longest_notebooks_start_first_and_chapter_3_on_a_fresh_clone():
    paths = source_notebooks()
    names = [str(p.relative_to(run_notebooks.CHAPTERS)) for p in paths]
    fresh = run_notebooks.start_order(paths)
    assert fresh == paths[::-1]  # 3.7, 3.6, 3.5 ... 2.1
    seconds = {name: 1.0 for name in names} | {names[0]: 30.0, names[4]: 20.0}
    timed = run_notebooks.start_order(paths, seconds)
    assert timed[:2] == [paths[0], paths[4]] and sorted(timed) == sorted(paths)


def test_results_are_replaced_whole_and_read_back_or_explained(tmp_path):
    path = tmp_path / "results.json"
    assert results.read_results(path) == {"environment": {}, "total_seconds": 0.0,
                                          "complete": False, "notebooks": []}
    report = {"environment": {"device": "cpu"}, "total_seconds": 1.5, "complete": True,
              "notebooks": [{"notebook": "a.ipynb", "status": "ok", "seconds": 1.0,
                             "peak_rss_mb": None, "error": None, "recorded": {"x": 1}}]}
    results.write_results(report, path)
    assert results.read_results(path) == report
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]  # no temporary left
    path.write_text("{not json")
    with pytest.raises(ValueError, match="delete it and run the notebooks again"):
        results.read_results(path)


def test_repo_layout_ignores_what_runs_produce():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert {"build/", ".venv/", "data/"} <= set(ignored)


# -- only what changed is executed again ---------------------------------------------------------

def _small_notebook(path, code, prose, title):
    """A made-up section: a title, a parameters cell, prose and ``code``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(title, id="title"),
                nbformat.v4.new_code_cell('device = "auto"', id="params",
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_markdown_cell(prose, id="prose"),
                nbformat.v4.new_code_cell(code, id="code")]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def _edit(path, cell_id, source):
    nb = nbformat.read(path, as_version=4)
    next(c for c in nb.cells if c.id == cell_id).source = source
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def cpu_environment():
    return run_notebooks.environment("cpu")


@pytest.fixture
def small_tree(tmp_path, monkeypatch, cpu_environment):
    """Two made-up notebooks, a stand-in for the helper package, and a function running
    them as `make run` does (in this process; python3 kernels, which start fast)."""
    src, out = tmp_path / "chapters", tmp_path / "notebooks"
    helpers = tmp_path / "helpers"
    helpers.mkdir()
    (helpers / "train.py").write_text("EPOCHS = 1\n")
    monkeypatch.setattr(run_notebooks, "HELPERS", helpers)
    # The environment as a run finds it (a child process importing torch: seconds each run).
    monkeypatch.setattr(run_notebooks, "environment", lambda device: dict(cpu_environment))
    chapter = src / "02-preliminaries"
    _small_notebook(chapter / "2.1-a.ipynb", "print('a', 1)", "PROSE-A-ONE", "# 2.1 甲 First")
    _small_notebook(chapter / "2.2-b.ipynb", "print('b', 1)", "PROSE-B-ONE", "# 2.2 乙 Second")

    def run(*extra):
        code = run_notebooks.main(["--src", str(src), "--out", str(out), "--results",
                                   str(tmp_path / "results.json"), "--jobs", "2", "--device",
                                   "cpu", "--kernel", "python3", *extra])
        report = results.read_results(tmp_path / "results.json")
        return code, {r["notebook"].split("/")[-1]: r for r in report["notebooks"]}

    return {"src": chapter, "out": out / "02-preliminaries", "helpers": helpers, "run": run,
            "results": tmp_path / "results.json"}


def _executed(capsys):
    """The notebooks the last run executed and skipped, from what it printed."""
    out = capsys.readouterr().out
    lines = [line.split() for line in out.splitlines()]
    ran = sorted(w[1].split("/")[-1] for w in lines if w[:1] == ["ok"] or w[:1] == ["FAILED"])
    skipped = sorted(w[1].split("/")[-1] for w in lines if w[:1] == ["skipped"])
    return ran, skipped, out


def _outputs(path):
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs)


def test_only_notebooks_whose_code_changed_are_executed_again(small_tree, capsys):
    run = small_tree["run"]
    code, entries = run()
    assert code == 0 and sorted(entries) == ["2.1-a.ipynb", "2.2-b.ipynb"]
    assert _executed(capsys)[:2] == (["2.1-a.ipynb", "2.2-b.ipynb"], [])
    assert entries["2.1-a.ipynb"]["inputs"]["kernel"] == "python3"

    assert run()[0] == 0  # nothing changed
    ran, skipped, out = _executed(capsys)
    assert (ran, skipped) == ([], ["2.1-a.ipynb", "2.2-b.ipynb"])
    assert "unchanged since its last run" in out and "nothing to execute: 2 skipped" in out

    _edit(small_tree["src"] / "2.2-b.ipynb", "code", "print('b', 2)")  # code: that one only
    run()
    ran, skipped, out = _executed(capsys)
    assert (ran, skipped) == (["2.2-b.ipynb"], ["2.1-a.ipynb"])
    assert "its code cells changed (2.2-b)" in out
    assert _outputs(small_tree["out"] / "2.2-b.ipynb") == "b 2\n"

    _edit(small_tree["src"] / "2.1-a.ipynb", "prose", "PROSE-A-TWO")  # prose: none
    run()
    ran, skipped, out = _executed(capsys)
    assert (ran, skipped) == ([], ["2.1-a.ipynb", "2.2-b.ipynb"])
    assert "its markdown taken from the source" in out
    copy = nbformat.read(small_tree["out"] / "2.1-a.ipynb", as_version=4)
    assert [c.source for c in copy.cells if c.cell_type == "markdown"] == [
        "# 2.1 甲 First", "PROSE-A-TWO"]
    assert _outputs(small_tree["out"] / "2.1-a.ipynb") == "a 1\n"  # outputs kept
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in copy.cells)

    (small_tree["helpers"] / "train.py").write_text("EPOCHS = 2\n")  # a helper: all
    run()
    ran, skipped, out = _executed(capsys)
    assert (ran, skipped) == (["2.1-a.ipynb", "2.2-b.ipynb"], [])
    assert "the d2lnotes helpers changed (2.1-a, 2.2-b)" in out

    run("--rerun")
    assert _executed(capsys)[:2] == (["2.1-a.ipynb", "2.2-b.ipynb"], [])


def test_the_site_shows_prose_edited_after_the_run(small_tree, capfd):
    """What `make html` does after a prose edit: the runner executes nothing, the site shows
    the new prose, and nothing alarming is printed on the way."""
    from notestools import site

    small_tree["run"]()
    capfd.readouterr()
    _edit(small_tree["src"] / "2.1-a.ipynb", "prose", "PROSE-A-EDITED")
    small_tree["run"]()
    html = small_tree["results"].parent / "html"
    assert site.main(["--src", str(small_tree["out"].parent), "--out", str(html),
                      "--results", str(small_tree["results"]),
                      "--chapters", str(small_tree["src"].parent)]) == 0
    out, err = capfd.readouterr()
    assert not any(line.startswith("ok ") for line in out.splitlines())
    assert "nothing to execute: 2 skipped" in out
    for text in (out, err):
        assert "ERROR" not in text and "Traceback" not in text, text
    page = (html / "02-preliminaries" / "2.1-a.html").read_text(encoding="utf-8")
    assert "PROSE-A-EDITED" in page and "PROSE-A-ONE" not in page


def test_a_failed_or_cut_short_notebook_is_executed_again(small_tree, capsys):
    run = small_tree["run"]
    _edit(small_tree["src"] / "2.2-b.ipynb", "code", "raise SystemExit('not yet')")
    code, entries = run()
    assert code == 1 and entries["2.2-b.ipynb"]["status"] == "failed"
    capsys.readouterr()
    code, entries = run()  # the same code: run again, as it failed
    ran, skipped, out = _executed(capsys)
    assert (ran, skipped) == (["2.2-b.ipynb"], ["2.1-a.ipynb"])
    assert "its last run failed (2.2-b)" in out

    report = json.loads(small_tree["results"].read_text())
    for entry in report["notebooks"]:
        entry["status"] = "interrupted"
    report["complete"] = False
    small_tree["results"].write_text(json.dumps(report))
    run()
    assert "its last run interrupted" in _executed(capsys)[2]


def test_a_copy_from_another_run_or_missing_is_executed_again(small_tree, capsys):
    run = small_tree["run"]
    run()
    (small_tree["out"] / "2.1-a.ipynb").unlink()
    nb = json.loads((small_tree["out"] / "2.2-b.ipynb").read_text())
    nb["metadata"]["d2lnotes"]["inputs"]["code"] = "another"
    (small_tree["out"] / "2.2-b.ipynb").write_text(json.dumps(nb))
    capsys.readouterr()
    run()
    ran, skipped, out = _executed(capsys)
    assert ran == ["2.1-a.ipynb", "2.2-b.ipynb"]
    assert "no executed copy (2.1-a)" in out
    assert "its executed copy is from another run (2.2-b)" in out

    copy = small_tree["out"] / "2.1-a.ipynb"  # its fingerprint, but other code (edited by hand)
    copy.write_text(copy.read_text().replace("print('a', 1)", "print('edited')"))
    run()
    ran, skipped, out = _executed(capsys)
    assert (ran, skipped) == (["2.1-a.ipynb"], ["2.2-b.ipynb"])
    assert "its executed copy does not match its code (2.1-a)" in out


@pytest.mark.parametrize("kernel", ["d2lnotes-fork", "python3"])
def test_a_passing_run_prints_no_error_and_no_traceback(kernel, small_tree, capfd):
    """Kernels, workers and the zygote write to the same terminal: nothing alarming there
    (ipykernel logged "ERROR | KeyboardInterrupt caught in kernel" when jupyter_client
    interrupted a kernel it was shutting down)."""
    if kernel == FORK_KERNEL and sys.platform != "linux":
        pytest.skip("forked kernels are Linux-only")
    code = run_notebooks.main(["--src", str(small_tree["src"].parent), "--out",
                               str(small_tree["out"].parent), "--results",
                               str(small_tree["results"]), "--jobs", "2", "--device", "cpu",
                               "--kernel", kernel])
    out, err = capfd.readouterr()
    assert code == 0, out + err
    assert sum(line.startswith("ok ") for line in out.splitlines()) == 2, out
    for text in (out, err):
        assert "ERROR" not in text and "Traceback" not in text, text
        assert "WARNING" not in text, text  # "running over TCP without encryption" was


def test_tests_reuse_copies_only_while_their_code_and_tools_are_current(small_tree,
                                                                         cpu_environment):
    """stale_copies: what the executed_notebooks fixture (conftest.py) asks before it reads
    build/'s copies instead of executing the notebooks again."""
    small_tree["run"]("--kernel", "python3")
    src, out = small_tree["src"], small_tree["out"]
    paths = sorted(src.glob("*.ipynb"))
    env = {"torch": cpu_environment["torch"], "python": cpu_environment["python"]}

    def stale():
        return run_notebooks.stale_copies(paths, src.parent, out.parent, small_tree["results"],
                                          env)

    assert stale() == {}  # any device and kernel kind will do
    _edit(src / "2.1-a.ipynb", "prose", "PROSE-A-NEW")
    assert stale() == {}  # prose is read from the source anyway
    _edit(src / "2.2-b.ipynb", "code", "print('b', 3)")
    assert stale() == {"02-preliminaries/2.2-b.ipynb": "its code cells changed"}
    env["torch"] = "0.0"
    assert set(stale().values()) == {"another torch", "its code cells changed"}
