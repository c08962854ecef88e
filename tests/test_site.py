"""The HTML site, without a browser: the export of small made-up notebooks (fast), and the
site of two really executed notebooks (2.1 and 3.6, executed once per session into a
temporary folder). tests/test_site_browser.py opens such a site in headless Chromium.
Nothing here writes into build/."""

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from d2lnotes.results import MIME_TYPE
from notestools import site
from notestools.notebooks import CHAPTERS, source_notebooks
from notestools.site import links, search
from notestools.site.markdown import fix_cjk_emphasis, split_title
from notestools.site.sections import notebook_title

# A 1x1 PNG: the made-up notebooks' "figure".
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJ"
       "RU5ErkJggg==")
GITHUB = "https://github.com/someone/d2l-notes"
# What the session executes for the tests of real notebooks: a fast one, and 3.6 (training,
# results, figures; the browser test's dark-mode screenshot).
EXECUTED = ("02-preliminaries/2.1-", "03-linear-neural-networks/3.6-")


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


def executed_notebook(number, zh, en, terms, accuracy=None):
    """A notebook as papermill leaves it: outputs, a figure, recorded results, exercises."""
    cells = [
        md(f"# {number} {zh} {en}", "bilingual"),
        code('device = "auto"\nseed = 0', (), "parameters"),
        code('# Parameters\ndevice = "cpu"\n', (), "injected-parameters"),
        md("English prose about $\\mathbf{x}^\\top \\mathbf{y}$.", "en"),
        md("中文说明：**向量（vector）**是 $\\mathbf{x}^*$，在数据上*优化（optimize）*。", "zh"),
        md("## 广播机制 Broadcasting\n\nSee [3.6](../03-linear-neural-networks/3.6-softmax-"
           "regression-from-scratch.ipynb), [the terms](2.3-linear-algebra.ipynb#terms) and "
           "[2.4](2.4-calculus.ipynb).", "bilingual"),
        code("x = torch.arange(12)\nx", [{"output_type": "execute_result", "execution_count": 1,
                                          "metadata": {}, "data": {"text/plain": "OUTPUT-TEXT"}}]),
        code("plot()", [{"output_type": "display_data", "metadata": {},
                         "data": {"image/png": PNG, "text/plain": "<Figure>"}}]),
        md("## 小结 / Summary", "bilingual"),
        md("| English | 中文 |\n| --- | --- |\n" + "".join(f"| {e} | {z} |\n" for e, z in terms),
           "bilingual"),
        md("## 练习 / Exercises", "bilingual"),
        md("### Exercise 1\n\nShow that $a + b = b + a$.", "en", "exercise"),
        md("### 练习 1\n\n证明 $a + b = b + a$。", "zh", "exercise"),
        md("#### 解答 / Solution", "bilingual", "solution"),
        md("Addition commutes: $$a + b = b + a.$$", "en", "solution"),
        md("加法满足交换律：$$a + b = b + a.$$", "zh", "solution"),
        code("assert 1 + 2 == 2 + 1\nprint('SOLUTION-OUTPUT')",
             [{"output_type": "stream", "name": "stdout", "text": "SOLUTION-OUTPUT\n"}],
             "solution"),
        md("### Exercise 2\n\nAfter the solution.", "en", "exercise"),
        md("### 练习 2\n\n解答之后。", "zh", "exercise"),
    ]
    if accuracy is not None:
        cells.insert(7, code("d2l.record(test_acc=acc)", [{
            "output_type": "display_data", "metadata": {},
            "data": {MIME_TYPE: {"test_acc": accuracy},
                     "text/plain": f"recorded: test_acc={accuracy}"}}]))
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


@pytest.fixture
def small_site(tmp_path):
    """Two tiny executed notebooks in two chapters, and their results.json (3.6 recorded a
    test accuracy, which is also in its outputs: the site must take the report's value)."""
    src = tmp_path / "notebooks"
    for rel, (number, zh, en, terms) in SMALL.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        accuracy = 0.5 if rel.startswith("03") else None
        nbformat.write(executed_notebook(number, zh, en, terms, accuracy), src / rel)
    results = tmp_path / "results.json"
    results.write_text(json.dumps({
        "environment": {"device": "cpu", "gpu": None, "torch": "2.x", "python": "3.x"},
        "total_seconds": 9.5, "complete": True,
        "notebooks": [{"notebook": rel, "status": "ok", "seconds": 4.25, "peak_rss_mb": None,
                       "error": None, "recorded": {"test_acc": 0.8312} if "3.6" in rel else {}}
                      for rel in SMALL]}))
    return src, results, tmp_path / "html"


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
    assert "中文说明" not in text and "练习 1" not in text      # zh cells dropped
    assert "3.6 softmax回归的从零开始实现" in text                # bilingual cells stay
    assert 'device = "cpu"' not in text                          # papermill's injected cell
    # The solution is folded: one closed <details> with the heading as summary, holding the
    # solution's prose, code and output, and nothing of the next exercise.
    (details,) = page.select("details.d2l-solution")
    assert details.get("open") is None
    assert details.summary.select_one(".d2l-solution-label").get_text() == "Solution"
    assert "Addition commutes" in details.get_text() and "SOLUTION-OUTPUT" in details.get_text()
    assert "Exercise 2" not in details.get_text() and "#### " not in text
    # Figures inline, local MathJax, navigation.
    assert page.select('img[src^="data:image/png;base64,"]')
    assert page.select_one('script[src^="../static/mathjax/MathJax.js"]')
    assert not page.select('script[src^="http"], link[href^="http"]')
    assert page.select_one('a[rel="prev"]')["href"] == "../" + PAGE_23
    assert not page.select('a[rel="next"]')
    assert page.select_one("#terms")
    assert (out / "static/mathjax/MathJax.js").exists()
    assert (out / "static/mathjax/jax/output/HTML-CSS/fonts/STIX-Web/fontdata.js").exists()
    assert not page.select(".d2l-langswitch")  # single-language site: no switch

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
    site.build_site(src, out, "both", results, chapters=None, repository=None)
    page = soup(out / PAGE_23)
    text = page.get_text()
    assert "English prose" in text and "中文说明" in text
    assert page.select(".jp-MarkdownCell.celltag_zh") and page.select(".d2l-langswitch button")
    zh = page.select_one(".jp-MarkdownCell.celltag_zh")
    assert zh.strong.get_text() == "向量（vector）" and zh.em.get_text() == "优化（optimize）"
    assert "*" not in zh.get_text().replace("$\\mathbf{x}^*$", "")
    label = page.select_one("details.d2l-solution .d2l-solution-label").get_text()
    assert label == "解答 / Solution"
    assert page.select_one('a[rel="next"]')["href"] == "../" + PAGE_36
    # Exporting again replaces the site; zh drops the English cells.
    site.build_site(src, out, "zh", results, chapters=None, repository=None)
    text = soup(out / PAGE_23).get_text()
    assert "中文说明" in text and "English prose" not in text and "Exercise 1" not in text
    assert soup(out / PAGE_23).select_one(
        "details.d2l-solution .d2l-solution-label").get_text() == "解答"


