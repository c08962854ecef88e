"""A page's outline: its subsections (h2, h3) and exercises, which wide screens show beside
the page (site.css) with the one in view highlighted as the reader scrolls (site.js).

A Chinese heading and its English twin (the zh/en cells of an exercise's question, in the
notebook's order) make one entry holding both links, so the language switch hides the one
not shown. Headings inside folded hints, solutions and "Going further" parts are left out;
a folded "Going further" part is listed by its heading (its summary)."""

import html
import re

from .search import parse_content

LEVELS = {"h2": 2, "h3": 3}
LANG_CLASSES = {"celltag_zh": "zh", "celltag_en": "en"}


def headings(content):
    """[{level, id, text, lang, exercise}] of a page's content (its HTML, or
    search.parse_content's soup of it), in order."""
    soup = parse_content(content) if isinstance(content, str) else content
    found = []
    for cell in soup.select(".jp-MarkdownCell, details.d2l-further[id]"):
        if cell.find_parent("details"):
            continue
        if cell.name == "details":  # a folded "Going further" part: its summary is its heading
            level = next((int(c[-1]) for c in cell.get("class", [])
                          if c.startswith("d2l-fold-h")), None)
            label = cell.summary.select_one(".d2l-fold-label") if cell.summary else None
            if level in LEVELS.values() and label:
                found.append({"level": level, "id": cell["id"], "lang": None,
                              "text": " ".join(label.get_text(" ").split()), "exercise": False})
            continue
        classes = cell.get("class", [])
        lang = next((LANG_CLASSES[c] for c in classes if c in LANG_CLASSES), None)
        rendered = cell.select_one(".jp-RenderedMarkdown")
        for element in rendered.find_all(list(LEVELS), recursive=False) if rendered else ():
            if not element.get("id"):
                continue
            for mark in element.select("a.anchor-link"):
                mark.decompose()
            found.append({"level": LEVELS[element.name], "id": element["id"],
                          "text": " ".join(element.get_text(" ").split()), "lang": lang,
                          "exercise": "celltag_exercise" in classes})
    return found


def entries(found):
    """Headings grouped into entries: a zh heading and its en twin (adjacent, same level)
    become one entry of two links; every other heading is an entry of its own."""
    grouped, i = [], 0
    while i < len(found):
        here = found[i]
        twin = found[i + 1] if i + 1 < len(found) else None
        if (twin and here["lang"] and twin["lang"] and here["lang"] != twin["lang"]
                and here["level"] == twin["level"]):
            grouped.append([here, twin])
            i += 2
        else:
            grouped.append([here])
            i += 1
    return grouped


def outline_html(content, label):
    """The <nav> of a page's outline (``content``: as for headings), or '' when the page
    has no subsection."""
    grouped = entries(headings(content))
    if not grouped:
        return ""
    items = []
    for group in grouped:
        first = group[0]
        classes = [f"d2l-ol-{first['level']}"] + (["d2l-ol-exercise"] if first["exercise"]
                                                   else [])
        links = []
        for k, heading in enumerate(group):
            lang = f' class="celltag_{heading["lang"]}"' if heading["lang"] else ""
            sep = '<span class="d2l-ol-sep"> · </span>' if k else ""
            links.append(f'{sep}<a{lang} href="#{html.escape(heading["id"])}">'
                         f'{html.escape(heading["text"])}</a>')
        items.append(f'<li class="{" ".join(classes)}">{"".join(links)}</li>')
    return (f'<nav class="d2l-outline" aria-label="{html.escape(label)}">\n'
            f'<p class="d2l-outline-title">{html.escape(label)}</p>\n<ol>\n'
            + "\n".join(items) + "\n</ol>\n</nav>")


def outline_ids(nav_html):
    """The heading ids an outline links to, in order (for tests and checks)."""
    return [html.unescape(m) for m in re.findall(r'href="#([^"]*)"', nav_html)]
