"""The search index: the text under every heading of every page (prose, code, glossary terms).

It ships as static/search-index.js, a script that sets ``window.d2lSearchIndex`` (a page
opened from file:// may load scripts but not fetch files). static/search.js loads it on the
first search and matches the query itself: Latin words as substrings, Chinese as character
bigrams, so Chinese needs no word breaks. To keep it small, outputs are left out (numbers
and tensors that nobody searches for, and most of the text) and code is kept as its distinct
words (`torch.cat`, `X.sum(axis=0)`, comments), once per heading; the folded drawing code of
figures is left out."""

import json
import re

INDEX_FILE = "static/search-index.js"
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Figures: not text, and most of a page's bytes (parsing them is what costs).
FIGURE_RE = re.compile(r'data:[a-z]+/[^"\')\s]+|<svg\b.*?</svg>', re.S)


LETTER_RE = re.compile(r"[^\W\d_]")


SPACE_BEFORE_PUNCTUATION_RE = re.compile(r" (?=[,.;:!?，。；：！？、）)\]])")


def squeeze(text):
    """One line; no space before punctuation (get_text(" ") puts one after a link)."""
    return SPACE_BEFORE_PUNCTUATION_RE.sub("", " ".join(text.split()))


def code_words(code):
    """The distinct whitespace-separated words of code that hold a letter, in order."""
    return " ".join(w for w in dict.fromkeys(code.split()) if LETTER_RE.search(w))


def parse_content(content_html):
    """A notebook page's content parsed (without its figures), for page_entries and the
    outline (outline.headings): parsing is most of what they cost, so a page is parsed once."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(FIGURE_RE.sub("", content_html), "html.parser")


def page_entries(content):
    """[(anchor, heading, text)] of a notebook page's content (its HTML, or parse_content's
    soup of it): one entry per heading, holding the markdown and code that follow it."""
    soup = parse_content(content) if isinstance(content, str) else content
    entries = [["", "", [], []]]  # anchor, heading, prose, code
    part = None  # the folded "Going further" part being read: its summary is its heading
    for cell in soup.select(".jp-Cell"):
        here = cell.find_parent("details", class_="d2l-further")
        if here is not None and here is not part and here.get("id") and here.summary:
            entries.append([here["id"], squeeze(here.summary.select_one(
                ".d2l-fold-label").get_text(" ")), [], []])
        part = here
        if "jp-CodeCell" in cell.get("class", []):
            # (A figure's folded drawing code is not what anyone searches the notes for.)
            code = None if cell.select_one("details.d2l-source") else cell.select_one(
                ".jp-InputArea pre")
            if code:
                entries[-1][3].append(code.get_text())
            continue
        rendered = cell.select_one(".jp-RenderedMarkdown")
        for element in rendered.children if rendered else ():
            if element.name in HEADINGS and element.get("id"):
                for mark in element.select("a.anchor-link"):
                    mark.decompose()
                entries.append([element["id"], squeeze(element.get_text(" ")), [], []])
            else:
                entries[-1][2].append(element.get_text(" ") if element.name else str(element))
    found = []
    for anchor, heading, prose, code in entries:
        text = squeeze(" ".join(prose) + " " + code_words("\n".join(code)))
        if anchor or text:
            found.append((anchor, heading, text))
    return found


class SearchIndex:
    def __init__(self):
        self.pages, self.entries = [], []

    def add_page(self, href, title):
        self.pages.append([href, title])
        return len(self.pages) - 1

    def add_notebook(self, href, title, content):
        """``content``: the page's content, as HTML or parse_content's soup."""
        page = self.add_page(href, title)
        for anchor, heading, text in page_entries(content):
            self.entries.append([page, anchor, heading or title, text])

    def add_glossary(self, href, title, terms):
        """``terms``: (anchor, English, 中文, where introduced) of each glossary row."""
        page = self.add_page(href, title)
        for anchor, en, zh, where in terms:
            self.entries.append([page, anchor, squeeze(f"{en} · {zh}"), squeeze(where)])

    def write(self, path):
        """Write the script; returns its size in bytes."""
        data = json.dumps({"pages": self.pages, "entries": self.entries},
                          ensure_ascii=False, separators=(",", ":"))
        text = f"/* d2l-notes search index (written by notestools.site) */\n" \
               f"window.d2lSearchIndex = {data};\n"
        path.write_text(text, encoding="utf-8")
        return len(text.encode("utf-8"))
