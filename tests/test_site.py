"""The HTML site: a fast unit test of the export, and the whole site in headless Chromium.

The browser test builds the site from build/notebooks/ (executing the notebooks first with
shared/tools/run_notebooks.py when that folder is missing or older than a source notebook),
exports it into a temporary folder, and opens every page from file:// in Debian's chromium
(driven by selenium through /usr/bin/chromedriver) with the network cut off. It saves
screenshots under build/screenshots/. Without chromium it fails and says what to install;
set D2L_SKIP_BROWSER=1 to skip it on purpose, or D2L_SITE=<folder> to check a site already
exported (for example build/html) instead of exporting one.
"""

import base64
import functools
import html
import json
import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from notestools import export_html
import nbformat
import pytest
from bs4 import BeautifulSoup
from notestools.notebooks import BUILD, CHAPTERS, source_notebooks

from d2lnotes.results import MIME_TYPE  # noqa: E402

SCREENSHOTS = BUILD / "screenshots"
SCREENSHOT_OF = "3.6-"  # besides the index: the page of this section

# A 1x1 PNG: the unit test's "figure".
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJ"
       "RU5ErkJggg==")


# ---------------------------------------------------------------------------------------
# Unit test of the export on small executed notebooks (no kernel, no browser: fast)
# ---------------------------------------------------------------------------------------

def md(text, *tags):
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": list(tags)})


def code(text, outputs=(), *tags):
    cell = nbformat.v4.new_code_cell(text, metadata={"tags": list(tags)} if tags else {})
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    cell.execution_count = 1
    return cell


def executed_notebook(number, zh, en, terms, accuracy=None):
    """A notebook as papermill leaves it: outputs, a figure, recorded metrics, exercises."""
    cells = [
        md(f"# {number} {zh} {en}", "bilingual"),
        code('device = "auto"\nseed = 0', (), "parameters"),
        code('# Parameters\ndevice = "cpu"\n', (), "injected-parameters"),
        md("English prose about $\\mathbf{x}^\\top \\mathbf{y}$.", "en"),
        md("中文说明：**向量（vector）**是 $\\mathbf{x}^*$，在数据上*优化（optimize）*。", "zh"),
        code("x = 1\nx", [{"output_type": "execute_result", "execution_count": 1,
                           "metadata": {}, "data": {"text/plain": "1"}}]),
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
        cells.insert(6, code("d2l.record(test_acc=acc)", [{
            "output_type": "display_data", "metadata": {},
            "data": {MIME_TYPE: {"test_acc": accuracy},
                     "text/plain": f"recorded: test_acc={accuracy}"}}]))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


@pytest.fixture
def small_site(tmp_path):
    """Two tiny executed notebooks in two chapters, plus their metrics.json."""
    src = tmp_path / "notebooks"
    books = {
        "02-preliminaries/2.3-linear-algebra.ipynb":
            executed_notebook("2.3", "线性代数", "Linear algebra",
                              [("scalar", "标量"), ("`torch.Tensor`", "张量类")]),
        "03-linear-neural-networks/3.6-softmax-regression-from-scratch.ipynb":
            executed_notebook("3.6", "softmax回归的从零开始实现",
                              "Implementation of softmax regression from scratch",
                              [("Scalar", "标量"), ("cross-entropy loss", "交叉熵损失")],
                              accuracy=0.8312),
    }
    for rel, nb in books.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, src / rel)
    metrics = tmp_path / "metrics.json"
    metrics.write_text(json.dumps({
        "environment": {"device": "cpu", "gpu": None, "torch": "2.x", "python": "3.x"},
        "total_seconds": 9.5,
        "notebooks": [{"notebook": rel, "status": "ok", "seconds": 4.25,
                       "metrics": {"test_acc": 0.8312} if rel.startswith("03") else {}}
                      for rel in books]}))
    return src, metrics, tmp_path / "html"


