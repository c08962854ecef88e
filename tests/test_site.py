"""The HTML site, without a browser: the export of small made-up notebooks (fast), and the
site of two really executed notebooks (2.1 and 3.6, executed once per session into a
temporary folder). tests/test_site_browser.py opens such a site in headless Chromium.
Nothing here writes into build/."""

import html
import json
import os
import re
import shutil
from pathlib import Path, PurePosixPath

import nbformat
import pytest
from bs4 import BeautifulSoup

from d2lnotes.results import MIME_TYPE
from notestools import site
from notestools.notebooks import CHAPTERS, ROOT, source_notebooks
from notestools.site import fingerprint, links, search
from notestools.site import pdf as pdf_step
from notestools.site.build import Site
from notestools.site.cells import CAPTION_RE
from notestools.site.config import PDF_NAME
from notestools.site.markdown import fix_cjk_emphasis, split_title
from notestools.site.sections import notebook_title

# 1x1 PNGs: the made-up notebooks' plain figure, and the image of their `figure` cell.
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJ"
       "RU5ErkJggg==")
FIGURE_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAE"
              "lFTkSuQmCC")
GITHUB = "https://github.com/someone/d2l-notes"
# What the session executes for the tests of real notebooks: a fast one, and 3.6 (training,
# results, figures, exercises; the browser test's dark-mode screenshot and outline); and
# with them the Chinese copy of the fast one that the site publishes, which must run as the
# original does.
EXECUTED = ("02-preliminaries/2.1-", "03-linear-neural-networks/3.6-")
SINGLE_LANGUAGE = ("02-preliminaries/2.1-", "zh")

# `make test` runs this module and test_site_browser.py on one xdist worker (the group "site" of
# conftest.py's JOINED): the site of the executed notebooks (build_real_site) is exported once
# for both.


# ---------------------------------------------------------------------------------------
# Made-up executed notebooks (no kernel, no browser: fast)
# ---------------------------------------------------------------------------------------

def md(text, *tags):
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": list(tags)})


def code(text, outputs=(), *tags):
    cell = nbformat.v4.new_code_cell(text, metadata={"tags": list(tags)} if tags else {})
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    cell.execution_count = 1
    return cell


BOOK_ZH = "https://zh.d2l.ai/chapter_preliminaries/linear-algebra.html"
BOOK_EN = "https://d2l.ai/chapter_preliminaries/linear-algebra.html"
NOT_ATTEMPTED = ("练习 1 · Exercise 1：还没有作答，把 ... 换成你的答案。 Not attempted yet: "
                 "replace the ... with your answer.")


def pair(en, zh, *tags, zh_first=False):
    """An en/zh pair of markdown cells, in the notebook's order (zh first after the flip)."""
    cells = [md(en, "en", *tags), md(zh, "zh", *tags)]
    return cells[::-1] if zh_first else cells


def hidden(cell):
    cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


def executed_notebook(number, zh, en, terms, accuracy=None, zh_first=False):
    """A notebook as papermill leaves it, laid out as the notebooks are: the title with the
    book's links, the install cell, outputs, a plain figure and a `figure` cell (drawing code
    hidden), the hidden `record` cell, terms, and two exercises (a checkable one with its
    Your-turn code cell and what its check printed, and a discussion question), each with a
    hint and a solution, then the progress line."""
    both = {"zh_first": zh_first}
    figure = hidden(code(
        "# 图：单层网络 · Figure: a single-layer network\n"
        "def _draw_network():\n    DRAWING_CODE()\n\n_draw_network()",
        [{"output_type": "display_data", "metadata": {},
          "data": {"image/png": FIGURE_PNG, "text/plain": "<Figure>"}}], "figure"))
    cells = [
        md(f"# {number} {zh} {en}\n\n《动手学深度学习》第二版 [{number} {zh}]({BOOK_ZH}) · "
           f"[讨论区](https://discuss.d2l.ai/t/1)  \n*Dive into Deep Learning* "
           f"[{number} {en}]({BOOK_EN}) · [Discussions](https://discuss.d2l.ai/t/2)",
           "bilingual"),
        code('device = "auto"\nseed = 0', (), "parameters"),
        code('# Parameters\ndevice = "cpu"\n', (), "injected-parameters"),
        code("# Setup: SETUP-CELL installs the helper\n%pip install -q d2lnotes",
             [{"output_type": "stream", "name": "stdout", "text": "SETUP-OUTPUT\n"}], "setup"),
        *pair("English prose about $\\mathbf{x}^\\top \\mathbf{y}$.",
              "中文说明：**向量（vector）**是 $\\mathbf{x}^*$，在数据上*优化（optimize）*。",
              **both),
        md("## 广播机制 Broadcasting\n\nSee [3.6](../03-linear-neural-networks/3.6-softmax-"
           "regression-from-scratch.ipynb), [the terms](2.3-linear-algebra.ipynb#terms) and "
           "[2.4](2.4-calculus.ipynb).", "bilingual"),
        code("x = torch.arange(12)\nx", [{"output_type": "execute_result", "execution_count": 1,
                                          "metadata": {}, "data": {"text/plain": "OUTPUT-TEXT"}}]),
        code("plot()", [{"output_type": "display_data", "metadata": {},
                         "data": {"image/png": PNG, "text/plain": "<Figure>"}}]),
        *pair("The network, drawn:", "画出来的网络：", **both),
        figure,
        md("## 小结 / Summary", "bilingual"),
        md("| English | 中文 |\n| --- | --- |\n" + "".join(f"| {e} | {z} |\n" for e, z in terms),
           "bilingual"),
        md("## 练习 / Exercises", "bilingual"),
        code(f'ex = d2l.exercises("{number}")'),
        *pair("### Exercise 1\n\nShow that $a + b = b + a$.",
              "### 练习 1\n\n证明 $a + b = b + a$。", "exercise", **both),
        code("# 动手试试 · Your turn\nmy_sum = ...  # 在这里填写 · fill in\nex.q1.check(my_sum)",
             [{"output_type": "stream", "name": "stdout", "text": NOT_ATTEMPTED + "\n"}],
             "your-turn"),
        md("#### 提示 / Hint", "bilingual", "hint"),
        *pair("HINT-EN: swap the terms.", "提示中文：交换两项。", "hint", **both),
        md("#### 解答 / Solution", "bilingual", "solution"),
        *pair("Addition commutes: $$a + b = b + a.$$", "加法满足交换律：$$a + b = b + a.$$",
              "solution", **both),
        code("assert 1 + 2 == 2 + 1\nprint('SOLUTION-OUTPUT')",
             [{"output_type": "stream", "name": "stdout", "text": "SOLUTION-OUTPUT\n"}],
             "solution"),
        *pair("### Exercise 2\n\nAfter the solution.", "### 练习 2\n\n解答之后。", "exercise",
              **both),
        md("*动手试试：在这里写下你的答案。· Your turn: write your answer here.*", "your-turn"),
        md("#### 提示 / Hint", "bilingual", "hint"),
        *pair("HINT-TWO-EN.", "第二个提示。", "hint", **both),
        md("#### 解答 / Solution", "bilingual", "solution"),
        *pair("SOLUTION-TWO-EN.", "第二个解答。", "solution", **both),
        md("### 进度 / Progress", "bilingual"),
        code("ex.progress()", [{"output_type": "stream", "name": "stdout",
                                "text": "PROGRESS-LINE\n"}], "progress"),
        md("## 下一节 Next\n\n→ the next section", "bilingual"),
    ]
    if accuracy is not None:
        cells.insert(cells.index(figure) + 1, hidden(code(
            "# 记录本节的关键结果 · Record this section's key results\nd2l.record(test_acc=acc)",
            [{"output_type": "display_data", "metadata": {},
              "data": {MIME_TYPE: {"test_acc": accuracy},
                       "text/plain": f"recorded: test_acc={accuracy}"}}], "record")))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


