"""The site's sections: which executed notebooks there are, their titles, and what the run
recorded for them (read from build/results.json only, never from the notebooks)."""

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..notebooks import find_notebooks
from ..results import RESULTS_FILE, read_results
from .config import ExportError
from .markdown import TITLE_RE, split_title

NUMBER_RE = re.compile(r"^(\d+(?:\.\d+)*)")

# What the site reads of each notebook's entry in the run's report. site_report keeps only
# these (and the environment), and the fingerprint of an export covers what it keeps: not the
# run's own time, which changes whenever the runner runs, even when it executes nothing.
RUN_FIELDS = ("notebook", "status", "seconds", "recorded")


def site_report(report):
    """What the site reads of a run's report."""
    return {"environment": report.get("environment"),
            "notebooks": [{k: run.get(k) for k in RUN_FIELDS}
                          for run in report.get("notebooks", []) if isinstance(run, dict)]}


def read_report(path=RESULTS_FILE):
    """site_report of the run's report (an empty one, with a warning, when there is none)."""
    if not Path(path).exists():
        print(f"warning: {path} is missing: the index shows no results or times "
              "(run the notebooks first)", file=sys.stderr)
    try:
        return site_report(read_results(path))
    except ValueError as err:
        raise ExportError(str(err)) from None


@dataclass
class Section:
    """One notebook of the site."""

    rel: Path                     # below the notebooks folder, e.g. 02-preliminaries/2.1-x.ipynb
    number: str
    zh: str
    en: str
    status: str = "ok"            # the run's status, or missing (the source was never executed)
    seconds: float = None
    results: list = field(default_factory=list)
    launch: dict = field(default_factory=dict)  # colab / kaggle / download hrefs (links.py)
    book: dict = field(default_factory=dict)    # {'zh': zh.d2l.ai URL, 'en': d2l.ai URL}

    @property
    def href(self):
        return self.rel.with_suffix(".html").as_posix() if self.status != "missing" else None

    @property
    def chapter(self):
        return self.rel.parts[0] if len(self.rel.parts) > 1 else ""

    @property
    def anchor(self):
        """Its id on the all-in-one page."""
        return "section-" + (self.number or self.rel.stem).replace(".", "-")

    def label(self, lang):
        if lang == "zh":
            parts = [self.number, self.zh or self.en]
        elif lang == "en":
            parts = [self.number, self.en or self.zh]
        else:
            parts = [self.number, self.zh, self.en]
        return " ".join(p for p in parts if p)


def number_key(number):
    return tuple(int(part) for part in number.split(".") if part.isdigit())


def notebook_title(nb, rel):
    """Number and Chinese / English title from the notebook's first heading."""
    for cell in nb.cells:  # (a failed run starts with papermill's error banner)
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown" and "papermill-error-cell-tag" not in tags:
            match = TITLE_RE.search(cell.source)
            if match:
                return (match["num"], *split_title(match["rest"]))
            break
    number = NUMBER_RE.match(rel.stem)
    words = NUMBER_RE.sub("", rel.stem).strip("-_ ").replace("-", " ")
    return (number[1] if number else "", "", words.capitalize() or rel.stem)


# The book's pages as the first cell links them: [2.1 数据操作](https://zh.d2l.ai/...html).
BOOK_LINK_RE = re.compile(r"\]\((?P<url>https://(?P<zh>zh\.)?d2l\.ai/[^)\s]+)\)")


def book_links(nb):
    """The links to the book's section (Chinese and English editions) in the notebook's first
    markdown cell: {'zh': url, 'en': url}, either missing when the cell has none."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = {}
            for match in BOOK_LINK_RE.finditer(cell.source):
                found.setdefault("zh" if match["zh"] else "en", match["url"])
            return {lang: found[lang] for lang in ("zh", "en") if lang in found}
    return {}


def format_value(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def result_rank(name):
    """Accuracies first, the wall time last; otherwise the order the notebook recorded."""
    return 0 if "acc" in name else 2 if name == "seconds" else 1


def chapter_notebooks(root):
    """Notebooks inside a chapter folder, relative to ``root`` (a notebook at the top, such
    as an index notebook, is no section: its page would replace the site's index)."""
    return {p.relative_to(root): p for p in find_notebooks(root) if p.parent != Path(root)}


def load_sections(src, chapters, results_path):
    """(sections in reading order, {rel: executed notebook}, the run's environment)."""
    import nbformat

    src = Path(src)
    if not src.is_dir():
        raise ExportError(f"{src} is missing: run the notebooks first (`make run`; the site "
                          "only exports executed notebooks)")
    executed = chapter_notebooks(src)
    if not executed:
        raise ExportError(f"{src} has no executed notebooks: run `make run` first")
    report = read_report(results_path) if results_path else {}
    runs = {r["notebook"]: r for r in report.get("notebooks", [])}
    sources = chapter_notebooks(chapters) if chapters and Path(chapters).is_dir() else {}
    notebooks, sections = {}, []
    for rel, path in executed.items():
        if sources and rel not in sources:
            print(f"warning: skipping {path}: its source notebook {rel} is gone",
                  file=sys.stderr)
            continue
        nb = nbformat.read(path, as_version=4)
        run = runs.get(rel.as_posix(), {})
        results = sorted((run.get("recorded") or {}).items(),
                         key=lambda kv: result_rank(kv[0]))
        sections.append(Section(rel, *notebook_title(nb, rel), status=run.get("status", "ok"),
                                seconds=run.get("seconds"), book=book_links(nb),
                                results=[(k, format_value(v)) for k, v in results]))
        notebooks[rel] = nb
        if rel in sources and sources[rel].stat().st_mtime > path.stat().st_mtime:
            print(f"warning: {path} is older than {sources[rel]}: run `make run` to refresh it",
                  file=sys.stderr)
    for rel in sorted(set(sources) - set(executed)):
        source = nbformat.read(sources[rel], as_version=4)
        sections.append(Section(rel, *notebook_title(source, rel), status="missing",
                                book=book_links(source)))
        print(f"warning: {rel} has no executed copy in {src}: run `make run` first",
              file=sys.stderr)
    sections.sort(key=lambda s: (s.chapter, number_key(s.number), s.rel.name))
    if not notebooks:
        raise ExportError(f"no notebook in {src} belongs to {chapters}: run `make run` first")
    return sections, notebooks, report.get("environment")
