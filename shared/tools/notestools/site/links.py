"""Links of the site: a notebook's own links to other notebooks, and its launch links."""

import posixpath
import re
import sys
from pathlib import PurePosixPath

from ..notebooks import CHAPTERS, ROOT

CHAPTERS_IN_REPO = PurePosixPath(CHAPTERS.relative_to(ROOT).as_posix())

# href="2.2-data-preprocessing.ipynb" or "../03-x/3.6-y.ipynb#frag": a notebook's link to
# another notebook, relative (no scheme, not absolute).
NOTEBOOK_LINK_RE = re.compile(r'href="(?P<path>(?![a-z][a-z0-9+.-]*:|/)[^"#?]+\.ipynb)'
                              r'(?P<fragment>#[^"]*)?"', re.I)


def rewrite_notebook_links(html, page_rel, target_for):
    """Point links between notebooks at what the site has instead: ``target_for(rel,
    fragment)`` gets the linked notebook's path below the notebooks folder and the link's
    '#fragment' (or ''), and returns the new href, or None to keep the link (it then
    downloads the notebook copied next to the page)."""
    folder = posixpath.dirname(page_rel.as_posix())

    def repl(match):
        rel = posixpath.normpath(posixpath.join(folder, match["path"]))
        target = target_for(rel, match["fragment"] or "")
        if target is None:
            return match.group(0)
        return f'href="{target}"'

    return NOTEBOOK_LINK_RE.sub(repl, html)


RELATIVE_LINK_RE = re.compile(r'(\s(?:href|src)=")(?![a-z][a-z0-9+.-]*:|/|#|")', re.I)


def relative_to_root(html, page_rel):
    """``html`` of the page of ``page_rel`` with its relative links made relative to the
    site's root instead of the page's folder."""
    folder = posixpath.dirname(page_rel.as_posix())
    return RELATIVE_LINK_RE.sub(rf"\g<1>{folder}/", html) if folder else html


def repository(pyproject=None):
    """``[project.urls] Repository`` of the root pyproject.toml when it is a GitHub
    repository (what Colab and Kaggle open); None while it is unset."""
    from .. import launch

    try:
        url = launch.repository_url(*([pyproject] if pyproject else []))
    except (OSError, ValueError) as err:  # a broken pyproject.toml must not stop the site
        print(f"warning: no Colab / Kaggle links: cannot read the repository URL: {err}",
              file=sys.stderr)
        return None
    if url and not launch.launch_links("x.ipynb", url):
        print(f"warning: no Colab / Kaggle links: {url} is not a GitHub repository",
              file=sys.stderr)
        return None
    return url


def launch_links(rel, url):
    """Colab and Kaggle links of a section (none unless the repository is on GitHub), and its
    downloads: the source notebook and its Chinese and English copies, next to its page
    (relative to the site root; see downloads.py)."""
    from .. import launch
    from .downloads import download_links

    found = launch.launch_links((CHAPTERS_IN_REPO / rel).as_posix(), url) if url else {}
    return {**download_links(rel),
            **{k: v for k, v in found.items() if k in ("colab", "kaggle")}}