def soup(path):
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def test_export_english_only(small_site):
    src, metrics, out = small_site
    assert export_html.main(["--src", str(src), "--out", str(out), "--metrics", str(metrics),
                             "--chapters", str(src.parent / "no-sources"), "--lang", "en"]) == 0
    page = soup(out / "03-linear-neural-networks/3.6-softmax-regression-from-scratch.html")
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
    assert page.select_one('a[rel="prev"]')["href"] == "../02-preliminaries/2.3-linear-algebra.html"
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
    assert "test_acc 0.8312" in row and "4.2 s" in row
    assert rows[0].a["href"] == "02-preliminaries/2.3-linear-algebra.html"

    glossary = soup(out / "glossary.html")
    entries = {tr.select_one(".d2l-term-en").get_text(): tr
               for tr in glossary.select("table.d2l-glossary tbody tr") if tr.td}
    assert sorted(entries) == ["cross-entropy loss", "scalar", "torch.Tensor"]
    scalar = entries["scalar"]  # "Scalar" in 3.6 merges into 2.3's entry
    assert scalar.select_one(".d2l-term-zh").get_text() == "标量"
    links = [a["href"] for a in scalar.select(".d2l-term-where a")]
    assert links == ["02-preliminaries/2.3-linear-algebra.html#terms",
                     "03-linear-neural-networks/3.6-softmax-regression-from-scratch.html#terms"]
    assert entries["torch.Tensor"].select_one("code")


def test_export_bilingual_and_chinese(small_site):
    src, metrics, out = small_site
    export_html.build_site(src, out, "both", metrics, chapters=None)
    page = soup(out / "02-preliminaries/2.3-linear-algebra.html")
    text = page.get_text()
    assert "English prose" in text and "中文说明" in text
    assert page.select(".jp-MarkdownCell.celltag_zh") and page.select(".d2l-langswitch button")
    zh = page.select_one(".jp-MarkdownCell.celltag_zh")
    assert zh.strong.get_text() == "向量（vector）" and zh.em.get_text() == "优化（optimize）"
    assert "*" not in zh.get_text().replace("$\\mathbf{x}^*$", "")
    label = page.select_one("details.d2l-solution .d2l-solution-label").get_text()
    assert label == "解答 / Solution"
    assert page.select_one('a[rel="next"]')["href"] == (
        "../03-linear-neural-networks/3.6-softmax-regression-from-scratch.html")
    # Exporting again replaces the site; zh drops the English cells.
    export_html.build_site(src, out, "zh", metrics, chapters=None)
    text = soup(out / "02-preliminaries/2.3-linear-algebra.html").get_text()
    assert "中文说明" in text and "English prose" not in text and "Exercise 1" not in text
    assert soup(out / "02-preliminaries/2.3-linear-algebra.html").select_one(
        "details.d2l-solution .d2l-solution-label").get_text() == "解答"


def test_index_marks_failed_and_unexecuted_sections(small_site, capsys):
    """A notebook that failed is flagged; a source notebook never executed is listed, unlinked;
    an executed copy whose source is gone is left out."""
    src, metrics, out = small_site
    chapters = src.parent / "chapters"
    for rel in ("02-preliminaries/2.3-linear-algebra.ipynb",
                "03-linear-neural-networks/3.6-softmax-regression-from-scratch.ipynb"):
        (chapters / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src / rel, chapters / rel)
    nbformat.write(executed_notebook("3.7", "softmax回归的简洁实现", "Concise softmax", []),
                   chapters / "03-linear-neural-networks/3.7-softmax-regression-concise.ipynb")
    old = src / "02-preliminaries/2.9-old.ipynb"
    nbformat.write(executed_notebook("2.9", "旧", "Old", []), old)
    report = json.loads(metrics.read_text())
    report["notebooks"][0]["status"] = "failed"
    metrics.write_text(json.dumps(report))
    export_html.build_site(src, out, "both", metrics, chapters)
    assert "3.7-softmax-regression-concise.ipynb has no executed copy" in capsys.readouterr().err
    rows = soup(out / "index.html").select("table.d2l-toc tbody tr")
    assert [r.select_one(".d2l-num").get_text() for r in rows] == ["2.3", "3.6", "3.7"]
    assert rows[0].select_one(".d2l-bad") and rows[0].a
    assert "not run" in rows[2].get_text() and rows[2].a is None
    assert not (out / "02-preliminaries/2.9-old.html").exists()
    page = soup(out / "03-linear-neural-networks/3.6-softmax-regression-from-scratch.html")
    assert not page.select('a[rel="next"]')  # nothing to link to before 3.7 is executed


