"""Export the site and print the whole notes to one PDF, build/html/d2l-notes.pdf.

    python -m notestools.site.pdf [the options of python -m notestools.site]

The site is exported first unless the output folder holds the export of the same inputs
already (`make html` made it): then it is only printed. The PDF is all.html (the index,
every section with its solutions open, and the glossary) printed by headless Chromium, with
typeset math, embedded fonts (Chinese included), page numbers and bookmarks from the
headings; the site's index links to it. It takes a minute or more (MathJax typesets every
formula of the notes on one page, and Chromium lays out hundreds of pages), which is why
`python -m notestools.site` alone does not print it. Chromium and chromedriver must be
installed.
"""

import base64
import re
import sys
import tempfile
import time
from pathlib import Path

from .browser import start_chrome, wait_until_typeset
from .config import ALL_PAGE, PDF_NAME, ExportError

A4 = (8.27, 11.69)  # inches
FOOTER = ('<div style="width:100%; font-size:8px; color:#777; text-align:center; '
          'font-family:sans-serif"><span class="pageNumber"></span> / '
          '<span class="totalPages"></span></div>')
# index.html carries its PDF link commented out until the PDF exists (see index.html.j2).
LINK_RE = re.compile(r"<!--d2l:pdf-link (?P<link>.*?) -->", re.S)
SHOWN_LINK_RE = re.compile(r'(?<!<!--d2l:pdf-link )<p class="d2l-pdf-link">.*?</p>', re.S)


def print_pdf(html_path, pdf_path, timeout=900):
    """Print ``html_path`` to ``pdf_path`` once its math is typeset; returns ``pdf_path``."""
    html_path, pdf_path = Path(html_path), Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="d2l-pdf-profile-") as profile:
        try:
            driver = start_chrome(profile)
        except RuntimeError as err:
            raise ExportError(f"no PDF: {err}") from err
        try:
            command_timeout(driver, timeout)
            driver.set_page_load_timeout(timeout)
            driver.get(html_path.as_uri())
            if not wait_until_typeset(driver, timeout):
                raise ExportError(f"no PDF: MathJax did not finish typesetting {html_path} "
                                  f"within {timeout} s")
            printed = driver.execute_cdp_cmd("Page.printToPDF", {
                "printBackground": True, "paperWidth": A4[0], "paperHeight": A4[1],
                "marginTop": 0.6, "marginBottom": 0.7, "marginLeft": 0.6, "marginRight": 0.6,
                "displayHeaderFooter": True, "headerTemplate": "<div></div>",
                "footerTemplate": FOOTER, "generateDocumentOutline": True})
        finally:
            driver.quit()
    pdf_path.write_bytes(base64.b64decode(printed["data"]))
    return pdf_path


def command_timeout(driver, seconds):
    """Printing hundreds of pages outlasts selenium's default 120 s per command."""
    config = getattr(driver.command_executor, "client_config", None)
    if config is not None:
        config.timeout = seconds
    else:  # selenium before 4.26
        driver.command_executor.set_timeout(seconds)


def show_pdf_link(site, shown=None):
    """Uncomment the index's link to the PDF, or comment it out again; by default, as the
    PDF is there or not."""
    site = Path(site)
    index = site / "index.html"
    if not index.exists():
        return
    if shown is None:
        shown = (site / PDF_NAME).is_file()
    text = index.read_text(encoding="utf-8")
    if shown:
        changed = LINK_RE.sub(lambda m: m["link"], text)
    else:
        changed = SHOWN_LINK_RE.sub(lambda m: f"<!--d2l:pdf-link {m[0]} -->", text)
    if changed != text:
        index.write_text(changed, encoding="utf-8")


def make_pdf(site, timeout=900):
    """Print an exported site's all.html to <site>/d2l-notes.pdf and link it from the index."""
    page = Path(site) / ALL_PAGE
    if not page.exists():
        raise ExportError(f"{page} is missing: export the site first (`make html`)")
    start = time.perf_counter()
    pdf = print_pdf(page, Path(site) / PDF_NAME, timeout)
    show_pdf_link(site, shown=True)
    print(f"PDF: {pdf} ({pdf.stat().st_size / 2**20:.1f} MiB, "
          f"{time.perf_counter() - start:.0f} s)")
    return pdf


def main(argv=None):
    from . import run

    return run(argv, prog="python -m notestools.site.pdf", description=__doc__, pdf=True)


if __name__ == "__main__":
    sys.exit(main())
