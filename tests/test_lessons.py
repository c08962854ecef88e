"""The lesson conventions of issues 20–22: openings with the book's links, the folded install,
record and figure cells, and exercises a student can try (question, Your turn, check, hint,
solution) whose checks exist in d2lnotes and whose solutions never overwrite the student's names."""

import ast
import re
from pathlib import Path

import pytest
from conftest import load_notebook
from test_conventions import NOTEBOOKS, code_ast, ids, source, tags

import d2lnotes as d2l

# Top-level exercises in each book's section (d2l-zh v2, d2l-en 1.0): every d2l-zh exercise is
# one here, and every d2l-en one is either its own exercise or named by the d2l-zh one it repeats.
BOOK_EXERCISES = {
    "2.1": (2, 2), "2.2": (2, 5), "2.3": (8, 12), "2.4": (4, 10), "2.5": (5, 8), "2.6": (4, 8),
    "3.1": (3, 8), "3.2": (7, 9), "3.3": (3, 5), "3.4": (3, 7), "3.5": (3, 3), "3.6": (5, 5),
    "3.7": (2, 4),
}
# The figures the book teaches with that issue 20 names (at least this many `figure` cells).
FIGURES = {"2.4": 1, "2.6": 1, "3.1": 2, "3.4": 1}
EN_HEADING = re.compile(r"### Exercise (\d+)(.*)")
ZH_HEADING = re.compile(r"### 练习 (\d+)")
HISTORY = re.compile(r"our study notes|an earlier version|学习笔记中的一个错误|早先的版本", re.I)
EN_MARK = re.compile(r"d2l-en 1\.0, Exercises? ([\d, and]+)")


def section(path):
    return path.stem.split("-")[0]


def hidden(cell):
    return cell.get("metadata", {}).get("jupyter", {}).get("source_hidden") is True


def collapsed(cell):
    return cell.get("metadata", {}).get("jp-MarkdownHeadingCollapsed") is True


def top_level_names(cell):
    """Names a code cell binds at top level (assignments, defs, classes, imports)."""
    names = set()
    for node in code_ast(cell).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.For, ast.With)):
            names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
                      and isinstance(n.ctx, ast.Store)}
    return names