def test_export_errors_are_clear(tmp_path, capsys):
    assert export_html.main(["--src", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert "run `make run` first" in capsys.readouterr().err
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "precious.txt").write_text("keep me")
    (tmp_path / "nb" / "02-x").mkdir(parents=True)
    nbformat.write(executed_notebook("2.1", "数据操作", "Data manipulation", []),
                   tmp_path / "nb" / "02-x" / "2.1-data.ipynb")
    assert export_html.main(["--src", str(tmp_path / "nb"), "--out", str(tmp_path / "mine"),
                             "--chapters", str(tmp_path / "nb")]) == 2
    assert "not a site this script wrote" in capsys.readouterr().err
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
    assert export_html.fix_cjk_emphasis(source) == expected


@pytest.mark.parametrize("text, zh, en", [
    ("线性代数 Linear algebra", "线性代数", "Linear algebra"),
    ("softmax回归 Softmax regression", "softmax回归", "Softmax regression"),
    ("图像分类数据集（Fashion-MNIST） / Image classification dataset",
     "图像分类数据集（Fashion-MNIST）", "Image classification dataset"),
    ("Only English", "", "Only English"),
])
def test_split_title(text, zh, en):
    assert export_html.split_title(text) == (zh, en)


# ---------------------------------------------------------------------------------------
# The real site in a real browser
# ---------------------------------------------------------------------------------------

def stale_notebooks():
    """Source notebooks whose executed copy is missing or older than the source."""
    stale = []
    for source in source_notebooks():
        executed = BUILD / "notebooks" / source.relative_to(CHAPTERS)
        if not executed.exists() or executed.stat().st_mtime < source.stat().st_mtime:
            stale.append(source)
    return stale


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The whole site, exported from build/notebooks (executed here first when stale).
    D2L_SITE=<folder> tests an already exported site instead."""
    if os.environ.get("D2L_SITE"):
        return Path(os.environ["D2L_SITE"]).resolve()
    sources = source_notebooks()
    assert sources, f"no notebooks under {CHAPTERS}"
    stale = stale_notebooks()
    if stale:
        from notestools import run_notebooks

        print(f"\nexecuting {len(stale)} notebook(s) whose executed copy is missing or stale")
        args = [] if len(stale) == len(sources) else [
            a for s in stale for a in ("--pattern", str(s.relative_to(CHAPTERS)))]
        status = run_notebooks.main(args + ["--jobs", str(os.cpu_count() or 1)])
        assert status == 0, f"run_notebooks.py {' '.join(args)} failed (see its output)"
    out = tmp_path_factory.mktemp("site") / "html"
    export_html.build_site(BUILD / "notebooks", out, "both", BUILD / "metrics.json", CHAPTERS)
    return out


def find_program(env, *names):
    path = os.environ.get(env)
    if path:
        return path
    for name in names:
        found = shutil.which(name) or (Path(name).exists() and name)
        if found:
            return str(found)
    return None


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if os.environ.get("D2L_SKIP_BROWSER") == "1":
        pytest.skip("D2L_SKIP_BROWSER=1: browser test skipped on purpose")
    # Debian's chromium with its chromium-driver, or Google Chrome with its matching driver
    # (as on GitHub's Ubuntu runners); CHROMIUM / CHROMEDRIVER choose others.
    chromium = find_program("CHROMIUM", "chromium", "google-chrome", "chromium-browser")
    driver_path = find_program("CHROMEDRIVER", "chromedriver", "/usr/lib/chromium/chromedriver")
    if not chromium or not driver_path:
        pytest.fail("the site test needs Chromium and its driver: `apt-get install chromium "
                    "chromium-driver` (or set CHROMIUM / CHROMEDRIVER; D2L_SKIP_BROWSER=1 skips)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--mute-audio", "--hide-scrollbars",
                "--window-size=1280,900", "--force-device-scale-factor=1",
                # No name resolves: a page that reaches for a CDN gets an error, not a font.
                "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except Exception as err:  # a driver for another browser version says so here
        pytest.fail(f"could not start {chromium} through {driver_path}: {err}")
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()


PAGE_REPORT_JS = r"""
const skip = new Set(["PRE", "CODE", "SCRIPT", "STYLE", "TEXTAREA"]);
const typeset = ["MathJax", "MathJax_Display", "MathJax_Preview"];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
  acceptNode(node) {
    for (let e = node.parentElement; e; e = e.parentElement) {
      if (skip.has(e.tagName) || typeset.some(c => e.classList.contains(c))) {
        return NodeFilter.FILTER_REJECT;
      }
    }
    return NodeFilter.FILTER_ACCEPT;
  }
});
const raw = [];
const rawTex = /\$\$|\\\[|\\\(|\$[^$\n]*\\[A-Za-z]+[^$\n]*\$/;
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  if (rawTex.test(n.textContent)) raw.push(n.textContent.trim().slice(0, 120));
}
return {
  images: Array.from(document.images).map(i => ({src: i.currentSrc.slice(0, 60),
                                                ok: i.complete && i.naturalWidth > 0})),
  links: Array.from(document.querySelectorAll("a[href]")).map(a => a.href),
  mathjax: !!window.MathJax,
  mathDone: document.documentElement.getAttribute("data-math") === "done",
  mathSources: document.querySelectorAll('script[type^="math/tex"]').length,
  mathRendered: document.querySelectorAll("span.MathJax").length,
  mathErrors: document.querySelectorAll('.MathJax .merror, .MathJax_Error').length,
  rawTex: raw,
  solutions: Array.from(document.querySelectorAll("details.d2l-solution"))
    .map(d => ({open: d.open, cells: d.querySelectorAll(".jp-Cell").length})),
};
"""


def wait_for(driver, script, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if driver.execute_script(script):
            return True
        time.sleep(0.1)
    return False


@functools.lru_cache(maxsize=None)
def html_ids(path):
    """Every id (and <a name>) in a page: the targets a #fragment can reach."""
    text = Path(path).read_text(encoding="utf-8")
    return frozenset(html.unescape(m) for m in re.findall(r'\s(?:id|name)="([^"]*)"', text))


def requested_urls(driver):
    """URLs the page asked for since the last call (Chrome's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def full_page_screenshot(driver, path, max_pixels=16000):
    """The whole page as PNG (Chrome's CDP screenshot beyond the viewport); a page taller
    than Chrome's 16000-pixel limit is scaled down to fit."""
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"],
                 "scale": min(1.0, max_pixels / size["height"])}})
    path.write_bytes(base64.b64decode(shot["data"]))