SMALL = {
    "02-preliminaries/2.3-linear-algebra.ipynb":
        ("2.3", "线性代数", "Linear algebra", [("scalar", "标量"), ("`torch.Tensor`", "张量类")]),
    "03-linear-neural-networks/3.6-softmax-regression-from-scratch.ipynb":
        ("3.6", "softmax回归的从零开始实现", "Implementation of softmax regression from scratch",
         [("Scalar", "标量"), ("cross-entropy loss", "交叉熵损失")]),
}
PAGE_23 = "02-preliminaries/2.3-linear-algebra.html"
PAGE_36 = "03-linear-neural-networks/3.6-softmax-regression-from-scratch.html"


def write_small_site(root, zh_first=False):
    """Two tiny executed notebooks in two chapters, and their results.json (3.6 recorded a
    test accuracy, which is also in its outputs: the site must take the report's value).
    Returns (notebooks folder, results.json, the site folder to write)."""
    src = root / "notebooks"
    for rel, (number, zh, en, terms) in SMALL.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        accuracy = 0.5 if rel.startswith("03") else None
        nbformat.write(executed_notebook(number, zh, en, terms, accuracy, zh_first), src / rel)
    results = root / "results.json"
    results.write_text(json.dumps({
        "environment": {"device": "cpu", "gpu": None, "torch": "2.x", "python": "3.x"},
        "total_seconds": 9.5, "complete": True,
        "notebooks": [{"notebook": rel, "status": "ok", "seconds": 4.25, "peak_rss_mb": None,
                       "error": None, "recorded": {"test_acc": 0.8312} if "3.6" in rel else {}}
                      for rel in SMALL]}))
    return src, results, root / "html"


@pytest.fixture
def small_site(tmp_path):
    return write_small_site(tmp_path)


@pytest.fixture(scope="module")
def small_exported(tmp_path_factory):
    """The made-up notebooks exported once (both languages, no repository) for the tests
    that only read the site: (notebooks, results.json, site)."""
    src, results, out = write_small_site(tmp_path_factory.mktemp("small"))
    site.build_site(src, out, "both", results, chapters=None, repository=None)
    return src, results, out


def soup(path):
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def read_search_index(out):
    text = (out / search.INDEX_FILE).read_text(encoding="utf-8")
    prefix = "window.d2lSearchIndex = "
    return json.loads(text[text.index(prefix) + len(prefix):].strip().rstrip(";"))


def test_export_english_only(small_site):
    src, results, out = small_site
    assert site.main(["--src", str(src), "--out", str(out), "--results", str(results),
                      "--chapters", str(src.parent / "no-sources"), "--lang", "en",
                      "--repository", ""]) == 0
    page = soup(out / PAGE_36)
    text = page.get_text()
    assert "English prose" in text and "Exercise 1" in text
    assert "中文说明" not in text and "证明" not in text        # zh cells dropped
    assert "3.6 softmax回归的从零开始实现" in text                # bilingual cells stay
    assert 'device = "cpu"' not in text                          # papermill's injected cell
    # Each solution is folded: a closed <details> with the heading as summary, holding the
    # solution's prose, code and output, and nothing of the next exercise.
    details, _ = page.select("details.d2l-solution")
    assert details.get("open") is None
    assert details.summary.select_one(".d2l-fold-label").get_text() == "Solution"
    assert "Addition commutes" in details.get_text() and "SOLUTION-OUTPUT" in details.get_text()
    assert "Exercise 2" not in details.get_text() and "#### " not in text
    # Figures inline, local MathJax 3 (its one combined file and its fonts: not the 24 MB of
    # the package), navigation.
    assert page.select('img[src^="data:image/png;base64,"]')
    assert page.select_one('script[src="../static/mathjax/tex-chtml-full.js"]')
    assert not page.select('script[src^="http"], link[href^="http"]')
    assert page.select_one('a[rel="prev"]')["href"] == "../" + PAGE_23
    assert not page.select('a[rel="next"]')
    assert page.select_one("#terms")
    mathjax = out / "static/mathjax"
    assert (mathjax / "tex-chtml-full.js").exists()
    assert (mathjax / "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff").exists()
    assert sum(f.stat().st_size for f in mathjax.rglob("*") if f.is_file()) < 3 * 2**20
    assert not page.select(".d2l-langswitch")  # single-language site: no switch
    check_figure(page, "Drawing code", "a single-layer network")

    index = soup(out / "index.html")
    rows = index.select("table.d2l-toc tbody tr")
    assert len(rows) == 2 and len(index.select("section.d2l-chapter")) == 2
    row = rows[1].get_text(" ", strip=True)
    assert "softmax回归的从零开始实现" in row and "Implementation of softmax regression" in row
    # The recorded value and the time come from results.json, not from the notebook (0.5).
    assert "test_acc 0.8312" in row and "4.2 s" in row
    assert rows[0].select_one("a.d2l-section-link")["href"] == PAGE_23

    glossary = soup(out / "glossary.html")
    entries = {tr.select_one(".d2l-term-en").get_text(): tr
               for tr in glossary.select("table.d2l-glossary tbody tr") if tr.td}
    assert sorted(entries) == ["cross-entropy loss", "scalar", "torch.Tensor"]
    scalar = entries["scalar"]  # "Scalar" in 3.6 merges into 2.3's entry
    assert scalar.select_one(".d2l-term-zh").get_text() == "标量"
    links_ = [a["href"] for a in scalar.select(".d2l-term-where a")]
    assert links_ == [PAGE_23 + "#terms", PAGE_36 + "#terms"]
    assert entries["torch.Tensor"].select_one("code")


def test_export_bilingual_and_chinese(small_site):
    src, results, out = small_site
    done = site.build_site(src, out, "both", results, chapters=None, repository=None)
    assert done["search_index_bytes"] == (out / search.INDEX_FILE).stat().st_size
    page = soup(out / PAGE_23)
    text = page.get_text()
    assert "English prose" in text and "中文说明" in text
    assert page.select(".jp-MarkdownCell.celltag_zh") and page.select(".d2l-langswitch button")
    zh = page.select_one(".jp-MarkdownCell.celltag_zh")
    assert zh.strong.get_text() == "向量（vector）" and zh.em.get_text() == "优化（optimize）"
    assert "*" not in zh.get_text().replace("$\\mathbf{x}^*$", "")
    label = page.select_one("details.d2l-solution .d2l-fold-label").get_text()
    assert label == "解答 / Solution"
    assert page.select_one('a[rel="next"]')["href"] == "../" + PAGE_36
    # Exporting again replaces the site; zh drops the English cells.
    site.build_site(src, out, "zh", results, chapters=None, repository=None)
    text = soup(out / PAGE_23).get_text()
    assert "中文说明" in text and "English prose" not in text and "Show that" not in text
    assert soup(out / PAGE_23).select_one(
        "details.d2l-solution .d2l-fold-label").get_text() == "解答"
    check_figure(soup(out / PAGE_23), "绘图代码", "单层网络")


