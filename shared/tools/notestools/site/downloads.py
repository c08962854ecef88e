"""The notebooks a page offers for download: the bilingual source notebook, and a Chinese and
an English copy of it for those who study in one language (Colab, Kaggle, VS Code).

A single-language copy is the source notebook less the other language's prose: cells tagged
`en` (for the Chinese copy) or `zh` (for the English one) are dropped unless they are also
tagged `bilingual`; every code cell, every untagged and bilingual cell, the notebook's
metadata and each kept cell stay exactly as they are, in their order. The file is written the
way nbformat writes notebooks (and the git filter stores them)."""

import json
from pathlib import Path, PurePosixPath

OTHER = {"zh": "en", "en": "zh"}
SINGLE_LANGS = tuple(OTHER)


def single_language_name(rel, lang):
    """02-preliminaries/2.1-x.ipynb -> 02-preliminaries/2.1-x.zh.ipynb (same type of path)."""
    return rel.with_name(f"{rel.stem}.{lang}{rel.suffix}")


def keeps(cell, lang):
    """Whether the ``lang`` copy keeps ``cell`` (a notebook's cell as JSON)."""
    tags = cell.get("metadata", {}).get("tags", [])
    return (cell.get("cell_type") == "code" or "bilingual" in tags
            or OTHER[lang] not in tags)


def single_language(notebook, lang):
    """The ``lang`` copy of ``notebook`` (the notebook's JSON as a dict; not modified)."""
    if lang not in OTHER:
        raise ValueError(f"lang must be one of {', '.join(OTHER)}, not {lang!r}")
    copy = dict(notebook)
    copy["cells"] = [cell for cell in notebook["cells"] if keeps(cell, lang)]
    return copy


def dumps(notebook):
    """A notebook as nbformat writes it (one-space indent, sorted keys, UTF-8, newline)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_downloads(source, target):
    """Copy the notebook ``source`` to ``target`` and write its single-language copies next
    to it; returns the paths written."""
    import shutil

    source, target = Path(source), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    notebook = json.loads(source.read_text(encoding="utf-8"))
    written = [target]
    for lang in SINGLE_LANGS:
        path = single_language_name(target, lang)
        path.write_text(dumps(single_language(notebook, lang)), encoding="utf-8")
        written.append(path)
    return written


def download_links(rel):
    """The downloads of section ``rel`` (below the notebooks folder), relative to the site's
    root: {'download': bilingual, 'download_zh': ..., 'download_en': ...}."""
    rel = PurePosixPath(PurePosixPath(rel).as_posix())
    return {"download": rel.as_posix(),
            **{f"download_{lang}": single_language_name(rel, lang).as_posix()
               for lang in SINGLE_LANGS}}
