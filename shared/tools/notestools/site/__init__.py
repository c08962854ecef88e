"""Export the executed notebooks as a static website that works offline, and as one PDF.

    python -m notestools.site [--lang both|zh|en] [--src DIR] [--out DIR] [--pdf]

Reads the executed copies in build/notebooks/ (this tool never executes a notebook) and the
run's report build/results.json, and writes build/html/:

- index.html: both chapters, every section with its Chinese and English title, its links to
  the book, its recorded results and its execution time, and the link to the PDF;
- <chapter folder>/<notebook name>.html: one page per notebook (JupyterLab rendering by
  nbconvert, figures inline with their drawing code folded, each exercise's Your-turn cell
  shown and its hint and solution folded in <details>, the install, record and progress
  cells left out: see cells.py), with an outline beside it on wide screens, previous / next
  / contents links, "Open in Colab / Kaggle" (when pyproject.toml names a GitHub repository)
  and download links: the source notebook is copied next to it, with its Chinese and English
  copies <name>.zh.ipynb and <name>.en.ipynb (downloads.py);
- glossary.html: every notebook's `| English | 中文 |` terms table merged, each term linked to
  the section that introduces it;
- static/: the site's CSS and scripts, the search index (search-index.js), and a local copy of
  MathJax 3.2 (its tex-chtml-full.js and fonts, from the sphinx-mathjax-offline package), so
  that formulas are typeset from file://;
- all.html: the index, every section (solutions open) and the glossary on one page, which
  --pdf (or `python -m notestools.site.pdf`, the same) prints to d2l-notes.pdf with headless
  Chromium, then linked from the index. It takes a minute or more, so it is not done by
  default.

The site's marker file (.d2l-site) records a fingerprint of everything the export read (see
fingerprint.py): exporting again from the same inputs into the same folder leaves the site
as it is and says so (--rerun exports anyway), so `make pdf` after `make html` only prints.

--lang zh / --lang en drop the other language's cells (tagged `en` / `zh`); cells tagged
`bilingual` always stay. The default, both, keeps everything and adds a language switch.
"""

import argparse
import sys
import time
from pathlib import Path

from ..notebooks import BUILD, CHAPTERS
from ..results import RESULTS_FILE
from .build import Site, build
from .config import LANGS, ExportError
from .links import repository as repository_from_pyproject

__all__ = ["ExportError", "build_site", "main"]

FROM_PYPROJECT = "pyproject"  # repository=: read [project.urls] Repository


def build_site(src=BUILD / "notebooks", out=BUILD / "html", lang="both", results=RESULTS_FILE,
               chapters=CHAPTERS, repository=FROM_PYPROJECT, pdf=False, rerun=False):
    """Export the site, unless ``out`` holds the export of the same inputs already (``rerun``
    exports anyway). ``repository``: the GitHub URL the Colab / Kaggle links open, None for
    no such links, or FROM_PYPROJECT. ``pdf``: print the PDF too (needs Chromium). Returns
    {'pages': n, 'terms': n, 'search_index_bytes': n, 'pdf': path or None, 'current': whether
    ``out`` was current}; raises ExportError."""
    if repository == FROM_PYPROJECT:
        repository = repository_from_pyproject()
    return build(Site(src, out, lang, results, chapters, repository or None), pdf=pdf,
                 rerun=rerun)


def parser(prog="python -m notestools.site", description=__doc__, pdf_option=True):
    p = argparse.ArgumentParser(prog=prog, description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lang", default="both", choices=LANGS,
                   help="both (default), zh or en: keep only that language's cells")
    p.add_argument("--src", type=Path, default=BUILD / "notebooks",
                   help="executed notebooks (default: build/notebooks)")
    p.add_argument("--out", type=Path, default=BUILD / "html",
                   help="site folder to (re)write (default: build/html)")
    p.add_argument("--results", type=Path, default=RESULTS_FILE,
                   help="the run's report (default: build/results.json)")
    p.add_argument("--chapters", type=Path, default=CHAPTERS,
                   help="source notebooks, to list sections not executed yet (default: chapters)")
    p.add_argument("--repository", default=FROM_PYPROJECT, metavar="URL",
                   help="GitHub repository for the Colab / Kaggle links (default: "
                        "[project.urls] Repository in pyproject.toml; '' for none)")
    p.add_argument("--rerun", action="store_true",
                   help="export even when --out holds the export of the same inputs already")
    if pdf_option:
        p.add_argument("--pdf", action="store_true",
                       help="also print the whole notes to PDF with headless Chromium "
                            "(a minute or more; the same as python -m notestools.site.pdf)")
    return p


def main(argv=None):
    """The command line of `python -m notestools.site`; returns the exit status."""
    return run(argv)


def run(argv, prog="python -m notestools.site", description=__doc__, pdf=None):
    """Parse ``argv`` and export; ``pdf=True`` prints the PDF (and drops the --pdf option)."""
    args = parser(prog, description, pdf_option=pdf is None).parse_args(argv)
    start = time.perf_counter()
    try:
        done = build_site(args.src, args.out, args.lang, args.results, args.chapters,
                          args.repository, pdf or args.pdf, args.rerun)
    except ExportError as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return 2
    if not done["current"]:  # (else build said so, and make_pdf printed its line)
        pdf_made = f", PDF {done['pdf']}" if done["pdf"] else ""
        print(f"site ({args.lang}): {done['pages']} pages, {done['terms']} glossary terms, "
              f"search index {done['search_index_bytes'] / 1024:.0f} KiB{pdf_made} in "
              f"{args.out / 'index.html'} ({time.perf_counter() - start:.1f} s)")
    return 0
