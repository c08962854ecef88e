"""Study anywhere: the notebooks' install cell and the "Open in Colab / Kaggle" links.

Both follow the root pyproject.toml, so that no cell names a command that cannot work and no
cell ever asks a public index for an unpinned name (whoever registered it would run code on
every student's machine). The install cell, in three states:

1. ``[project.urls] Repository`` unset (today): no public source exists, so the cell installs
   nothing; without the helper it says, in one line, how to install it from a clone
   (``pip install -e <path to the clone>``) or from its wheel. No Colab or Kaggle links.
2. Repository set: Colab and Kaggle install ``"d2lnotes @ git+<url>@v<version>"``, the tag of
   this version (d2lnotes.__version__), and elsewhere the cell names that command.
3. ``[tool.d2lnotes] released = true`` (flipped by the maintainer once the release workflow
   has published this version to PyPI): the exact ``d2lnotes==<version>``.

The cell is folded in JupyterLab (``"jupyter": {"source_hidden": true}``), its first line a
comment saying what it is.

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
VERSION_FILE = ROOT / "shared" / "d2lnotes" / "__init__.py"
BRANCH = "main"
SETUP_TAG = "setup"
GITHUB = re.compile(r"^https://github\.com/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?$")
README_START = "<!-- launch-links: written by `python -m notestools.launch --write` -->"
README_END = "<!-- /launch-links -->"

# The first line is what JupyterLab shows of the folded cell.
SETUP_TITLE = ("# 安装辅助包 d2lnotes（仅在 Colab、Kaggle 上需要）"
               "· Install the helper package d2lnotes (needed in Colab and Kaggle only)")
SETUP_METADATA = {"jupyter": {"source_hidden": True}, "tags": [SETUP_TAG]}

SETUP_CELL = '''\
{title}
import importlib.util
import os
import sys

if importlib.util.find_spec("d2lnotes") is None:
    if "google.colab" in sys.modules or "KAGGLE_KERNEL_RUN_TYPE" in os.environ:
        %pip install -q {requirement}
    else:
        from IPython.core.error import UsageError  # shown as one line, no traceback

        raise UsageError('d2lnotes is not installed. Run: pip install {requirement}')'''

# No public source yet: the one way is a clone of the repository (or the wheel built from it).
CLONE_CELL = '''\
{title}
import importlib.util

if importlib.util.find_spec("d2lnotes") is None:
    from IPython.core.error import UsageError  # shown as one line, no traceback

    raise UsageError(
{message})'''
CLONE_MESSAGE = ("d2lnotes is not installed. In a clone of the d2l-notes repository run: ",
                 "pip install -e <path to the clone> (or install the wheel built there: ",
                 "pip install <path to d2lnotes-{version}-py3-none-any.whl>)")


def clone_message(version):
    """What the cell says without the helper while no public source exists (one line)."""
    return "".join(CLONE_MESSAGE).format(version=version)


def read_pyproject(path=PYPROJECT):
    """The root pyproject.toml as a dict (what the launch links and the constraints read)."""
    with open(path, "rb") as f:
        return tomllib.load(f)


def repository_url(pyproject=PYPROJECT):
    """The repository's address from pyproject.toml, or None while it is not set."""
    urls = read_pyproject(pyproject).get("project", {}).get("urls", {})
    return urls.get("Repository") or None


def package_version(path=VERSION_FILE):
    """d2lnotes.__version__, read from the source (the helper need not be importable)."""
    found = re.search(r'^__version__ = "([^"]+)"', Path(path).read_text(encoding="utf-8"), re.M)
    if not found:
        raise SystemExit(f"{path} sets no __version__")
    return found[1]


def released(pyproject=PYPROJECT):
    """Whether this version is on PyPI: `[tool.d2lnotes] released`, which the maintainer sets
    to true once the release workflow has published it (and back to false with the next
    version bump)."""
    flag = read_pyproject(pyproject).get("tool", {}).get("d2lnotes", {}).get("released", False)
    if not isinstance(flag, bool):
        raise SystemExit(f"{pyproject}: [tool.d2lnotes] released must be true or false")
    return flag


def install_requirement(url, version, is_released=False):
    """What pip installs in Colab or Kaggle: the exact release from PyPI, the repository at
    this version's tag, or None while neither exists. Never a bare name."""
    if is_released:
        return f"d2lnotes=={version}"
    if url:
        return f'"d2lnotes @ git+{url}@v{version}"'
    return None


def setup_cell_source(url, version, is_released=False):
    requirement = install_requirement(url, version, is_released)
    if requirement is None:
        message = "\n".join(" " * 8 + json.dumps(part.format(version=version), ensure_ascii=False)
                            for part in CLONE_MESSAGE)
        return CLONE_CELL.format(title=SETUP_TITLE, message=message)
    return SETUP_CELL.format(title=SETUP_TITLE, requirement=requirement)


def project_setup_cell(pyproject=PYPROJECT, version_file=VERSION_FILE):
    """The install cell as pyproject.toml and d2lnotes.__version__ say."""
    return setup_cell_source(repository_url(pyproject), package_version(version_file),
                             released(pyproject))


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
            cell["metadata"] = {**cell["metadata"], **json.loads(json.dumps(SETUP_METADATA))}
            return nb
    at = next((i + 1 for i, c in enumerate(cells) if "parameters" in _tags(c)), None)
    if at is None:
        return nb
    cells.insert(at, {"cell_type": "code", "execution_count": None, "id": SETUP_TAG,
                      "metadata": json.loads(json.dumps(SETUP_METADATA)), "outputs": [],
                      "source": lines})
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


def out_of_date(write=False, chapters=CHAPTERS, readme=README, pyproject=PYPROJECT,
                version_file=VERSION_FILE):
    """Files whose install cell or links differ from what pyproject.toml says; with
    ``write``, rewrite them."""
    url = repository_url(pyproject)
    cell = project_setup_cell(pyproject, version_file)
    stale = []
    notebooks = find_notebooks(chapters)
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        before = json.dumps(nb, sort_keys=True)
        nb = _with_setup_cell(nb, cell)
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