def test_links_between_notebooks(small_exported):
    """A notebook's link to another notebook goes to its page, or downloads the notebook
    when it has no page; on the all-in-one page it goes to the section there."""
    src, results, out = small_exported
    hrefs = [a["href"] for a in soup(out / PAGE_23).select(".jp-RenderedMarkdown a")
             if not a["href"].startswith(("#", "https:"))]  # (the book's links stay)
    assert hrefs == ["../" + PAGE_36, "../" + PAGE_23 + "#terms", "2.4-calculus.ipynb"]
    everything = soup(out / "all.html")
    ids = [tag["id"] for tag in everything.select("[id]")]
    assert len(ids) == len(set(ids)), "ids repeat on the all-in-one page"
    for a in everything.select('a[href^="#"]'):
        assert a["href"][1:] in ids, a
    hrefs = [a["href"] for a in everything.select("#section-2-3 .jp-RenderedMarkdown a")
             if "anchor-link" not in a.get("class", []) and not a["href"].startswith("https:")]
    assert hrefs == ["#section-3-6", "#section-2-3--terms", "02-preliminaries/2.4-calculus.ipynb"]


def test_launch_links(small_site):
    """Colab and Kaggle open the notebook from the GitHub repository that pyproject.toml names;
    without one there are none; the notebook itself is always downloadable, offline."""
    src, results, out = small_site
    site.build_site(src, out, "both", results, chapters=None, repository=GITHUB)
    path = "chapters/02-preliminaries/2.3-linear-algebra.ipynb"
    for page, prefix in ((soup(out / PAGE_23), "../"), (soup(out / "index.html"), "")):
        assert page.select_one("a.d2l-launch-colab")["href"] == (
            f"https://colab.research.google.com/github/someone/d2l-notes/blob/main/{path}")
        assert page.select_one("a.d2l-launch-kaggle")["href"] == (
            f"https://kaggle.com/kernels/welcome?src={GITHUB}/blob/main/{path}")
        download = page.select_one("a.d2l-launch-download")["href"]
        assert download == prefix + "02-preliminaries/2.3-linear-algebra.ipynb"
    copied = out / "02-preliminaries/2.3-linear-algebra.ipynb"
    assert nbformat.read(copied, as_version=4).cells[0].source.startswith("# 2.3")

    site.build_site(src, out, "both", results, chapters=None, repository=None)
    page = soup(out / PAGE_23)
    assert not page.select("a.d2l-launch-colab, a.d2l-launch-kaggle")
    assert page.select_one("a.d2l-launch-download")["href"].endswith("2.3-linear-algebra.ipynb")


def test_repository_url_from_pyproject(tmp_path, capsys):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n')
    assert links.repository(pyproject) is None
    pyproject.write_text(f'[project]\nname = "x"\n[project.urls]\nRepository = "{GITHUB}"\n')
    assert links.repository(pyproject) == GITHUB
    pyproject.write_text('[project.urls]\nRepository = "https://gitlab.com/a/b"\n')
    assert links.repository(pyproject) is None
    assert "not a GitHub repository" in capsys.readouterr().err


def test_search_index(small_exported):
    """One entry per heading, anchored at the heading's id on its page, holding the prose and
    the code's words but no output; the glossary's terms too; both languages."""
    src, results, out = small_exported
    index = read_search_index(out)
    pages = [href for href, _ in index["pages"]]
    assert pages == [PAGE_23, PAGE_36, "glossary.html"]
    entries = [e for e in index["entries"] if e[0] == 0]
    ids = {tag["id"] for tag in soup(out / PAGE_23).select("[id]")}
    assert {e[1] for e in entries} <= ids
    broadcasting = next(e for e in entries if e[2] == "广播机制 Broadcasting")
    assert broadcasting[3].startswith("See 3.6, the terms and 2.4.")
    assert "torch.arange(12)" in broadcasting[3] and "OUTPUT-TEXT" not in broadcasting[3]
    title = next(e for e in entries if e[2].startswith("2.3"))
    assert "English prose" in title[3] and "中文说明" in title[3]
    glossary = [e for e in index["entries"] if e[0] == 2]
    assert ["交叉熵损失" in e[2] for e in glossary].count(True) == 1
    assert all(e[1] in {t["id"] for t in soup(out / "glossary.html").select("tr[id]")}
               for e in glossary)


def test_print_page(small_exported, tmp_path):
    """all.html: the index, each section once with its hints and solutions open, then the
    glossary, and no outline; index.html links to the PDF only once it is printed (commented
    out until then)."""
    src, results, out = small_exported
    page = soup(out / "all.html")
    sections = page.select("article.d2l-all-section")
    assert [s["id"] for s in sections] == ["section-2-3", "section-3-6", "glossary"]
    assert all(d.get("open") is not None for d in page.select("details.d2l-fold"))
    assert len(page.select("details.d2l-solution")) == len(page.select("details.d2l-hint")) == 4
    assert not page.select(".d2l-outline")
    assert not page.select(".d2l-topbar, .d2l-pager, .d2l-search")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<!--d2l:pdf-link " in index and not soup(out / "index.html").select(
        'a[href="d2l-notes.pdf"]')
    from notestools.site.pdf import show_pdf_link

    shutil.copy(out / "index.html", tmp_path / "index.html")  # (the site is shared)
    show_pdf_link(tmp_path, shown=True)
    assert soup(tmp_path / "index.html").select('a[href="d2l-notes.pdf"]')


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_export_again_only_when_an_input_changed(small_site, capsys):
    """Exporting into the folder that holds the export of the same inputs leaves it as it is
    and says so, in one line (`make pdf` after `make html`); a changed input, a file of the
    site gone, or --rerun exports again. (Which inputs count: test_fingerprint.)"""
    src, results, out = small_site
    argv = ["--src", str(src), "--out", str(out), "--results", str(results),
            "--chapters", str(src.parent / "no-sources"), "--repository", ""]

    def exported(*extra):
        """Whether site.main exported (else it said the site is current)."""
        (out / "left-by-the-last-export").write_text("")  # an export empties the folder
        assert site.main(argv + list(extra)) == 0
        printed = capsys.readouterr().out
        again = not (out / "left-by-the-last-export").exists()
        if not again:
            assert printed.count("\n") == 1 and f"{out} is current" in printed, printed
            assert "--rerun" in printed
        else:
            assert "is current" not in printed, printed
        return again

    assert site.main(argv) == 0
    assert "is current" not in capsys.readouterr().out
    assert not exported() and not exported()
    assert exported("--rerun") and not exported()
    replace_in(src / "02-preliminaries/2.3-linear-algebra.ipynb", "English prose", "Changed")
    assert exported() and not exported()
    assert "Changed" in (out / PAGE_23).read_text(encoding="utf-8")
    (out / "all.html").unlink()
    assert exported() and (out / "all.html").exists() and not exported()


