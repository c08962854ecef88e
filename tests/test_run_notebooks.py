"""`make run`'s executor: sources untouched, executed copies and results collected into
build/results.json, and the kernel-side helpers (Animator, record) behave in a real Jupyter
kernel. Crashes, hangs and Ctrl-C: test_faults.py."""

import hashlib
import json

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
    assert set(entry) == {"notebook", "status", "seconds", "peak_rss_mb", "error", "recorded"}
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