def page_has_math(html_path):
    """Whether the exported page has $...$ formulas outside code, outputs and scripts."""
    text = Path(html_path).read_text(encoding="utf-8")
    text = re.sub(r"<(pre|code|script|style)\b.*?</\1>", "", text, flags=re.S)
    text = re.sub(r"<[^>]*>", "", text)  # attributes hold base64 figures, not math
    return re.search(r"\$[^$\s][^$]*\$", text) is not None


def test_site_in_browser(site, browser):
    """Every page: no console error, math typeset, images loaded, internal links resolve,
    nothing fetched from the network, solutions folded; screenshots of the index and 3.6."""
    started = time.monotonic()
    pages = [site / "index.html", site / "glossary.html"] + sorted(
        p for p in site.rglob("*.html") if p.parent != site)
    notebook_pages = [p for p in pages if p.parent != site]
    if not os.environ.get("D2L_SITE"):
        assert len(notebook_pages) == len(source_notebooks()), "a notebook has no page"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems, timings = [], []
    browser.get_log("browser")  # start from clean logs
    browser.get_log("performance")
    for path in pages:
        name = path.relative_to(site).as_posix()
        page_start = time.monotonic()
        browser.get(path.as_uri())
        assert wait_for(browser, "return document.readyState === 'complete'"), name
        if browser.execute_script("return !!window.MathJax"):
            if not wait_for(browser, "return document.documentElement.getAttribute('data-math')"
                                     " === 'done'", timeout=60):
                problems.append(f"{name}: MathJax did not finish typesetting within 60 s")
        report = browser.execute_script(PAGE_REPORT_JS)
        for entry in browser.get_log("browser"):
            if entry["level"] == "SEVERE":
                problems.append(f"{name}: console error: {entry['message'][:300]}")
        for image in report["images"]:
            if not image["ok"]:
                problems.append(f"{name}: image not loaded: {image['src']}")
        for url in requested_urls(browser):
            if urlsplit(url).scheme not in ("file", "data", "about", "blob"):
                problems.append(f"{name}: asked the network for {url}")
        if report["mathErrors"]:
            problems.append(f"{name}: {report['mathErrors']} formula(s) MathJax could not typeset")
        if report["mathRendered"] != report["mathSources"]:
            problems.append(f"{name}: {report['mathSources']} formulas but "
                            f"{report['mathRendered']} typeset")
        if path in notebook_pages and page_has_math(path) and not report["mathRendered"]:
            problems.append(f"{name}: has formulas but no MathJax output")
        for text in report["rawTex"]:
            problems.append(f"{name}: raw TeX left in the text: {text!r}")
        for solution in report["solutions"]:
            if solution["open"] or not solution["cells"]:
                problems.append(f"{name}: a solution is not folded, or is empty: {solution}")
        for href in report["links"]:
            parts = urlsplit(href)
            if parts.scheme != "file":
                continue
            target = Path(unquote(parts.path))
            if not target.is_file():
                problems.append(f"{name}: broken link {href}")
                continue
            # A browser looks for the fragment as written, then percent-decoded.
            if parts.fragment and not {parts.fragment, unquote(parts.fragment)} & html_ids(target):
                problems.append(f"{name}: link to a missing anchor {href}")
        timings.append(f"{name} {time.monotonic() - page_start:.1f} s")
        if path.name == "index.html":
            full_page_screenshot(browser, SCREENSHOTS / "index.png")
        elif path.name.startswith(SCREENSHOT_OF):
            full_page_screenshot(browser, SCREENSHOTS / path.with_suffix(".png").name)
    assert not problems, "\n".join(problems)
    print(f"\n{len(pages)} pages checked in {time.monotonic() - started:.1f} s "
          f"({', '.join(timings)}); screenshots in {SCREENSHOTS}")