def exercise_blocks(cells):
    """{number: [cells from its question (both languages) up to the next exercise or the end of
    Exercises]}."""
    blocks, current = {}, None
    for cell in cells:
        text = source(cell)
        heading = EN_HEADING.match(text) or ZH_HEADING.match(text)
        if heading and "exercise" in tags(cell) and int(heading.group(1)) != current:
            current = int(heading.group(1))
            assert current not in blocks, f"exercise {current} appears twice"
            blocks[current] = []
        elif cell["cell_type"] == "markdown" and re.match(r"#{1,3} ", text) \
                and "exercise" not in tags(cell):
            current = None  # Progress, Next or another part ends the last exercise
        if current is not None:
            blocks[current].append(cell)
    return blocks


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
class TestLesson:
    def test_opening_links_the_book_and_its_forum(self, path):
        text = source(load_notebook(path)["cells"][0])
        assert re.search(r"\]\(https://zh\.d2l\.ai/chapter_[\w-]+/[\w-]+\.html\)", text), text
        assert re.search(r"\]\(https://d2l\.ai/chapter_[\w-]+/[\w-]+\.html\)", text), text
        assert len(re.findall(r"\]\(https://discuss\.d2l\.ai/t/\d+\)", text)) == 2, text
        assert "《动手学深度学习》" in text and "*Dive into Deep Learning*" in text

    def test_parameters_say_what_they_are_in_both_languages(self, path):
        cell = next(c for c in load_notebook(path)["cells"] if "parameters" in tags(c))
        for line in source(cell).splitlines():
            assert re.match(r"\w+ = .+  # .*[\u4e00-\u9fff].* · [A-Za-z]", line), line

    def test_the_install_cell_is_folded_with_one_line_saying_what_it_is(self, path):
        cells = load_notebook(path)["cells"]
        setup = [c for c in cells if "setup" in tags(c)]
        assert len(setup) == 1 and cells.index(setup[0]) == 2, "the install cell follows parameters"
        first = source(setup[0]).splitlines()[0]
        assert hidden(setup[0]) and first.startswith("# ") and re.search(r"[\u4e00-\u9fff]", first)

    def test_record_is_called_only_in_one_hidden_cell(self, path):
        cells = load_notebook(path)["cells"]
        calls = [c for c in cells if c["cell_type"] == "code" and "d2l.record(" in source(c)]
        assert len(calls) <= 1, "one record cell per notebook"
        for cell in calls:
            assert "record" in tags(cell) and hidden(cell), source(cell)[:80]
            assert source(cell).startswith("# 记录本节的关键结果 · Record this section's key")
        assert not any("recorded:" in source(c) for c in cells)

    def test_figures_are_drawn_in_folded_cells(self, path):
        figures = [c for c in load_notebook(path)["cells"] if "figure" in tags(c)]
        assert len(figures) >= FIGURES.get(section(path), 0), "the book's figures are drawn here"
        for cell in figures:
            assert cell["cell_type"] == "code" and hidden(cell)
            first = source(cell).splitlines()[0]
            assert re.match(r"# 图：.+ · Figure: .+", first), first

    def test_going_further_parts_are_folded(self, path):
        for cell in load_notebook(path)["cells"]:
            if cell["cell_type"] == "markdown" and re.match(r"#+ 深入一步", source(cell)):
                assert collapsed(cell), source(cell)[:60]

    def test_no_lesson_tells_the_notes_history(self, path):
        for cell in load_notebook(path)["cells"]:
            if cell["cell_type"] == "markdown":
                text = source(cell)
                assert not HISTORY.search(text), text[:120]

    def test_every_exercise_has_question_your_turn_hint_and_solution(self, path):
        cells = load_notebook(path)["cells"]
        blocks = exercise_blocks(cells)
        assert blocks, "exercises"
        for number, block in blocks.items():
            where = f"exercise {number}"
            question = {lang: next((c for c in block[:2] if lang in tags(c)), None)
                        for lang in ("en", "zh")}
            assert question["en"] and EN_HEADING.match(source(question["en"])), where
            assert question["zh"] and ZH_HEADING.match(source(question["zh"])), where
            assert int(ZH_HEADING.match(source(question["zh"])).group(1)) == number, where
            kinds = []
            for cell in block[2:]:
                kind = next((t for t in ("your-turn", "hint", "solution") if t in tags(cell)), None)
                if kind and (not kinds or kinds[-1] != kind):
                    kinds.append(kind)
            assert kinds == ["your-turn", "hint", "solution"], f"{where}: {kinds}"
            headings = [c for c in block if c["cell_type"] == "markdown"
                        and source(c).startswith("#### ")]
            assert [source(h).splitlines()[0] for h in headings] == \
                ["#### 提示 / Hint", "#### 解答 / Solution"], where
            assert all(collapsed(h) for h in headings), f"{where}: hint and solution folded"
            assert any(c["cell_type"] == "code" and "solution" in tags(c) for c in block) or \
                number in d2l.exercises(section(path)).discussions, f"{where}: a worked solution"
            turn = next(c for c in block if "your-turn" in tags(c))
            assert "动手试试" in source(turn) and "Your turn" in source(turn), where

    def test_checks_exist_for_every_checkable_exercise(self, path):
        cells = load_notebook(path)["cells"]
        sec = section(path)
        ex = d2l.exercises(sec)
        blocks = exercise_blocks(cells)
        assert set(blocks) == set(ex.questions) | ex.discussions, \
            f"notebook exercises {sorted(blocks)} vs d2lnotes: {ex!r}"
        code = "\n".join(source(c) for c in cells if c["cell_type"] == "code")
        assert f'ex = d2l.exercises("{sec}")' in code
        for number, block in blocks.items():
            turn = "\n".join(source(c) for c in block if "your-turn" in tags(c))
            solution = "\n".join(source(c) for c in block if "solution" in tags(c)
                                 and c["cell_type"] == "code")
            if number in ex.questions:
                assert f"ex.q{number}.check(" in turn, f"exercise {number}: the check"
                assert f"ex.q{number}.assert_correct(" in solution, f"exercise {number}"
            else:
                assert ".check(" not in turn, f"discussion exercise {number} has no check"
        progress = [c for c in cells if "progress" in tags(c)]
        assert len(progress) == 1 and source(progress[0]).strip() == "ex.progress()"

    def test_solutions_never_overwrite_the_students_names(self, path):
        cells = load_notebook(path)["cells"]
        stubs, solutions = set(), {}
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            if "your-turn" in tags(cell):
                stubs |= top_level_names(cell)
            elif "solution" in tags(cell):
                for name in top_level_names(cell):
                    solutions.setdefault(name, source(cell).splitlines()[0])
        clash = {name: solutions[name] for name in stubs & set(solutions)}
        assert not clash, f"a solution rebinds the student's names: {clash}"

    def test_both_books_exercises_are_all_here(self, path):
        zh_count, en_count = BOOK_EXERCISES[section(path)]
        headings = [EN_HEADING.match(source(c)) for c in load_notebook(path)["cells"]
                    if "exercise" in tags(c) and "en" in tags(c)]
        headings = [m for m in headings if m]
        own = [m for m in headings if "(d2l-en 1.0," not in m.group(2)]
        assert len(own) == zh_count, "every d2l-zh v2 exercise"
        covered = []
        for m in headings:
            for mark in EN_MARK.findall(m.group(2)):
                covered += [int(k) for k in re.findall(r"\d+", mark)]
        assert sorted(covered) == list(range(1, en_count + 1)), \
            f"d2l-en 1.0 exercises covered: {sorted(covered)} of 1..{en_count}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_every_check_is_tested_with_a_wrong_answer(path):
    """tests/exercises/test_sec<ch>_<n>.py exercises every check of the section: the stub, a
    typical wrong answer and a correct one (what those tests assert is up to them)."""
    sec = section(path)
    questions = d2l.exercises(sec).questions
    tests = Path(__file__).parent / "exercises" / f"test_sec{sec.replace('.', '_')}.py"
    assert tests.exists() or not questions, f"{tests.name}: the checks of {sec} are untested"
    text = tests.read_text(encoding="utf-8") if tests.exists() else ""
    for number in questions:
        assert re.search(rf"\bq{number}\b", text), f"{tests.name} never runs ex.q{number}"