def test_fingerprint(small_site, tmp_path, monkeypatch):
    """The fingerprint of an export changes with each thing the site is made from: an
    executed notebook, what the site shows of the run's report, a source notebook (a
    section not executed yet too), the tool's own files, a package's version, the language,
    the repository; and a site counts as current only once its export finished, with its
    pages all there."""
    src, results, out = small_site
    chapters = src.parent / "chapters"
    shutil.copytree(src, chapters)
    tool_file = tmp_path / "template.j2"  # stands for one of the tool's files
    tool_file.write_text("one")
    tool_files = fingerprint.tool_files
    monkeypatch.setattr(fingerprint, "tool_files", lambda: [*tool_files(), tool_file])
    options = {"lang": "both", "repository": None}

    def hash_():
        return fingerprint.fingerprint(Site(src, out, options["lang"], results, chapters,
                                            options["repository"]))

    notebook = "02-preliminaries/2.3-linear-algebra.ipynb"
    seen = [hash_()]
    assert hash_() == seen[0]
    # The runner rewrites the report each time it runs, with its own time (which the site
    # does not show), even when it executes nothing: `make html` then `make pdf`.
    replace_in(results, '"total_seconds": 9.5', '"total_seconds": 0.7')
    assert hash_() == seen[0]
    changes = {
        "an executed notebook": lambda: replace_in(src / notebook, "English prose", "Other"),
        "the run's report": lambda: replace_in(results, '"seconds": 4.25', '"seconds": 7.5'),
        "a source notebook": lambda: replace_in(chapters / notebook, "English prose", "Edit"),
        "a new source notebook": lambda: shutil.copy(
            chapters / notebook, chapters / "02-preliminaries/2.4-calculus.ipynb"),
        "a tool file": lambda: tool_file.write_text("two"),
        "a package's version": lambda: monkeypatch.setattr(fingerprint, "version",
                                                           lambda package: "9.9"),
        "the language": lambda: options.update(lang="en"),
        "the repository": lambda: options.update(repository=GITHUB),
    }
    for name, change in changes.items():
        change()
        assert hash_() not in seen, f"the fingerprint missed {name}"
        seen.append(hash_())

    done = site.build_site(src, out, options["lang"], results, chapters, options["repository"])
    assert fingerprint.current(out, seen[-1]) == {k: done[k] for k in (
        "pages", "terms", "search_index_bytes")} and done["pages"] == 2
    assert fingerprint.current(out, seen[-2]) is None
    (out / "glossary.html").unlink()
    assert fingerprint.current(out, seen[-1]) is None
    (out / ".d2l-site").write_text(fingerprint.UNFINISHED)  # an export that failed half way
    assert fingerprint.current(out, seen[-1]) is None


def pdf_linked(out):
    """Whether the index links to the PDF (and the commented-out link is not there twice)."""
    text = (out / "index.html").read_text(encoding="utf-8")
    assert text.count('class="d2l-pdf-link"') == 1 and "<!--d2l:pdf-link <!--" not in text
    return bool(soup(out / "index.html").select(f'a[href="{PDF_NAME}"]'))


def test_pdf_link_only_to_the_pdf_of_this_export(small_site, monkeypatch):
    """The PDF step (site and print, Chromium stood in for) prints a current site without
    exporting it again, and exports a changed one first; either way the index then links to
    the PDF. The HTML step keeps a PDF printed from the same inputs, linked; an export of
    changed inputs removes the PDF and the link; a link whose PDF is gone goes too."""
    src, results, out = small_site
    printed = []

    def print_pdf(html_path, pdf_path, timeout):  # what Chromium would print
        printed.append(Path(html_path).read_text(encoding="utf-8"))
        Path(pdf_path).write_bytes(b"%PDF-1.4 printed from " + str(len(printed)).encode())
        return Path(pdf_path)

    monkeypatch.setattr(pdf_step, "print_pdf", print_pdf)

    def step(pdf):
        return site.build_site(src, out, "both", results, chapters=None, repository=None,
                               pdf=pdf)

    done = step(pdf=False)
    assert not done["current"] and not done["pdf"] and not pdf_linked(out)
    done = step(pdf=True)  # `make pdf` after `make html`: printed, not exported again
    assert done["current"] and done["pdf"] == out / PDF_NAME and pdf_linked(out)
    assert printed == [(out / "all.html").read_text(encoding="utf-8")]
    done = step(pdf=False)  # `make html` again: the PDF matches the site, so it stays linked
    assert done["current"] and (out / PDF_NAME).exists() and pdf_linked(out)

    replace_in(src / "02-preliminaries/2.3-linear-algebra.ipynb", "English prose", "Revised")
    done = step(pdf=False)  # the PDF printed from the old notebook is not this site's
    assert not done["current"] and not (out / PDF_NAME).exists() and not pdf_linked(out)
    replace_in(results, '"seconds": 4.25', '"seconds": 7.5')
    done = step(pdf=True)  # a changed site: exported, then printed
    assert not done["current"] and pdf_linked(out) and len(printed) == 2
    assert "Revised" in printed[1] and printed[1] == (out / "all.html").read_text(encoding="utf-8")
    (out / PDF_NAME).unlink()
    done = step(pdf=False)
    assert done["current"] and not pdf_linked(out)


def test_index_marks_failed_and_unexecuted_sections(small_site, capsys):
    """A notebook that failed is flagged; a source notebook never executed is listed, unlinked;
    an executed copy whose source is gone is left out."""
    src, results, out = small_site
    chapters = src.parent / "chapters"
    for rel in SMALL:
        (chapters / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src / rel, chapters / rel)
    nbformat.write(executed_notebook("3.7", "softmax回归的简洁实现", "Concise softmax", []),
                   chapters / "03-linear-neural-networks/3.7-softmax-regression-concise.ipynb")
    nbformat.write(executed_notebook("2.9", "旧", "Old", []),
                   src / "02-preliminaries/2.9-old.ipynb")
    report = json.loads(results.read_text())
    report["notebooks"][0]["status"] = "timed out"
    results.write_text(json.dumps(report))
    site.build_site(src, out, "both", results, chapters, repository=None)
    assert "3.7-softmax-regression-concise.ipynb has no executed copy" in capsys.readouterr().err
    rows = soup(out / "index.html").select("table.d2l-toc tbody tr")
    assert [r.select_one(".d2l-num").get_text() for r in rows] == ["2.3", "3.6", "3.7"]
    assert rows[0].select_one(".d2l-bad").get_text() == "timed out"
    assert rows[0].select_one("a.d2l-section-link")["href"] == PAGE_23
    assert "not run" in rows[2].get_text() and rows[2].select_one("a.d2l-section-link") is None
    assert not (out / "02-preliminaries/2.9-old.html").exists()
    page = soup(out / PAGE_36)
    assert not page.select('a[rel="next"]')  # nothing to link to before 3.7 is executed


