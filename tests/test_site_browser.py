"""The site in a real browser: Debian's chromium (driven by selenium through chromedriver, the
`chromium` fixture of conftest.py), pages opened from file:// where no hostname resolves.

The site is the one test_site.py exports, once per session, from 2.1 and 3.6 executed into a
temporary folder. Checked: every page (console errors, typeset math, images, links, nothing
fetched), MathJax 3's delimiters, TeX errors reported and wide formulas on a phone, search
in English and Chinese followed to the right heading, dark mode (with a screenshot of 3.6),
the outline beside 3.6 (following the scroll; hidden on a phone and in print), the print
styles, and the PDF (pdftotext, pdfinfo, pdffonts from poppler-utils), printed as `make pdf`
prints it (without exporting the current site again) from the small made-up site of
test_site.py: what the PDF must hold does not depend on the notes' length, and `make pdf`
prints the whole notes anyway. Screenshots go to
$D2L_SCREENSHOTS, or a temporary folder. Without Chromium, or with D2L_SKIP_BROWSER=1, these
tests are skipped.
"""

import base64
import functools
import html
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup
from test_site import build_real_site, md, read_search_index, write_small_site

from notestools import site as site_tool
from notestools.site.browser import MATH_DONE, wait_for, wait_until_typeset
from notestools.site.config import PDF_NAME
from notestools.site.markdown import split_title
from notestools.site.pdf import main as pdf_main

# `make test` runs this module and test_site.py on one xdist worker (the group "site" of
# conftest.py's JOINED), which exports the site of the executed notebooks once for both.
pytestmark = pytest.mark.browser

THEME_KEY = "d2l-notes-theme"  # site.js's localStorage key


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(site folder, what build_site made): test_site.py's site of the executed notebooks."""
    return build_real_site(tmp_path_factory)


@pytest.fixture(scope="session")
def site(built):
    return built[0]


