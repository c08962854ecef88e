"""Every notebook follows the project's conventions (see README: adding a notebook)."""

import ast
import inspect
import re
import textwrap

import pytest
from conftest import load_notebook
from notestools.notebooks import source_notebooks
from notestools.strip_outputs import dirty_cells

import d2lnotes

EXPECTED = {
    "02-preliminaries": ["2.1-data-manipulation", "2.2-data-preprocessing",
                         "2.3-linear-algebra", "2.4-calculus",
                         "2.5-automatic-differentiation", "2.6-probability"],
    "03-linear-neural-networks": ["3.1-linear-regression", "3.2-linear-regression-from-scratch",
                                  "3.3-linear-regression-concise", "3.4-softmax-regression",
                                  "3.5-image-classification-dataset",
                                  "3.6-softmax-regression-from-scratch",
                                  "3.7-softmax-regression-concise"],
}
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
NOTEBOOKS = source_notebooks()
ids = [p.stem for p in NOTEBOOKS]


def source(cell):
    return "".join(cell["source"])


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def code_ast(cell):
    """Parse a code cell, skipping IPython magics and shell escapes."""
    lines = [l for l in source(cell).splitlines() if not l.lstrip().startswith(("%", "!"))]
    return ast.parse("\n".join(lines))


def test_every_section_has_its_notebook():
    found = {(p.parent.name, p.stem) for p in NOTEBOOKS}
    expected = {(ch, nb) for ch, nbs in EXPECTED.items() for nb in nbs}
    assert found == expected


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
class TestNotebook:
    def test_stored_clean_with_python3_kernel(self, path):
        import nbformat

        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "python3"
        assert not dirty_cells(nb), \
            f"outputs stored in {path.name}: run `python shared/tools/strip_outputs.py`"

    def test_bilingual_title(self, path):
        first = load_notebook(path)["cells"][0]
        text = source(first)
        assert first["cell_type"] == "markdown" and text.startswith("# ")
        title = text.splitlines()[0]
        assert CJK.search(title) and LATIN_WORD.search(title), title
        assert path.stem.split("-")[0] in title  # the section number

    def test_parameters_cell_with_device(self, path):
        cells = [c for c in load_notebook(path)["cells"] if "parameters" in tags(c)]
        assert len(cells) == 1, "exactly one cell tagged `parameters`"
        assigned = {n.targets[0].id: n.value for n in code_ast(cells[0]).body
                    if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name)}
        assert "device" in assigned and ast.literal_eval(assigned["device"]) == "auto"

    def test_imports_the_helper_package(self, path):
        imports = [n for c in load_notebook(path)["cells"] if c["cell_type"] == "code"
                   for n in ast.walk(code_ast(c)) if isinstance(n, ast.Import)]
        assert any(a.name == "d2lnotes" and a.asname == "d2l" for n in imports for a in n.names)
        assert "sys.path" not in "".join(source(c) for c in load_notebook(path)["cells"])

    def test_markdown_is_bilingual_in_adjacent_pairs(self, path):
        cells = load_notebook(path)["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] != "markdown":
                continue
            lang = tags(cell) & {"en", "zh", "bilingual"}
            where = f"markdown cell {i}: {source(cell)[:60]!r}"
            assert len(lang) == 1, f"{where} needs exactly one tag of en / zh / bilingual"
            if "en" in lang:
                nxt = cells[i + 1] if i + 1 < len(cells) else None
                assert nxt is not None and "zh" in tags(nxt), f"{where} has no zh partner after it"
            if "zh" in lang:
                assert i > 0 and "en" in tags(cells[i - 1]), f"{where} has no en partner before it"
                assert CJK.search(source(cell)), f"{where} is tagged zh but has no Chinese"

    def test_results_are_asserted(self, path):
        asserts = [n for c in load_notebook(path)["cells"] if c["cell_type"] == "code"
                   for n in ast.walk(code_ast(c)) if isinstance(n, ast.Assert)]
        assert len(asserts) >= 3, "assert the results the section is about"

    def test_summary_terms_and_exercises(self, path):
        cells = load_notebook(path)["cells"]
        text = "\n".join(source(c) for c in cells if c["cell_type"] == "markdown")
        assert "小结" in text and "Summary" in text
        assert re.search(r"\|\s*English\s*\|\s*中文\s*\|", text), "a terms table (English | 中文)"
        assert "练习 / Exercises" in text
        assert any("exercise" in tags(c) for c in cells)
        solutions = [c for c in cells if "solution" in tags(c)]
        assert any(c["cell_type"] == "code" for c in solutions), "worked, executed solutions"

    def test_saved_functions_match_the_helpers(self, path):
        """A function a notebook teaches and marks #@save is the helper's, exactly."""
        for cell in load_notebook(path)["cells"]:
            if cell["cell_type"] != "code" or "#@save" not in source(cell):
                continue
            lines = source(cell).splitlines()
            for node in code_ast(cell).body:
                if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    continue
                if "#@save" not in lines[node.lineno - 1]:
                    continue
                helper = getattr(d2lnotes, node.name, None)
                assert helper is not None, f"{node.name} is marked #@save but d2lnotes lacks it"
                theirs = ast.parse(textwrap.dedent(inspect.getsource(helper))).body[0]
                assert ast.dump(node) == ast.dump(theirs), \
                    f"{node.name} in {path.name} differs from d2lnotes.{node.name}"
