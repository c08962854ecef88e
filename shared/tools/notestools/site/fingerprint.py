"""Whether the site in the output folder is current: a hash of everything an export reads
(the executed notebooks and the run's report, the source notebooks, this tool's own files,
the language, the repository URL, the versions of the packages that shape the pages) is
written into the folder's marker once an export is done. `make pdf` after `make html` finds
it unchanged and only prints, instead of exporting the same site again."""

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

from .. import launch, notebooks, results
from .config import ALL_PAGE, MARKER, MATHJAX_PACKAGE, SITE
from .sections import chapter_notebooks, site_report

# What the marker says before an export has finished (prepare_out writes it first, so that
# the folder counts as the tool's own even when the export fails half way).
UNFINISHED = "written by notestools.site\n"
# Packages whose versions shape the pages: nbconvert (and its lab templates and CSS),
# mistune's Markdown, pygments' highlighting, jinja2's templates, nbformat's reading, the
# outline and search index (beautifulsoup4), and the MathJax copied in.
PACKAGES = ("nbconvert", "mistune", "pygments", "jinja2", "markupsafe", "nbformat",
            "beautifulsoup4", MATHJAX_PACKAGE)
# The modules of notestools the site imports from outside its folder.
TOOL_MODULES = (notebooks, results, launch)


def version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def tool_files():
    """This tool's own files: its code, templates, labels and static files."""
    files = [p for p in SITE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(files) + [Path(m.__file__) for m in TOOL_MODULES]


def fingerprint(site):
    """The hash of everything ``site`` (a build.Site) exports from."""
    digest = hashlib.sha256()

    def add(label, data=b""):
        digest.update(f"{label}\0{len(data)}\0".encode() + data)

    add("options", json.dumps({"lang": site.lang, "repository": site.repository,
                               "versions": {p: version(p) for p in PACKAGES}}).encode())
    for name, folder in (("executed", site.src), ("source", site.chapters_dir)):
        if folder and Path(folder).is_dir():
            for rel, path in sorted(chapter_notebooks(folder).items()):
                add(f"{name} {rel.as_posix()}", path.read_bytes())
    path = site.results_path
    try:  # (what the site reads of it: not the time of the runner's last run)
        report = json.dumps(site_report(results.read_results(path)), sort_keys=True).encode()
    except (TypeError, ValueError):  # no report, or a broken one: the export says which
        report = path.read_bytes() if path and path.is_file() else b"(none)"
    add("results", report)
    for path in tool_files():
        add(f"tool {os.path.relpath(path, SITE.parent)}", path.read_bytes())
    return digest.hexdigest()


def mark_current(out, hash_, made):
    """Record in the marker that ``out`` holds the export of ``hash_``, which made ``made``."""
    (Path(out) / MARKER).write_text(json.dumps({"fingerprint": hash_, "made": made}) + "\n",
                                    encoding="utf-8")


def current(out, hash_):
    """What the export in ``out`` made, when it was made from ``hash_`` and is all there;
    None when it must be exported (again)."""
    out = Path(out)
    try:
        recorded = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict) or recorded.get("fingerprint") != hash_:
        return None
    if not all((out / name).is_file() for name in ("index.html", "glossary.html", ALL_PAGE)):
        return None
    return recorded.get("made")
