"""Study anywhere: the notebooks' install cell and the "Open in Colab / Kaggle" links.

Both are built from one address, ``[project.urls] Repository`` in the root pyproject.toml.
Until it is set, the install cell asks pip for ``d2lnotes`` by name (what the release
workflow publishes) and no page links to Colab or Kaggle, so nothing points somewhere wrong.

    python -m notestools.launch --check   # exit 1 if a notebook or README is out of date
    python -m notestools.launch --write   # rewrite the install cells and README's links
"""

import argparse
import json
import re
import sys
from pathlib import Path

from .notebooks import CHAPTERS, ROOT, find_notebooks

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

PYPROJECT = ROOT / "pyproject.toml"
README = ROOT / "README.md"
BRANCH = "main"
SETUP_TAG = "setup"
GITHUB = re.compile(r"^https://github\.com/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?$")
README_START = "<!-- launch-links: written by `python -m notestools.launch --write` -->"
README_END = "<!-- /launch-links -->"

SETUP_CELL = '''\
# Setup: Colab and Kaggle install the helper package d2lnotes here, once.
# 准备：在 Colab 和 Kaggle 上，这里会安装辅助包 d2lnotes（只装一次）。
import importlib.util
import os
import sys

if importlib.util.find_spec("d2lnotes") is None:
    if "google.colab" in sys.modules or "KAGGLE_KERNEL_RUN_TYPE" in os.environ:
        %pip install -q {requirement}
    else:
        from IPython.core.error import UsageError  # shown as one line, no traceback

        raise UsageError("d2lnotes is not installed. Run: pip install {requirement}")'''


def read_pyproject(path=PYPROJECT):
    """The root pyproject.toml as a dict (what the launch links and the constraints read)."""
    with open(path, "rb") as f:
        return tomllib.load(f)


def repository_url(pyproject=PYPROJECT):
    """The repository's address from pyproject.toml, or None while it is not set."""
    urls = read_pyproject(pyproject).get("project", {}).get("urls", {})
    return urls.get("Repository") or None


def install_requirement(url):
    """What pip installs in Colab or Kaggle: the release by name, or the repository itself."""
    return f'"d2lnotes @ git+{url}"' if url else "d2lnotes"


def setup_cell_source(url):
    return SETUP_CELL.format(requirement=install_requirement(url))


def launch_links(notebook, url, branch=BRANCH):
    """Colab and Kaggle links for a notebook (a path relative to the repository), when the
    repository is a GitHub one; an empty dict otherwise."""
    match = GITHUB.match(url or "")
    if not match:
        return {}
    path = Path(notebook).as_posix()
    github = f"https://github.com/{match['owner']}/{match['repo']}/blob/{branch}/{path}"
    return {
        "download": f"https://raw.githubusercontent.com/{match['owner']}/{match['repo']}"
                    f"/{branch}/{path}",
        "colab": f"https://colab.research.google.com/github/{match['owner']}/{match['repo']}"
                 f"/blob/{branch}/{path}",
        "kaggle": f"https://kaggle.com/kernels/welcome?src={github}",
    }


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def _with_setup_cell(nb, source):
    """The notebook with its install cell (tagged `setup`) right after the parameters cell;
    a notebook without parameters (the index) imports nothing and is left as it is."""
    cells = nb["cells"]
    lines = source.splitlines(keepends=True)
    for cell in cells:
        if SETUP_TAG in _tags(cell):
            cell["source"] = lines
            return nb
    at = next((i + 1 for i, c in enumerate(cells) if "parameters" in _tags(c)), None)
    if at is None:
        return nb
    cells.insert(at, {"cell_type": "code", "execution_count": None, "id": SETUP_TAG,
                      "metadata": {"tags": [SETUP_TAG]}, "outputs": [], "source": lines})
    return nb


def _notebook_title(nb):
    return "".join(nb["cells"][0]["source"]).splitlines()[0].lstrip("# ").strip()


def readme_block(url, notebooks, root=ROOT):
    """README's table of notebooks, with launch links where the repository is known."""
    links = bool(launch_links("x.ipynb", url))
    head = "| section | notebook |" + (" Colab | Kaggle | download |" if links else "")
    rows = [head, "|" + " --- |" * (5 if links else 2)]
    for path in notebooks:
        rel = path.relative_to(root).as_posix()
        title = _notebook_title(json.loads(path.read_text(encoding="utf-8")))
        row = f"| {title} | [{path.name}]({rel}) |"
        if links:
            found = launch_links(rel, url)
            row += (f" [Open in Colab]({found['colab']}) |"
                    f" [Open in Kaggle]({found['kaggle']}) |"
                    f" [Download notebook]({found['download']}) |")
        rows.append(row)
    return "\n".join([README_START, *rows, README_END])


def _write_notebook(path, nb):
    """Write as nbformat does (one-space indent, sorted keys), so the git filter agrees."""
    text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def out_of_date(write=False, chapters=CHAPTERS, readme=README, pyproject=PYPROJECT):
    """Files whose install cell or links differ from what pyproject.toml says; with
    ``write``, rewrite them."""
    url = repository_url(pyproject)
    stale = []
    notebooks = find_notebooks(chapters)
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        before = json.dumps(nb, sort_keys=True)
        nb = _with_setup_cell(nb, setup_cell_source(url))
        if json.dumps(nb, sort_keys=True) != before:
            stale.append(path)
            if write:
                _write_notebook(path, nb)
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(README_START) + ".*?" + re.escape(README_END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{readme} has no launch-links block ({README_START} ... {README_END})")
    listed = [p for p in notebooks if p.parent != chapters]  # not the index itself
    wanted = pattern.sub(lambda _: readme_block(url, listed, readme.parent), text)
    if wanted != text:
        stale.append(readme)
        if write:
            readme.write_text(wanted, encoding="utf-8")
    return stale


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true", help="exit 1 if anything is out of date")
    group.add_argument("--write", action="store_true", help="rewrite what is out of date")
    args = parser.parse_args(argv)
    stale = out_of_date(write=args.write)
    for path in stale:
        verb = "rewrote" if args.write else "out of date:"
        print(f"{verb} {Path(path).relative_to(ROOT)}")
    if stale and args.check:
        print("run: python -m notestools.launch --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