@pytest.fixture(scope="session")
def browser(chromium):
    """conftest's headless Chromium (no hostname resolves: a page reaching for a CDN fails)."""
    return chromium


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    folder = os.environ.get("D2L_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def notebook_pages(site):
    return sorted(site.glob("*/*.html"))


def page_of(site, prefix):
    return next(p for p in notebook_pages(site) if p.name.startswith(prefix))


PAGE_REPORT_JS = r"""
const skip = new Set(["PRE", "CODE", "SCRIPT", "STYLE", "TEXTAREA"]);
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
  acceptNode(node) {
    for (let e = node.parentElement; e; e = e.parentElement) {
      if (skip.has(e.tagName) || e.tagName === "MJX-CONTAINER") {  // (typeset math)
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
  // The formulas MathJax found in the page, and those it typeset (CHTML output).
  mathSources: window.MathJax && MathJax.startup && MathJax.startup.document
    ? Array.from(MathJax.startup.document.math).length : 0,
  mathRendered: document.querySelectorAll('mjx-container[jax="CHTML"]').length,
  mathErrors: document.querySelectorAll("mjx-merror").length,
  rawTex: raw,
  folds: Array.from(document.querySelectorAll("details.d2l-fold"))
    .map(d => ({open: d.open, cells: d.querySelectorAll(".jp-Cell").length,
                kind: d.classList.contains("d2l-hint") ? "hint" : "solution"})),
};
"""


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


def link_problems(name, hrefs):
    problems = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme != "file":
            continue
        target = Path(unquote(parts.path))
        if not target.is_file():
            problems.append(f"{name}: broken link {href}")
        # A browser looks for the fragment as written, then percent-decoded.
        elif parts.fragment and not {parts.fragment, unquote(parts.fragment)} & html_ids(target):
            problems.append(f"{name}: link to a missing anchor {href}")
    return problems


def page_problems(browser, name):
    """What is wrong with the page just loaded."""
    problems = []
    if not wait_until_typeset(browser, 60):
        problems.append(f"{name}: MathJax did not finish typesetting within 60 s")
    report = browser.execute_script(PAGE_REPORT_JS)
    problems += [f"{name}: console error: {e['message'][:300]}"
                 for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    problems += [f"{name}: image not loaded: {i['src']}" for i in report["images"] if not i["ok"]]
    problems += [f"{name}: asked the network for {url}" for url in requested_urls(browser)
                 if urlsplit(url).scheme not in ("file", "data", "about", "blob", "chrome")]
    if report["mathErrors"]:
        problems.append(f"{name}: {report['mathErrors']} formula(s) MathJax could not typeset")
    if report["mathRendered"] != report["mathSources"]:
        problems.append(f"{name}: {report['mathSources']} formulas but "
                        f"{report['mathRendered']} typeset")
    problems += [f"{name}: raw TeX left in the text: {t!r}" for t in report["rawTex"]]
    folded = name != "all.html"  # the page the PDF is printed from has them open
    problems += [f"{name}: a {f['kind']} is {'not folded' if folded else 'folded'}, or empty: {f}"
                 for f in report["folds"] if f["open"] == folded or not f["cells"]]
    return problems + link_problems(name, report["links"])


def test_every_page(site, browser):
    """Index, glossary, the notebook pages and the all-in-one page: no console error, math
    typeset, images loaded, internal links resolve (the outline's too), nothing fetched from
    the network, hints and solutions folded (open on the all-in-one page)."""
    pages = [site / "index.html", site / "glossary.html", *notebook_pages(site),
             site / "all.html"]
    browser.get("about:blank")  # whatever page the session's browser was on goes first
    browser.get_log("browser")  # start from clean logs
    browser.get_log("performance")
    problems, timings = [], []
    for path in pages:
        name = path.relative_to(site).as_posix()
        start = time.monotonic()
        browser.get(path.as_uri())
        problems += page_problems(browser, name)
        timings.append(f"{name} {time.monotonic() - start:.1f} s")
    assert not problems, "\n".join(problems)
    print(f"\n{len(pages)} pages checked: {', '.join(timings)}")


def unique_heading(site, page, part):
    """A heading of ``page`` (entries of the search index) whose Chinese (part=0) or English
    (part=1) half appears in no other heading: (anchor, that half)."""
    index = read_search_index(site)
    href = page.relative_to(site).as_posix()
    headings = [(index["pages"][e[0]][0], e[1], e[2]) for e in index["entries"]]
    for where, anchor, heading in headings:
        words = split_title(re.sub(r"^[\d.]+\s*", "", heading))[part]
        if where != href or len(words) < 2:
            continue
        if sum(words.lower() in h.lower() for _, _, h in headings) == 1:
            return anchor, words
    raise AssertionError(f"{href} has no heading with a unique {('Chinese', 'English')[part]} half")


def search_and_follow(browser, site, start_page, query, target, anchor):
    """Type ``query`` into the top bar on ``start_page``, check the first result is the
    heading ``anchor`` of ``target`` with the query marked, follow it, and check the browser
    lands on that page with the heading in view."""
    browser.get(start_page.as_uri())
    box = browser.find_element("css selector", ".d2l-search-input")
    box.send_keys(query)
    assert wait_for(browser, "return document.querySelectorAll('.d2l-hit').length > 0", 10), (
        f"no result for {query!r}")
    first = browser.find_element("css selector", ".d2l-hit")
    href = urlsplit(first.get_attribute("href"))
    assert (Path(unquote(href.path)), unquote(href.fragment)) == (target, anchor), query
    marked = "".join(m.text for m in first.find_elements("css selector", "mark"))
    assert marked and all(c in query.lower() for c in marked.lower().replace(" ", "")), marked
    first.click()
    assert wait_for(browser, "return decodeURIComponent(location.hash.slice(1)) === "
                    + json.dumps(anchor), 10)
    assert Path(unquote(urlsplit(browser.current_url).path)) == target
    top = browser.execute_script(
        "return document.getElementById(arguments[0]).getBoundingClientRect().top", anchor)
    assert 0 <= top < browser.execute_script("return innerHeight / 2"), top


def test_search(site, browser):
    """An English and a Chinese query, each a heading's words, typed into the top bar of
    another page: the heading is the first result, and following it lands on it."""
    page_21, page_36 = page_of(site, "2.1-"), page_of(site, "3.6-")
    anchor, english = unique_heading(site, page_21, part=1)
    search_and_follow(browser, site, page_36, english, page_21, anchor)
    anchor, chinese = unique_heading(site, page_36, part=0)
    search_and_follow(browser, site, site / "index.html", chinese, page_36, anchor)
    # Chinese needs no word breaks: its two halves, apart, still find the heading.
    half = len(chinese) // 2
    browser.get((site / "glossary.html").as_uri())
    results = browser.execute_async_script("""
        const query = arguments[0], done = arguments[arguments.length - 1];
        document.querySelector('.d2l-search-input').focus();  // loads the index
        (function poll() {
          const found = window.d2lSearch.search(query);
          if (found) done(found.map(e => e.href)); else setTimeout(poll, 50);
        })();""", f"{chinese[half:]} {chinese[:half]}")
    assert any(unquote(urlsplit(h).fragment) == anchor for h in results), results


def luminance(css_color):
    r, g, b = (int(v) for v in re.findall(r"\d+", css_color)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_dark_mode(site, browser, screenshots):
    """With a dark system theme 3.6 is dark, its figures on a light panel; the switch in the
    top bar turns it light, and the choice is remembered on the next page."""
    page = page_of(site, "3.6-")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        browser.get(page.as_uri())
        browser.execute_script(f"localStorage.removeItem('{THEME_KEY}')")
        browser.refresh()
        assert wait_until_typeset(browser, 60)
        style = ("return getComputedStyle(document.querySelector(arguments[0]))"
                 "[arguments[1]]")
        assert browser.execute_script("return document.documentElement.dataset.theme") == "dark"
        assert luminance(browser.execute_script(style, "body", "backgroundColor")) < 0.15
        assert luminance(browser.execute_script(style, "body", "color")) > 0.7
        assert luminance(browser.execute_script(style, ".jp-InputArea-editor",
                                                "backgroundColor")) < 0.2
        figure = ".jp-RenderedSVG img, .jp-RenderedSVG svg, .jp-RenderedImage img"
        assert luminance(browser.execute_script(style, figure, "backgroundColor")) > 0.95
        browser.execute_script("scrollTo(0, 0)")
        browser.save_screenshot(str(screenshots / "3.6-dark-top.png"))
        browser.execute_script("document.querySelector(arguments[0]).scrollIntoView()", figure)
        browser.execute_script("scrollBy(0, -200)")
        browser.save_screenshot(str(screenshots / "3.6-dark-figure.png"))
        browser.find_element("css selector", ".d2l-theme").click()
        assert browser.execute_script("return document.documentElement.dataset.theme") == "light"
        browser.get((site / "index.html").as_uri())  # another page: the choice is kept
        assert browser.execute_script("return document.documentElement.dataset.theme") == "light"
        assert luminance(browser.execute_script(style, "body", "backgroundColor")) > 0.95
    finally:
        browser.execute_script(f"localStorage.removeItem('{THEME_KEY}')")
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    print(f"\ndark-mode screenshots of 3.6: {screenshots}")


def test_language_switch_and_solution(site, browser):
    """The bilingual page's switch hides a language; an opened solution shows typeset math."""
    browser.get(page_of(site, "3.6-").as_uri())
    assert wait_for(browser, MATH_DONE, timeout=60)
    visible = ("return Array.from(document.querySelectorAll(arguments[0]))"
               ".filter(e => e.checkVisibility()).length")
    assert browser.execute_script(visible, ".jp-MarkdownCell.celltag_zh") > 0
    browser.find_element("css selector", '.d2l-langswitch button[data-show="en"]').click()
    assert browser.execute_script(visible, ".jp-MarkdownCell.celltag_zh") == 0
    assert browser.execute_script(visible, ".jp-MarkdownCell.celltag_en") > 0
    browser.find_element("css selector", '.d2l-langswitch button[data-show="both"]').click()
    assert browser.execute_script(visible, ".jp-MarkdownCell.celltag_zh") > 0
    details = browser.find_elements("css selector", "details.d2l-solution")
    assert details, "3.6 has no folded solution"
    assert browser.execute_script(visible, "details.d2l-solution .jp-Cell") == 0
    details[0].find_element("css selector", "summary").click()
    assert browser.execute_script(visible, "details.d2l-solution .jp-Cell") > 0
    # Formulas typeset while folded have their real size once the solution opens.
    widths = browser.execute_script(
        "return Array.from(document.querySelectorAll('details.d2l-solution[open] mjx-container'))"
        ".map(e => e.getBoundingClientRect().width)")
    assert all(w > 0 for w in widths), widths


# A markdown cell with MathJax's four delimiters (Markdown takes a backslash before "(" or
# "[": the cell holds \\( and \\[, as in JupyterLab), two formulas wrong on purpose (a TeX
# error, an undefined macro), and a display formula far wider than a phone.
WIDE = " + ".join(f"x_{{{i}}}^{{2}}" for i in range(60))
MATH_CELL = ("Fine: $\\alpha^2$ and \\\\(\\beta\\\\); wrong on purpose: $x^^2$ and "
             "$\\notamacro{x}$.\n\n$$" + WIDE + "$$\n\n\\\\[y = 1\\\\]")
FOUND_MATH_JS = ("return Array.from(MathJax.startup.document.math)"
                 ".map(m => [m.math.trim(), m.display])")
WIDEST_JS = """
const widest = Array.from(document.querySelectorAll('mjx-container[display="true"]'))
  .sort((a, b) => b.scrollWidth - a.scrollWidth)[0];
return {overflow: getComputedStyle(widest).overflowX, scroll: widest.scrollWidth,
        width: widest.clientWidth, right: widest.getBoundingClientRect().right};
"""


def test_math_delimiters_errors_and_wide_formulas(tmp_path, browser):
    """MathJax 3 as the site configures it: $...$, \\(...\\), $$...$$ and \\[...\\] are
    typeset; a TeX error and an undefined macro show as errors, each reported to the console
    with its source (which test_every_page catches on every page); its fonts load from
    file://; a display formula wider than a phone scrolls inside the page instead of
    overflowing it, and prints whole."""
    src, results, out = write_small_site(tmp_path)
    path = src / "02-preliminaries/2.3-linear-algebra.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(1, md(MATH_CELL, "bilingual"))
    nbformat.write(nb, path)
    site_tool.build_site(src, out, "both", results, chapters=None, repository=None)
    browser.get_log("browser")
    browser.get((out / "02-preliminaries/2.3-linear-algebra.html").as_uri())
    assert wait_until_typeset(browser, 60)
    found = browser.execute_script(FOUND_MATH_JS)
    for formula in (["\\alpha^2", False], ["\\beta", False], [WIDE, True], ["y = 1", True]):
        assert formula in found, formula
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert len(errors) == 2 and all("MathJax: TeX error" in e for e in errors), errors
    assert "x^^2" in errors[0] and "Missing open brace" in errors[0], errors[0]
    assert "notamacro" in errors[1] and "Undefined control sequence" in errors[1], errors[1]
    report = browser.execute_script(PAGE_REPORT_JS)
    assert report["mathErrors"] == 2 and report["mathRendered"] == report["mathSources"]
    assert report["mathSources"] == len(found) and not report["rawTex"]
    fonts = browser.execute_script("return Array.from(document.fonts)"
                                   ".filter(f => f.status === 'loaded').map(f => f.family)")
    assert "MJXTEX-I" in fonts, fonts  # (math italic: the letters of every formula)
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        assert wait_for(browser, "return innerWidth === 390", 10)
        widest = browser.execute_script(WIDEST_JS)
        assert widest["overflow"] == "auto" and widest["scroll"] > 2 * widest["width"], widest
        assert widest["right"] <= 390, widest
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        assert browser.execute_script(WIDEST_JS)["overflow"] == "visible"
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


OUTLINE_JS = r"""
const shown = e => e.checkVisibility();
const nav = document.querySelector("nav.d2l-outline");
const headings = Array.from(document.querySelectorAll(
    ".jp-RenderedMarkdown > h2[id], .jp-RenderedMarkdown > h3[id]"))
  .filter(h => !h.closest("details"));
return {
  visible: !!nav && shown(nav),
  links: nav ? Array.from(nav.querySelectorAll("a")).map(a => a.getAttribute("href").slice(1)) : [],
  headings: headings.map(h => h.id),
  exercises: headings.filter(h => h.closest(".celltag_exercise")).map(h => h.id),
  exerciseEntries: nav ? nav.querySelectorAll("li.d2l-ol-exercise").length : 0,
  zhExercises: headings.filter(h => h.closest(".celltag_exercise.celltag_zh")).length,
  outlineRight: nav ? nav.getBoundingClientRect().right : 0,
  mainRight: document.querySelector("main").getBoundingClientRect().right,
  outlineLeft: nav ? nav.getBoundingClientRect().left : 0,
};
"""

CURRENT_JS = ("const li = document.querySelector('nav.d2l-outline li.d2l-current');"
              "return li && Array.from(li.querySelectorAll('a'))"
              ".some(a => a.getAttribute('href') === '#' + arguments[0]);")


def test_outline(site, browser):
    """Beside 3.6 on a wide screen: every subsection (h2, h3) and exercise of the page, in
    order, clear of the text; the entry of the heading scrolled to is marked; hidden on a
    390 px wide phone."""
    browser.get(page_of(site, "3.6-").as_uri())
    assert wait_until_typeset(browser, 60)
    assert browser.execute_script("return innerWidth") >= 1200
    found = browser.execute_script(OUTLINE_JS)
    assert found["visible"], "no outline beside the page"
    assert found["links"] == found["headings"], "the outline is not the page's subsections"
    assert found["exercises"] and found["exerciseEntries"] == found["zhExercises"]
    assert found["outlineLeft"] >= found["mainRight"] - 16  # (main's right padding)
    assert found["outlineRight"] <= browser.execute_script("return innerWidth")
    for target in (found["exercises"][len(found["exercises"]) // 2], found["headings"][1]):
        browser.execute_script("document.getElementById(arguments[0]).scrollIntoView()", target)
        assert wait_for(browser, CURRENT_JS.replace("arguments[0]", json.dumps(target)), 10), (
            f"the outline does not mark {target}")
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        assert wait_for(browser, "return innerWidth === 390", 10)
        assert not browser.execute_script(OUTLINE_JS)["visible"]
        margin = browser.execute_script(
            "return document.querySelector('main').getBoundingClientRect().left")
        assert margin < 30, margin  # the page takes the whole width again
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_print_styles(site, browser):
    """Printing one page: no top bar, search, pager or outline, every hint and solution
    shown (drawing code not), code wrapped instead of clipped."""
    browser.get(page_of(site, "3.6-").as_uri())
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        shown = ("return Array.from(document.querySelectorAll(arguments[0]))"
                 ".filter(e => e.checkVisibility()).length")
        for hidden in (".d2l-topbar", ".d2l-pager", ".d2l-search", "nav.d2l-launch",
                       ".d2l-outline", "details.d2l-source"):
            assert browser.execute_script(shown, hidden) == 0, hidden
        solutions = browser.execute_script(
            "return document.querySelectorAll('details.d2l-fold .jp-Cell').length")
        assert solutions and browser.execute_script(shown, "details.d2l-fold .jp-Cell") \
            == solutions
        clipped = browser.execute_script("""
            return Array.from(document.querySelectorAll('.jp-InputArea-editor pre'))
              .filter(pre => getComputedStyle(pre).whiteSpace !== 'pre-wrap'
                             || pre.scrollWidth > pre.clientWidth + 1).length""")
        assert clipped == 0
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def poppler(*command):
    if not shutil.which(command[0]):
        pytest.fail(f"{command[0]} is missing: apt-get install poppler-utils")
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="session")
def pdf_site(tmp_path_factory):
    """test_site.py's two made-up sections (prose in both languages, formulas, figures,
    exercises with hints and solutions, terms): the site the PDF is printed from, exported
    as `make html` does. Returns the command line's arguments and the site folder."""
    src, results, out = write_small_site(tmp_path_factory.mktemp("pdf-site"))
    argv = ["--src", str(src), "--out", str(out), "--results", str(results),
            "--chapters", str(src.parent / "no-sources"), "--repository", ""]
    assert site_tool.main(argv) == 0
    return argv, out


@pytest.fixture(scope="session")
def pdf(pdf_site, browser):  # (browser: skipped or failed with it)
    """The PDF as `make pdf` prints it after `make html`: from the site as it is, without
    exporting it again (which empties the folder first)."""
    argv, site = pdf_site
    (site / "left-by-the-export").write_text("")
    start = time.monotonic()
    assert pdf_main(argv) == 0
    assert (site / "left-by-the-export").exists(), "the PDF step exported the site again"
    print(f"\nPDF of {len(notebook_pages(site))} sections printed in "
          f"{time.monotonic() - start:.1f} s")
    return site / PDF_NAME


def test_pdf(pdf, pdf_site):
    """The PDF holds every section title in both languages, the hints and solutions (not the
    drawing code), typeset formulas (none of the notebooks' TeX left), numbered pages,
    embedded fonts that map back to Chinese text and bookmarks; the index links to it."""
    _, site = pdf_site
    text = poppler("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    flat = re.sub(r"\s+", "", text)
    rows = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    for row in rows.select("table.d2l-toc tbody tr"):
        for part in (".d2l-zh", ".d2l-en"):
            title = re.sub(r"\s+", "", row.select_one(part).get_text())
            assert title in flat, f"{title!r} is not in the PDF"
    assert rows.select_one('a[href="d2l-notes.pdf"]')
    for words in ("HINT-EN", "提示中文", "Addition commutes", "SOLUTION-OUTPUT"):
        assert words in text, words
    assert "DRAWING_CODE" not in text and "SETUP-CELL" not in text

    page = BeautifulSoup((site / "all.html").read_text(encoding="utf-8"), "html.parser")
    code = "\n".join(c.get_text() for c in page.select(".jp-CodeCell"))
    prose = "\n".join(c.get_text() for c in page.select(".jp-RenderedMarkdown"))
    formulas = {f for f in re.findall(r"\$[^$\n]+\$", prose) if f not in code}
    assert formulas, "the notes have no formula to check"
    assert "$$" not in text and not [f for f in formulas if f in text]

    pages = int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", str(pdf)), re.M)[1])
    assert pages > len(notebook_pages(site)) + 2
    for number in (1, pages):  # the footer (pdftotext may drop the spaces around the /)
        assert re.search(rf"(^|\s){number}\s*/\s*{pages}(\s|$)", text), number
    fonts = poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", f)
                         for f in fonts), "a font is not embedded:\n" + "\n".join(fonts)
    assert re.search(r"[\u4e00-\u9fff]", text)  # Chinese glyphs map back to text
    assert b"/Outlines" in pdf.read_bytes()  # bookmarks
    print(f"\nPDF: {pages} pages, {pdf.stat().st_size / 1024:.0f} KiB, "
          f"{len(formulas)} distinct inline formulas typeset")


def test_screenshot_of_index(site, browser, screenshots):
    """The index as a reader first sees it (a full-page PNG for a person to look at)."""
    browser.get((site / "index.html").as_uri())
    metrics = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    path = screenshots / "index.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    assert path.stat().st_size > 10_000
