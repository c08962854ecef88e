"""Every notebook follows the project's conventions (see .github/CONTRIBUTING.md)."""

import ast
import inspect
import re
import textwrap

import nbformat
import pytest
from conftest import load_notebook

import d2lnotes
from notestools.notebooks import (
    CHAPTERS,
    INDEX,
    find_notebooks,
    source_notebooks,
    unclean_notebooks,
)
from notestools.site.markdown import parse_terms, term_key

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
# The language of the first cell of every zh/en pair, then its partner's.
PAIR_ORDER = ("zh", "en")
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
NOTEBOOKS = source_notebooks()
ids = [p.stem for p in NOTEBOOKS]
# What a lesson may not reach for: helper internals (submodules, private names).
INTERNALS = re.compile(r"\bfrom\s+d2lnotes\.|\bimport\s+d2lnotes\.|\bd2l\._|\bd2lnotes\._")
DRAWS = re.compile(r"\bd2l\.(plot|show_images|Animator|train_ch3|predict_ch3|set_figsize)\b|"
                   r"\bplt\.|\.imshow\(|\bshow_images\(|\bAnimator\(")


def source(cell):
    return "".join(cell["source"])


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def code_ast(cell):
    """Parse a code cell; an IPython magic or shell escape counts as a `pass` statement."""
    lines = [l[:len(l) - len(l.lstrip())] + "pass" if l.lstrip().startswith(("%", "!")) else l
             for l in source(cell).splitlines()]
    return ast.parse("\n".join(lines))


def test_every_section_has_its_notebook():
    found = {(p.parent.name, p.stem) for p in NOTEBOOKS}
    expected = {(ch, nb) for ch, nbs in EXPECTED.items() for nb in nbs}
    assert found == expected


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
class TestNotebook:
    def test_stored_with_ipykernels_python3(self, path):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec == {"name": "python3", "language": "python",
                                          "display_name": "Python 3 (ipykernel)"}

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
        """Every zh note is immediately followed by its en partner (Chinese first: the book and
        most readers are Chinese)."""
        cells = load_notebook(path)["cells"]
        first, second = PAIR_ORDER
        for i, cell in enumerate(cells):
            if cell["cell_type"] != "markdown":
                continue
            lang = tags(cell) & {"en", "zh", "bilingual"}
            where = f"markdown cell {i}: {source(cell)[:60]!r}"
            assert len(lang) == 1, f"{where} needs exactly one tag of en / zh / bilingual"
            if first in lang:
                nxt = cells[i + 1] if i + 1 < len(cells) else None
                assert nxt is not None and second in tags(nxt), \
                    f"{where} has no {second} partner after it"
            if second in lang:
                assert i > 0 and first in tags(cells[i - 1]), \
                    f"{where} has no {first} partner before it"
            if "zh" in lang:
                assert CJK.search(source(cell)), f"{where} is tagged zh but has no Chinese"

    def test_uses_only_public_helpers(self, path):
        """A lesson teaches the book: d2l.<public name> and what it defines, no internals."""
        for i, cell in enumerate(load_notebook(path)["cells"]):
            if cell["cell_type"] == "code":
                found = INTERNALS.search(source(cell))
                assert not found, f"code cell {i} reaches into the helper: {found.group(0)!r}"
                for node in ast.walk(code_ast(cell)):
                    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                            and node.value.id == "d2l":
                        assert node.attr in d2lnotes.__all__, f"d2l.{node.attr} is not public"

    def test_a_drawing_notebook_starts_with_matplotlib_inline(self, path):
        cells = [c for c in load_notebook(path)["cells"] if c["cell_type"] == "code"]
        if not any(DRAWS.search(source(c)) for c in cells):
            return
        setup = next(c for c in cells if "import d2lnotes as d2l" in source(c))
        assert source(setup).startswith("%matplotlib inline"), \
            "figures must show whatever MPLBACKEND says: start the setup cell with it"

    def test_ends_with_next_outside_the_last_solution(self, path):
        """Run All selects the last cell; outside a solution it leaves them all folded."""
        last = load_notebook(path)["cells"][-1]
        text = source(last)
        assert last["cell_type"] == "markdown" and "solution" not in tags(last), text[:80]
        assert text.startswith("## 下一节 Next") or text.startswith("## 目录 Contents"), text[:80]
        target = re.search(r"\]\(([^)]+\.ipynb)\)", text)
        assert target and (path.parent / target.group(1)).resolve().exists(), text

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


def test_stored_exactly_as_the_git_filter_stores_them():
    unclean = unclean_notebooks(find_notebooks(CHAPTERS))
    assert not unclean, ("not stored as the git filter stores them (outputs, kernel metadata "
                         f"or layout): {[p.name for p in unclean]}; run "
                         "`python -m notestools lint --clean-notebooks`")


def glossary_pairs(paths):
    """(term, Chinese term, section) from every notebook's terms table, merged by term as
    the site's glossary merges them."""
    for path in paths:
        cells = nbformat.read(path, as_version=4).cells
        for en, zh in parse_terms(cells):
            yield term_key(en), zh, path.stem.split("-")[0]


def test_one_term_per_concept_in_both_directions():
    """One Chinese term per English term, and one English term per Chinese term (a word with
    two meanings gets two qualified keys, such as "sum rule (probability)")."""
    by_en, by_zh = {}, {}
    for en, zh, section in glossary_pairs(NOTEBOOKS):
        by_en.setdefault(en, {}).setdefault(zh, []).append(section)
        by_zh.setdefault(zh, {}).setdefault(en, []).append(section)
    twice = {en: found for en, found in by_en.items() if len(found) > 1}
    assert not twice, f"one English term, several Chinese terms: {twice}"
    twice = {zh: found for zh, found in by_zh.items() if len(found) > 1}
    assert not twice, f"one Chinese term, several English terms: {twice}"
    assert len(by_en) > 200


def test_the_glossary_check_catches_two_terms(tmp_path):
    for name, zh in (("a", "广播"), ("b", "广播机制")):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
            f"| English | 中文 |\n| --- | --- |\n| broadcasting | {zh} |")])
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    pairs = list(glossary_pairs(sorted(tmp_path.glob("*.ipynb"))))
    assert {zh for _, zh, _ in pairs} == {"广播", "广播机制"}


def test_the_index_links_every_section():
    text = "".join("".join(c["source"]) for c in load_notebook(CHAPTERS / INDEX)["cells"])
    for path in NOTEBOOKS:
        assert f"]({path.relative_to(CHAPTERS).as_posix()})" in text, path.name
