"""Where the site's templates are, its interface text (labels.json), and its error type."""

import json
from pathlib import Path

SITE = Path(__file__).resolve().parent
MARKER = ".d2l-site"  # written into the output folder: only such a folder is ever wiped
LANGS = ("both", "zh", "en")
PDF_NAME = "d2l-notes.pdf"
ALL_PAGE = "all.html"  # every section on one page: what the PDF is printed from
MATHJAX_PACKAGE = "sphinx-mathjax-offline"  # the PyPI package the site's MathJax 3 comes from

_DATA = json.loads((SITE / "labels.json").read_text(encoding="utf-8"))
CHAPTER_TITLES = {folder: tuple(titles) for folder, titles in _DATA["chapters"].items()}
HTML_LANG = _DATA["html_lang"]


class ExportError(Exception):
    """A problem the user can fix; main() prints it and exits with status 2."""


def labels(lang):
    """The interface text for a site language (both, zh or en)."""
    i = LANGS.index(lang)
    return {key: values[i] for key, values in _DATA["labels"].items()}