def test_language_switch_and_solution(site, browser):
    """The bilingual page's switch hides a language; an opened solution shows typeset math."""
    page = next(p for p in sorted(site.rglob("*.html")) if p.parent != site)
    browser.get(page.as_uri())
    assert wait_for(browser, "return document.documentElement.getAttribute('data-math') === 'done'",
                    timeout=60)
    visible = ("return Array.from(document.querySelectorAll(arguments[0]))"
               ".filter(e => e.checkVisibility()).length")
    assert browser.execute_script(visible, ".jp-MarkdownCell.celltag_zh") > 0
    browser.find_element("css selector", '.d2l-langswitch button[data-show="en"]').click()
    assert browser.execute_script(visible, ".jp-MarkdownCell.celltag_zh") == 0
    assert browser.execute_script(visible, ".jp-MarkdownCell.celltag_en") > 0
    browser.find_element("css selector", '.d2l-langswitch button[data-show="both"]').click()
    assert browser.execute_script(visible, ".jp-MarkdownCell.celltag_zh") > 0
    details = browser.find_elements("css selector", "details.d2l-solution")
    assert details, f"{page.name} has no folded solution"
    assert browser.execute_script(visible, "details.d2l-solution .jp-Cell") == 0
    details[0].find_element("css selector", "summary").click()
    assert browser.execute_script(visible, "details.d2l-solution .jp-Cell") > 0
    # Formulas typeset while folded have their real size once the solution opens.
    widths = browser.execute_script(
        "return Array.from(document.querySelectorAll('details.d2l-solution[open] span.MathJax'))"
        ".map(e => e.getBoundingClientRect().width)")
    assert all(w > 0 for w in widths), widths