def test_export_errors_are_clear(tmp_path, capsys):
    assert site.main(["--src", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert "run the notebooks first" in capsys.readouterr().err
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "precious.txt").write_text("keep me")
    (tmp_path / "nb" / "02-x").mkdir(parents=True)
    nbformat.write(executed_notebook("2.1", "数据操作", "Data manipulation", []),
                   tmp_path / "nb" / "02-x" / "2.1-data.ipynb")
    assert site.main(["--src", str(tmp_path / "nb"), "--out", str(tmp_path / "mine"),
                      "--chapters", str(tmp_path / "nb"),
                      "--results", str(tmp_path / "none.json")]) == 2
    assert "not a site this tool wrote" in capsys.readouterr().err
    assert (tmp_path / "mine" / "precious.txt").exists()


@pytest.mark.parametrize("source, expected", [
    ("向量，**矩阵（matrix）**把", "向量，<strong>矩阵（matrix）</strong>把"),
    ("在数据上*优化（optimize）*损失", "在数据上<em>优化（optimize）</em>损失"),
    ("**`torch.sum`（求和）**的", "<strong>`torch.sum`（求和）</strong>的"),
    ("中文 $a*b*c$、`x**2**3` 与 $$y^*$$ 不变", "中文 $a*b*c$、`x**2**3` 与 $$y^*$$ 不变"),
    ("English **bold** and *em* 中文", "English **bold** and *em* 中文"),
    ("* 列表\n* 2 * 3 * 4", "* 列表\n* 2 * 3 * 4"),
])
def test_cjk_emphasis(source, expected):
    assert fix_cjk_emphasis(source) == expected


@pytest.mark.parametrize("text, zh, en", [
    ("线性代数 Linear algebra", "线性代数", "Linear algebra"),
    ("softmax回归 Softmax regression", "softmax回归", "Softmax regression"),
    ("图像分类数据集（Fashion-MNIST） / Image classification dataset",
     "图像分类数据集（Fashion-MNIST）", "Image classification dataset"),
    ("Only English", "", "Only English"),
])
def test_split_title(text, zh, en):
    assert split_title(text) == (zh, en)


def code_texts(page):
    """The source of every code cell a page shows (folded or not)."""
    return [pre.get_text() for pre in page.select(".jp-CodeCell .jp-InputArea pre")]


def test_machinery_hidden_and_figures_shown(small_exported):
    """The install cell, the record cell and the progress line (with its heading) are not on
    the page; a `figure` cell shows its image, described by its caption, with its drawing
    code folded, and that code is not in the search index. (The labels of the other
    languages: test_export_english_only, test_export_bilingual_and_chinese.)"""
    src, results, out = small_exported
    page = soup(out / PAGE_36)
    text, codes = page.get_text(), code_texts(page)
    for absent in ("SETUP-CELL", "SETUP-OUTPUT", "recorded:", "PROGRESS-LINE", "进度"):
        assert absent not in text, absent
    assert not [c for c in codes if "d2l.record(" in c or "ex.progress()" in c]
    assert "ex.q1.check(my_sum)" in "".join(codes)  # (the exercises' own code stays)
    check_figure(page, "绘图代码 · Drawing code", "单层网络 · a single-layer network")
    assert len(page.select('img[src^="data:image/png"]')) == 2  # with the plain figure
    index = json.dumps(read_search_index(out))
    assert "DRAWING_CODE" not in index and "SETUP-CELL" not in index and "torch.arange" in index


def check_figure(page, summary, alt):
    """The page's `figure` cell: its image shown, described by ``alt``, its drawing code
    folded under ``summary``."""
    (figure,) = page.select(".jp-CodeCell.celltag_figure")
    (fold,) = figure.select("details.d2l-source")
    assert fold.get("open") is None and fold.summary.get_text() == summary
    assert "DRAWING_CODE" in fold.get_text()
    (image,) = figure.select(f'img[src="data:image/png;base64,{FIGURE_PNG}"]')
    assert not image.find_parent("details") and image["alt"] == alt


def test_hidden_source_of_any_code_cell_is_folded():
    """Any code cell whose source JupyterLab hides shows its outputs with the source folded
    ("Code"); a `progress` heading goes with its cell, another heading does not."""
    from notestools.site.cells import prepare_cells
    from notestools.site.config import labels

    nb = nbformat.v4.new_notebook(cells=[
        md("### 进度 / Progress", "bilingual"), code("ex.progress()", (), "progress"),
        md("### 进度 / Progress", "bilingual"), md("not a progress cell"),
        hidden(code("secret()", [{"output_type": "stream", "name": "stdout", "text": "1\n"}]))])
    prepare_cells(nb, "en", labels("en"))
    assert [c.source for c in nb.cells] == ["### 进度 / Progress", "not a progress cell",
                                            "secret()"]
    assert nb.cells[-1].metadata["d2lsite_fold"] == "Code"


SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       '<rect width="10" height="10"/></svg>')


def test_going_further_folded(tmp_path):
    """A "深入一步 / Going further" part whose heading JupyterLab folds is folded on the page as
    it is in JupyterLab: a closed <details>, the heading as its summary, holding everything
    up to the next heading of its level (its own subheadings too) and nothing after it; open
    on the all-in-one page; listed in the outline and the search by its heading. Another
    folded heading stays a heading. An SVG figure is described by its caption too."""
    src, results, out = write_small_site(tmp_path)
    path = src / "02-preliminaries/2.3-linear-algebra.ipynb"
    nb = nbformat.read(path, as_version=4)
    further = md("## 深入一步 / Going further", "bilingual")
    svg_figure = hidden(code(
        "# 图：一个方块 · Figure: a square\ndef _draw_square():\n    SQUARE()\n\n_draw_square()",
        [{"output_type": "display_data", "metadata": {},
          "data": {"image/svg+xml": SVG, "text/plain": "<Figure>"}}], "figure"))
    part = [further, *pair("FURTHER-EN: a factorisation.", "深入中文：矩阵分解。"),
            md("### 奇异值 / Singular values\n\nFURTHER-SUB", "bilingual"),
            code("U, S, Vh = torch.linalg.svd(A)", [{"output_type": "stream", "name": "stdout",
                                                     "text": "FURTHER-OUTPUT\n"}]),
            svg_figure]
    for cell in (further, nb.cells[[c.source for c in nb.cells].index("## 小结 / Summary")]):
        cell.metadata["jp-MarkdownHeadingCollapsed"] = True
    exercises = [c.source for c in nb.cells].index("## 练习 / Exercises")
    nb.cells[exercises:exercises] = part
    nbformat.write(nb, path)

    for lang, label in (("both", "深入一步 / Going further"), ("en", "Going further")):
        site.build_site(src, out, lang, results, chapters=None, repository=None)
        page = soup(out / PAGE_23)
        (details,) = page.select("details.d2l-further")
        assert details.get("open") is None and "d2l-fold" in details["class"]
        assert details.summary.select_one(".d2l-fold-label").get_text() == label
        inside = details.select_one(".d2l-fold-body").get_text()
        for words in ("FURTHER-EN", "FURTHER-SUB", "FURTHER-OUTPUT", "Singular values"):
            assert words in inside, words
        assert ("深入中文" in inside) == (lang == "both")
        assert "Going further" not in " ".join(h.get_text() for h in page.select("h2"))
        # The exercises (the next heading of its level) and what follows are not in it.
        (heading,) = [h for h in page.select("h2") if "Exercises" in h.get_text()]
        assert not heading.find_parent("details")
        assert "Exercises" not in details.get_text() and "Show that" not in details.get_text()
        assert details.find_next("h2") is heading
        # The other folded heading (the summary) is not a "Going further" part.
        assert [h for h in page.select("h2") if "Summary" in h.get_text()]
        # The SVG figure: described by its caption, its drawing code folded.
        (figure,) = [c for c in page.select(".jp-CodeCell.celltag_figure")
                     if "SQUARE" in c.get_text()]
        (image,) = figure.select('img[src^="data:image/svg+xml"]')
        assert image["alt"] == ("一个方块 · a square" if lang == "both" else "a square")
        # Listed in the outline, by its heading, where it is; found by the search there.
        outline = [a.get_text() for a in page.select("nav.d2l-outline a")]
        assert outline.index(label) == outline.index("练习 / Exercises") - 1
        assert "Singular values" not in " ".join(outline)
        target = page.select_one(f'nav.d2l-outline a[href="#{details["id"]}"]')
        assert target and target.get_text() == label
        entry = next(e for e in read_search_index(out)["entries"] if e[1] == details["id"])
        assert entry[0] == 0 and entry[2] == label and "FURTHER-EN" in entry[3]
    # Printed (the all-in-one page, the PDF): open, as the solutions are.
    (printed,) = soup(out / "all.html").select("#section-2-3 details.d2l-further")
    assert printed.get("open") is not None


