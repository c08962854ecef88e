"""Every notebook as Run All leaves it (issue 20): no warning in any output, every figure
drawn, nothing left on screen by the record cell, and the exercise progress untouched (Run
All runs the student's stubs, which check nothing as correct).

The executed copies come from the `executed_notebooks` fixture (conftest.py): build/'s when
they are from the current sources, else executed once for the session. The checks themselves
are tried first on made-up notebooks, so each is known to fail when it should."""

import re

import nbformat
import pytest

from d2lnotes.results import MIME_TYPE
from notestools.notebooks import CHAPTERS, source_notebooks
from notestools.results import read_results

IMAGE_TYPES = ("image/png", "image/svg+xml")
VISIBLE_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex")
PROGRESS_RE = re.compile(r"checked correct: (\d+) of (\d+) exercises")


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def _text(output):
    """What an output shows: a stream's text, an error's name, value and traceback, a
    display's text forms."""
    if output["output_type"] == "stream":
        return output.get("text", "")
    if output["output_type"] == "error":
        return "\n".join([output.get("ename", ""), output.get("evalue", ""),
                          *output.get("traceback", [])])
    data = output.get("data", {})
    return "\n".join(str(data[t]) for t in VISIBLE_TYPES if t in data)


def _where(index, cell):
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"cell {index + 1} ({first[:60]})"


def warnings(nb):
    """Outputs that hold a warning (stderr or stdout, an error)."""
    return [f"{_where(i, c)}: {line.strip()[:200]}"
            for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o["output_type"] in ("stream", "error")
            for line in _text(o).splitlines() if "Warning" in line]


def figures_missing(nb):
    """Code cells tagged `figure` without an image output."""
    return [_where(i, c) for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and "figure" in _tags(c)
            and not any(t in o.get("data", {}) for o in c.get("outputs", [])
                        for t in IMAGE_TYPES)]


def recorded_shown(nb):
    """Outputs that show "recorded:" (record() publishes its values without a display)."""
    return [_where(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if "recorded:" in _text(o)]


def progress_problems(nb):
    """The `progress` cell must say that no exercise was checked correct."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "progress" not in _tags(cell):
            continue
        shown = "".join(_text(o) for o in cell.get("outputs", []))
        found = PROGRESS_RE.search(shown)
        if found is None:
            problems.append(f"{_where(i, cell)}: no progress line in {shown[:200]!r}")
        elif int(found.group(1)) != 0 or "✓" in shown:
            problems.append(f"{_where(i, cell)}: {found.group(0)}")
    return problems


def problems(nb):
    found = {"warning": warnings(nb), "figure without an image": figures_missing(nb),
             "shows recorded:": recorded_shown(nb), "progress": progress_problems(nb)}
    return {kind: where for kind, where in found.items() if where}


# -- the checks, on made-up notebooks -------------------------------------------------------

def _stream(text, name="stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def _display(data):
    return nbformat.v4.new_output("display_data", data=data)


def _notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _code(source, outputs=(), tags=()):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})
    cell.outputs = list(outputs)
    return cell


def _good():
    return _notebook(
        nbformat.v4.new_markdown_cell("# 9.9 标题 Title (a Warning in prose is no output)"),
        _code("print(1)", [_stream("1\n")]),
        _code("# 图：示意 · Figure: a sketch\n_draw_it()",
              [_display({"image/svg+xml": "<svg/>", "text/plain": "<Figure>"})], ["figure"]),
        _code("d2l.record(acc=0.8)",
              [_display({MIME_TYPE: {"acc": 0.8}})], ["record"]),
        _code("ex.progress()", [_stream("3.6 已检查正确 0/3 道练习 · checked correct: 0 of 3 "
                                        "exercises  [1· 2· 3·]\n")], ["progress"]))


def test_a_clean_executed_notebook_passes():
    assert problems(_good()) == {}


@pytest.mark.parametrize("output", [
    _stream("/x.py:3: UserWarning: something is deprecated\n", "stderr"),
    _stream("FutureWarning: later\n"),
    nbformat.v4.new_output("error", ename="RuntimeWarning", evalue="overflow", traceback=[]),
])
def test_a_warning_in_any_output_fails(output):
    nb = _good()
    nb.cells[1].outputs.append(output)
    assert list(problems(nb)) == ["warning"]
    assert problems(nb)["warning"][0].startswith("cell 2 (print(1)): ")


def test_a_figure_cell_without_an_image_fails():
    nb = _good()
    nb.cells[2].outputs = [_display({"text/plain": "<Figure size 350x250 with 1 Axes>"})]
    assert problems(nb) == {"figure without an image": ["cell 3 (# 图：示意 · Figure: a sketch)"]}
    nb.cells[2].outputs = [_display({"image/png": "iVBOR..."})]
    assert problems(nb) == {}


def test_a_visible_recorded_line_fails():
    nb = _good()
    nb.cells[3].outputs.append(_display({"text/plain": "recorded: acc=0.8"}))
    assert list(problems(nb)) == ["shows recorded:"]
    nb = _good()
    nb.cells[3].outputs = [_stream("recorded: acc=0.8\n")]
    assert list(problems(nb)) == ["shows recorded:"]


@pytest.mark.parametrize("line", [
    "3.6 已检查正确 1/3 道练习 · checked correct: 1 of 3 exercises  [1✓ 2· 3·]\n",
    "nothing printed\n",
])
def test_progress_must_show_no_exercise_checked(line):
    nb = _good()
    nb.cells[4].outputs = [_stream(line)]
    assert list(problems(nb)) == ["progress"]


# -- the real notebooks ------------------------------------------------------------------------

NAMES = [str(p.relative_to(CHAPTERS)) for p in source_notebooks()]


@pytest.mark.parametrize("name", NAMES)
def test_executed_notebook_is_clean(name, executed_notebooks):
    out, results = executed_notebooks
    entry = {r["notebook"]: r for r in read_results(results)["notebooks"]}.get(name)
    assert entry is not None and entry["status"] == "ok", (
        f"{name} did not run: {entry and entry['error']}")
    nb = nbformat.read(out / name, as_version=4)
    assert problems(nb) == {}