def test_links_between_notebooks(small_site):
    """A notebook's link to another notebook goes to its page, or downloads the notebook
    when it has no page; on the all-in-one page it goes to the section there."""
    src, results, out = small_site
    site.build_site(src, out, "both", results, chapters=None, repository=None)
    hrefs = [a["href"] for a in soup(out / PAGE_23).select(".jp-RenderedMarkdown a")
             if not a["href"].startswith("#")]
    assert hrefs == ["../" + PAGE_36, "../" + PAGE_23 + "#terms", "2.4-calculus.ipynb"]
    everything = soup(out / "all.html")
    ids = [tag["id"] for tag in everything.select("[id]")]
    assert len(ids) == len(set(ids)), "ids repeat on the all-in-one page"
    for a in everything.select('a[href^="#"]'):
        assert a["href"][1:] in ids, a
    hrefs = [a["href"] for a in everything.select("#section-2-3 .jp-RenderedMarkdown a")
             if "anchor-link" not in a.get("class", [])]
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


def test_search_index(small_site):
    """One entry per heading, anchored at the heading's id on its page, holding the prose and
    the code's words but no output; the glossary's terms too; both languages."""
    src, results, out = small_site
    done = site.build_site(src, out, "both", results, chapters=None, repository=None)
    assert done["search_index_bytes"] == (out / search.INDEX_FILE).stat().st_size
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


def test_print_page(small_site):
    """all.html: the index, each section once with its solutions open, then the glossary;
    index.html links to the PDF only once it is printed (commented out until then)."""
    src, results, out = small_site
    site.build_site(src, out, "both", results, chapters=None, repository=None)
    page = soup(out / "all.html")
    sections = page.select("article.d2l-all-section")
    assert [s["id"] for s in sections] == ["section-2-3", "section-3-6", "glossary"]
    assert all(d.get("open") is not None for d in page.select("details.d2l-solution"))
    assert len(page.select("details.d2l-solution")) == 2
    assert not page.select(".d2l-topbar, .d2l-pager, .d2l-search")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<!--d2l:pdf-link " in index and not soup(out / "index.html").select(
        'a[href="d2l-notes.pdf"]')
    from notestools.site.pdf import link_from_index

    link_from_index(out)
    assert soup(out / "index.html").select('a[href="d2l-notes.pdf"]')


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


# ---------------------------------------------------------------------------------------
# The site of really executed notebooks (shared with test_site_browser.py)
# ---------------------------------------------------------------------------------------

_executed = {}  # one run per test session, shared with test_site_browser.py


def execute_notebooks(tmp_path_factory):
    """Execute the EXECUTED notebooks once per session into a temporary folder; returns
    (notebooks folder, results.json). A notebook that fails still has its executed copy,
    and the site shows it as failed: the notebooks' own tests report the failure."""
    if "run" not in _executed:
        _executed["run"] = run_notebooks_into(tmp_path_factory.mktemp("executed"))
    return _executed["run"]


def run_notebooks_into(root):
    from notestools import run_notebooks

    patterns = [a for pattern in EXECUTED for a in ("--pattern", pattern + "*")]
    status = run_notebooks.main(patterns + ["--out", str(root / "notebooks"),
                                            "--results", str(root / "results.json"),
                                            "--jobs", "2"])
    if status:
        print(f"note: run_notebooks exited with {status}: the site shows the failure")
    for pattern in EXECUTED:
        assert list((root / "notebooks").glob(pattern + "*.ipynb")), f"{pattern} not executed"
    return root / "notebooks", root / "results.json"


def build_real_site(tmp_path_factory, name, **options):
    src, results = execute_notebooks(tmp_path_factory)
    out = tmp_path_factory.mktemp(name) / "html"
    done = site.build_site(src, out, "both", results, CHAPTERS, **options)
    return out, done


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    return build_real_site(tmp_path_factory, "site", repository=GITHUB)


def executed_pages(out):
    return [out / rel for rel in sorted(p.relative_to(out).as_posix()
                                        for p in out.glob("*/*.html"))]


def test_real_site(real_site, tmp_path_factory):
    """Every section is listed (the ones not executed here unlinked; the contents notebook at
    the top of chapters/ is no section), the executed ones have pages with their own title,
    launch links and a downloadable notebook; the index shows what results.json recorded."""
    out, done = real_site
    src, results = execute_notebooks(tmp_path_factory)
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