def page_sequence(page):
    """What the page shows, in order, from the exercises on: 'question zh|en', 'your-turn',
    'hint', 'solution', 'heading' or 'cell'."""
    main = page.select_one("main.d2l-main")
    start = next(h for h in main.select("h2") if "Exercises" in h.get_text())
    shown = []
    for element in main.find_all(["div", "details"], recursive=False):
        classes = element.get("class", [])
        if element.name == "details":
            shown.append(next(c[4:] for c in classes if c in ("d2l-hint", "d2l-solution")))
        elif "celltag_exercise" in classes:
            shown.append("question " + ("zh" if "celltag_zh" in classes else "en"))
        elif "celltag_your-turn" in classes:
            shown.append("your-turn")
        else:
            shown.append("heading" if element.select_one("h1, h2, h3, h4") else "cell")
    return shown[[e for e in main.find_all(["div", "details"], recursive=False)].index(
        start.find_parent("div", class_="jp-Cell")):]


@pytest.mark.parametrize("zh_first", [False, True], ids=["en-first", "zh-first"])
def test_pages_follow_the_notebooks_order(small_exported, tmp_path, zh_first):
    """Whichever language comes first in a notebook's pairs comes first on its page, in its
    outline and in its search entries; each exercise shows its question, then the reader's
    Your-turn cell with what its check printed, then the hint and the solution, each folded
    on its own; the book's links are at the top of the page and in the index."""
    if zh_first:
        src, results, out = write_small_site(tmp_path, zh_first)
        site.build_site(src, out, "both", results, chapters=None, repository=None)
    else:
        src, results, out = small_exported
    page = soup(out / PAGE_23)
    first, second = ("zh", "en") if zh_first else ("en", "zh")
    langs = ["zh" if "celltag_zh" in c["class"] else "en"
             for c in page.select(".jp-MarkdownCell.celltag_zh, .jp-MarkdownCell.celltag_en")]
    assert langs == [first, second] * (len(langs) // 2) and len(langs) == 16
    question = [f"question {first}", f"question {second}"]
    assert page_sequence(page) == [
        "heading", "cell",  # 练习 / Exercises, ex = d2l.exercises(...)
        *question, "your-turn", "hint", "solution",
        *question, "your-turn", "hint", "solution",
        "heading"]  # 下一节 Next (the progress heading and cell are gone)
    your_turn = page.select(".jp-Cell.celltag_your-turn")
    assert NOT_ATTEMPTED in your_turn[0].get_text() and "Your turn" in your_turn[1].get_text()
    hints, solutions = page.select("details.d2l-hint"), page.select("details.d2l-solution")
    for folded, label, inside in ((hints, "提示 / Hint", ("HINT-EN", "提示中文")),
                                  (solutions, "解答 / Solution", ("Addition", "交换律"))):
        assert len(folded) == 2 and all(d.get("open") is None for d in folded)
        assert folded[0].summary.select_one(".d2l-fold-label").get_text() == label
        body = folded[0].select_one(".d2l-fold-body").get_text()
        assert all(words in body for words in inside)
        positions = [body.index(words) for words in inside]
        assert positions == sorted(positions) if not zh_first else positions == sorted(
            positions, reverse=True)
    # The outline pairs each exercise's two headings, in the notebook's order.
    outline = page.select_one("nav.d2l-outline")
    entries = [[a.get_text() for a in li.select("a")] for li in outline.select("li")]
    pair_ = ["Exercise 1", "练习 1"] if not zh_first else ["练习 1", "Exercise 1"]
    assert entries == [["广播机制 Broadcasting"], ["小结 / Summary"], ["练习 / Exercises"],
                       pair_, [p.replace("1", "2") for p in pair_], ["下一节 Next"]]
    ids = {tag["id"] for tag in page.select("[id]")}
    assert all(a["href"][1:] in ids for a in outline.select("a"))
    assert not outline.select(".d2l-ol-2 .celltag_en, .d2l-ol-2 .celltag_zh")
    # Search: the title's entry holds both languages' prose, the first language first.
    title = next(e for e in read_search_index(out)["entries"] if e[0] == 0 and e[1])
    assert title[2].startswith("2.3")
    assert (title[3].index("English prose") < title[3].index("中文说明")) != zh_first
    # The book: linked at the top of the page (the title cell) and from the index.
    first_cell = page.select_one("main .jp-Cell")
    assert first_cell.h1 and [a["href"] for a in first_cell.select("a")
                              if "d2l.ai/chapter" in a["href"]] == [BOOK_ZH, BOOK_EN]
    row = soup(out / "index.html").select("table.d2l-toc tbody tr")[0]
    assert row.select_one("a.d2l-book-zh")["href"] == BOOK_ZH
    assert row.select_one("a.d2l-book-en")["href"] == BOOK_EN


def check_single_language_copies(folder, rel):
    """The Chinese and English copies of the bilingual notebook ``rel`` below ``folder`` (a
    site): valid notebooks holding every code cell unchanged and in order, every untagged and
    bilingual cell, and no cell of the other language; the rest as it was."""
    from notestools.site.downloads import single_language_name

    original = json.loads((folder / rel).read_text(encoding="utf-8"))
    for lang, other in (("zh", "en"), ("en", "zh")):
        path = folder / single_language_name(PurePosixPath(rel), lang)
        copy = json.loads(path.read_text(encoding="utf-8"))
        nbformat.validate(nbformat.from_dict(copy))
        assert {k: v for k, v in copy.items() if k != "cells"} == {
            k: v for k, v in original.items() if k != "cells"}, path
        kept = [c for c in original["cells"] if c["cell_type"] == "code"
                or "bilingual" in c["metadata"].get("tags", [])
                or other not in c["metadata"].get("tags", [])]
        assert copy["cells"] == kept, path  # in order, each cell as it was
        assert [c for c in copy["cells"] if c["cell_type"] == "code"] == [
            c for c in original["cells"] if c["cell_type"] == "code"], path
        assert not [c for c in copy["cells"] if other in c["metadata"].get("tags", [])
                    and "bilingual" not in c["metadata"]["tags"]
                    and c["cell_type"] != "code"], path
        assert len(copy["cells"]) < len(original["cells"]), f"{path}: nothing dropped"
        # Written as nbformat (and the git filter) writes notebooks.
        assert path.read_text(encoding="utf-8") == nbformat.writes(nbformat.from_dict(copy)) \
            + "\n", path


def test_single_language_downloads(small_exported):
    """Each page offers its notebook in Chinese, in English and bilingual, all next to it."""
    src, results, out = small_exported
    for rel in SMALL:
        page_path = out / Path(rel).with_suffix(".html")
        page = soup(page_path)
        assert (out / rel).read_bytes() == (src / rel).read_bytes()
        check_single_language_copies(out, rel)
        hrefs = {kind: page.select_one(f"a.d2l-launch-download{kind}")["href"]
                 for kind in ("", "-zh", "-en")}
        stem = Path(rel).stem
        assert {k: Path(v).name for k, v in hrefs.items()} == {
            "": f"{stem}.ipynb", "-zh": f"{stem}.zh.ipynb", "-en": f"{stem}.en.ipynb"}
        assert all((page_path.parent / href).is_file() for href in hrefs.values())
        labels_ = [a.get_text() for a in page.select(".d2l-downloads a")]
        assert labels_ == ["中文版", "English", "双语 Bilingual"]
    zh = json.loads((out / "02-preliminaries/2.3-linear-algebra.zh.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in zh["cells"])
    assert "中文说明" in text and "English prose" not in text and "ex.q1.check" in text


# ---------------------------------------------------------------------------------------
# The site of really executed notebooks (shared with test_site_browser.py)
# ---------------------------------------------------------------------------------------

_executed = {}  # one run and one site per test session, shared with test_site_browser.py


def execute_notebooks(tmp_path_factory):
    """Execute the EXECUTED notebooks, and the SINGLE_LANGUAGE copy of one of them as the site
    publishes it, once per session into a temporary folder; returns (notebooks folder,
    results.json, the executed single-language copy, its run's results.json). A notebook
    that fails still has its executed copy, and the site shows it as failed: the notebooks'
    own tests report it. With $D2L_SITE_EXECUTED naming the folder of a run of every
    notebook that is up to date (build/ after `make html` or `make pdf`, as in CI), the
    EXECUTED notebooks are taken from there instead of being executed again."""
    if "run" not in _executed:
        _executed["run"] = run_notebooks_into(tmp_path_factory.mktemp("executed"))
    return _executed["run"]


REUSE_ENV = "D2L_SITE_EXECUTED"


def reuse_run(folder, root):
    """Copy the EXECUTED notebooks of the run in ``folder`` (its notebooks/ and results.json)
    into ``root`` when each ran ok, from the code its source holds now, after the helper
    package last changed; returns why not, or None when done."""
    folder = Path(folder)
    try:
        report = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return f"no report: {err}"
    runs = {r["notebook"]: r for r in report.get("notebooks", [])}
    helper = max(p.stat().st_mtime for p in (ROOT / "shared" / "d2lnotes").rglob("*.py"))
    chosen = []
    for pattern in EXECUTED:
        (source,) = CHAPTERS.glob(pattern + "*.ipynb")
        rel = source.relative_to(CHAPTERS).as_posix()
        executed = folder / "notebooks" / rel
        if runs.get(rel, {}).get("status") != "ok" or not executed.is_file():
            return f"{rel} did not run ok there"
        code = [[c.source for c in nbformat.read(path, as_version=4).cells
                 if c.cell_type == "code" and "injected-parameters" not in c.metadata.get(
                     "tags", [])] for path in (executed, source)]
        if executed.stat().st_mtime < helper or code[0] != code[1]:
            return f"{rel} or the helper package changed since it ran there"
        chosen.append((rel, executed))
    for rel, executed in chosen:
        (root / "notebooks" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(executed, root / "notebooks" / rel)
    (root / "results.json").write_text(json.dumps({
        **report, "notebooks": [runs[rel] for rel, _ in chosen]}), encoding="utf-8")
    return None


def run_notebooks_into(root):
    from notestools import run_notebooks
    from notestools.site.downloads import dumps, single_language, single_language_name

    reused = os.environ.get(REUSE_ENV)
    why = reuse_run(reused, root) if reused else "not asked to"
    if reused:
        print(f"\nexecuted notebooks from {reused}: {why or 'reused'}")
    sources = root / "sources"
    for pattern in EXECUTED:
        (path,) = CHAPTERS.glob(pattern + "*.ipynb")
        rel = path.relative_to(CHAPTERS)
        (sources / rel).parent.mkdir(parents=True, exist_ok=True)
        if why:  # (else its executed copy was reused)
            shutil.copy2(path, sources / rel)
        if pattern == SINGLE_LANGUAGE[0]:
            copy = single_language(json.loads(path.read_text(encoding="utf-8")),
                                   SINGLE_LANGUAGE[1])
            single = single_language_name(rel, SINGLE_LANGUAGE[1])
            (sources / single).write_text(dumps(copy), encoding="utf-8")
    # One kernel per notebook at once: the long 3.6 starts first thing.
    out, results = (root / "notebooks", root / "results.json") if why else (
        root / "single", root / "single.json")
    status = run_notebooks.main(["--src", str(sources), "--out", str(out),
                                 "--results", str(results), "--jobs", str(len(EXECUTED) + 1)])
    if status:
        print(f"note: run_notebooks exited with {status}: the site shows the failure")
    for pattern in EXECUTED:
        assert list((root / "notebooks").glob(pattern + "*.ipynb")), f"{pattern} not executed"
    # The copy is no section of the site: out of the notebooks folder with it.
    executed_single = root / single.name
    (out / single).rename(executed_single)
    return root / "notebooks", root / "results.json", executed_single, results


def build_real_site(tmp_path_factory):
    """The site of the executed notebooks, exported once per session for the tests here and
    in test_site_browser.py: (site folder, what build_site made)."""
    if "site" not in _executed:
        src, results, _, _ = execute_notebooks(tmp_path_factory)
        out = tmp_path_factory.mktemp("site") / "html"
        _executed["site"] = out, site.build_site(src, out, "both", results, CHAPTERS,
                                                 repository=GITHUB)
    return _executed["site"]


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    return build_real_site(tmp_path_factory)


def executed_pages(out):
    return [out / rel for rel in sorted(p.relative_to(out).as_posix()
                                        for p in out.glob("*/*.html"))]


def test_real_site(real_site, tmp_path_factory):
    """Every section is listed (the ones not executed here unlinked; the contents notebook at
    the top of chapters/ is no section), the executed ones have pages with their own title,
    launch links and a downloadable notebook; the index shows what results.json recorded."""
    out, done = real_site
    src, results, _, _ = execute_notebooks(tmp_path_factory)
    sources = [p for p in source_notebooks() if p.parent != CHAPTERS]
    rows = soup(out / "index.html").select("table.d2l-toc tbody tr")
    assert len(rows) == len(sources)
    pages = executed_pages(out)
    assert len(pages) == done["pages"] == len(EXECUTED)
    report = {r["notebook"]: r for r in json.loads(results.read_text())["notebooks"]}
    for page in pages:
        rel = page.relative_to(out).with_suffix(".ipynb")
        number, zh, en = notebook_title(nbformat.read(CHAPTERS / rel, as_version=4), rel)
        html = soup(page)
        assert html.h1.get_text(" ", strip=True).replace("¶", "").strip() == f"{number} {zh} {en}"
        assert html.select_one("a.d2l-launch-colab")["href"].endswith(f"chapters/{rel.as_posix()}")
        assert (page.parent / html.select_one("a.d2l-launch-download")["href"]).is_file()
        row = next(r for r in rows if r.select_one(".d2l-num").get_text() == number)
        for name in report[rel.as_posix()]["recorded"]:
            assert name in row.get_text()
    print(f"\nsearch index of {done['pages']} pages: {done['search_index_bytes']} bytes")


def test_real_search_index_covers_every_heading(real_site):
    """Every heading of every page is a search entry pointing at its id."""
    out, _ = real_site
    index = read_search_index(out)
    anchors = {(href, e[1]) for e in index["entries"] for href in [index["pages"][e[0]][0]]}
    for page in executed_pages(out):
        href = page.relative_to(out).as_posix()
        headings = soup(page).select(".jp-RenderedMarkdown > :is(h1, h2, h3, h4, h5, h6)[id]")
        assert headings, href
        missing = [h["id"] for h in headings if (href, h["id"]) not in anchors]
        assert not missing, f"{href}: headings not in the search index: {missing}"
    assert re.search(r"[\u4e00-\u9fff]", json.dumps(index, ensure_ascii=False))


CELL_START = '<div class="jp-Cell '  # (nbconvert writes class before id)
TAG_RE = re.compile(r"<[^>]+>")


def page_cells(text):
    """{cell id: (its input's HTML, its outputs' HTML)} of a notebook page's HTML (string
    search: parsing pages full of figures would take seconds)."""
    cells = {}
    for part in text.split(CELL_START)[1:]:
        found = re.search(r'id="cell-id=([^"]+)"', part[:300])
        if found:
            source, _, outputs = part.partition('class="jp-Cell-outputWrapper"')
            cells[found[1]] = (source, outputs)
    return cells


def text_of(markup):
    return html.unescape(TAG_RE.sub("", markup))


def flat(text):
    return " ".join(text.split())


def test_real_pages_hide_machinery_and_show_figures(real_site, tmp_path_factory):
    """On the pages of the executed notebooks: no install, record or progress cell (and, once
    a notebook has its `record` cell, no other cell calling d2l.record); every `figure`
    cell's image shown, described by its caption, with its drawing code folded; every
    hidden source folded."""
    out, _ = real_site
    src, _, _, _ = execute_notebooks(tmp_path_factory)
    checked = {"hidden": 0, "folded": 0}
    for page in executed_pages(out):
        rel = page.relative_to(out).with_suffix(".ipynb")
        nb = nbformat.read(src / rel, as_version=4)
        shown = page_cells(page.read_text(encoding="utf-8"))
        assert shown, rel
        for cell in nb.cells:
            tags = set(cell.metadata.get("tags", []))
            if tags & {"setup", "record", "progress", "injected-parameters"}:
                assert cell.id not in shown, f"{rel}: a {sorted(tags)} cell is on the page"
                checked["hidden"] += 1
                continue
            if cell.cell_type != "code":
                continue
            source, outputs = shown[cell.id]
            if cell.metadata.get("jupyter", {}).get("source_hidden"):
                folded = source.partition('<details class="d2l-source">')[2]
                assert flat(cell.source) in flat(text_of(folded.partition("</details>")[0])), (
                    f"{rel}: a hidden source is not folded")
                checked["folded"] += 1
            if "figure" in tags:
                assert re.search(r'<img |class="jp-RenderedSVG', outputs), (
                    f"{rel}: a figure cell shows no image")
                if CAPTION_RE.match(cell.source.split("\n", 1)[0]):  # described by it (PNG, SVG)
                    images = re.findall(r"<img [^>]*>|<svg\b[^>]*>", outputs)
                    assert images and all(re.search(r'\b(alt|aria-label)="[^"]', image)
                                          and "No description" not in image
                                          for image in images), f"{rel}: {images}"
        if any("record" in c.metadata.get("tags", []) for c in nb.cells):
            assert not [i for i, (source, _) in shown.items()
                        if "d2l.record(" in text_of(source)], rel
    assert checked["hidden"] >= len(EXECUTED)  # every notebook has its install cell
    print(f"\n{checked['hidden']} cells hidden, {checked['folded']} sources folded")


def test_real_single_language_copies(real_site):
    """Every source notebook is published in Chinese and in English next to its bilingual
    copy (see check_single_language_copies; the copies are checked against the bilingual
    notebook the site published, which the source may have moved on from since)."""
    out, _ = real_site
    sources = [p for p in source_notebooks() if p.parent != CHAPTERS]
    assert len(sources) >= len(EXECUTED)
    for path in sources:
        check_single_language_copies(out, path.relative_to(CHAPTERS).as_posix())


def test_single_language_copy_runs_as_the_original(tmp_path_factory):
    """The Chinese copy of 2.1, executed with the same runner, succeeds and its code cells
    give the same kinds of output, in the same order, as the bilingual notebook's."""
    src, results, single, single_results = execute_notebooks(tmp_path_factory)
    (original,) = src.glob(SINGLE_LANGUAGE[0] + "*.ipynb")
    report = {Path(r["notebook"]).name: r for path in {results, single_results}
              for r in json.loads(path.read_text())["notebooks"]}
    statuses = {name: report[name]["status"] for name in (single.name, original.name)}
    assert set(statuses.values()) == {"ok"}, report

    def outputs(path):
        """Each code cell's source and its outputs' kinds; a stream printed in several
        chunks (as the kernel happened to flush it) counts once."""
        nb = nbformat.read(path, as_version=4)
        cells = []
        for cell in nb.cells:
            if cell.cell_type == "code":
                kinds = [(o.output_type, o.get("name"), sorted(o.get("data", {})))
                         for o in cell.outputs]
                cells.append((cell.source, [k for i, k in enumerate(kinds)
                                            if i == 0 or k[0] != "stream" or k != kinds[i - 1]]))
        return cells

    ran, expected = outputs(single), outputs(original)
    assert [source for source, _ in ran] == [source for source, _ in expected]
    differ = [(source[:200], got, want) for (source, got), (_, want) in zip(ran, expected)
              if got != want]
    assert not differ, differ
