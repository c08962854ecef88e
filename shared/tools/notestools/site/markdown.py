"""What the site does to the notebooks' markdown: CJK emphasis that CommonMark gets wrong,
bilingual titles split in two, and the `| English | 中文 |` terms tables read as data."""

import re

TITLE_RE = re.compile(r"^#\s+(?P<num>\d+(?:\.\d+)*)\.?\s+(?P<rest>.+?)\s*$", re.M)
CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
TERMS_HEADER_RE = re.compile(r"^\s*\|\s*English\s*\|\s*中文\s*\|\s*$")
HEADING_RE = re.compile(r"^#{1,6}\s+(?P<text>.+?)\s*#*\s*$")

# Markdown that CommonMark must leave alone: code blocks and spans, display and inline math.
PROTECTED_RE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]+`|\$\$.*?\$\$|(?<!\\)\$[^$\n]+\$", re.S)
STRONG_RE = re.compile(r"(?<![*\\])\*\*(?=[^\s*])(?P<body>[^*\n]*?[^\s*\\])\*\*(?!\*)")
EM_RE = re.compile(r"(?<![*\\A-Za-z0-9_])\*(?=[^\s*])(?P<body>[^*\n]*?[^\s*\\])\*(?!\*)")


def fix_cjk_emphasis(source):
    """**粗体（bold）**后接汉字: CommonMark's flanking rules do not let `**` that follows full-width
    punctuation close before a CJK character, so such emphasis would show its asterisks.
    Write every emphasis that touches Chinese text as <strong>/<em> (what JupyterLab shows);
    code and math stay untouched, and so does emphasis in English text."""
    if not CJK_RE.search(source) or "*" not in source:
        return source
    saved = []

    def protect(match):
        saved.append(match.group(0))
        return f"\x00{len(saved) - 1}\x00"

    text = PROTECTED_RE.sub(protect, source)

    def tag(name):
        def repl(match):
            start, end = match.span()
            around = text[max(start - 1, 0):start] + match["body"] + text[end:end + 1]
            if not CJK_RE.search(around):
                return match.group(0)
            return f"<{name}>{match['body']}</{name}>"
        return repl

    text = STRONG_RE.sub(tag("strong"), text)
    text = EM_RE.sub(tag("em"), text)
    return re.sub("\x00(\\d+)\x00", lambda m: saved[int(m.group(1))], text)


def split_title(text):
    """'线性代数 Linear algebra' -> ('线性代数', 'Linear algebra'); the Chinese part ends at
    its last CJK character, so 'softmax回归 Softmax regression' splits correctly too."""
    text = text.strip()
    ends = [match.end() for match in CJK_RE.finditer(text)]
    if not ends:
        return "", text
    zh, en = text[:ends[-1]], text[ends[-1]:]
    return zh.strip(" /|·"), en.strip(" /|·—-")


def split_bilingual(text, lang):
    """'解答 / Solution' -> '解答' (zh), 'Solution' (en), unchanged (both)."""
    parts = [p.strip() for p in text.split(" / ")]
    if lang == "both" or len(parts) != 2:
        return text
    return parts[0] if lang == "zh" else parts[1]


def is_terms_table(source):
    return any(TERMS_HEADER_RE.match(line) for line in source.splitlines())


def parse_terms(cells):
    """(English, 中文) rows of the `| English | 中文 |` tables in markdown cells, as markdown."""
    rows = []
    for cell in cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for k, line in enumerate(lines):
            if not TERMS_HEADER_RE.match(line):
                continue
            for row in lines[k + 2:]:
                if not row.strip().startswith("|"):
                    break
                cols = [c.strip().replace("\\|", "|")
                        for c in re.split(r"(?<!\\)\|", row.strip().strip("|"))]
                if len(cols) >= 2 and cols[0]:
                    rows.append((cols[0], cols[1]))
    return rows


def term_key(text):
    """How terms merge in the glossary: case, markup and spacing do not count."""
    plain = re.sub(r"[`*_$\\]", "", text).strip().lower()
    return re.sub(r"\s+", " ", plain)


def inline_markdown(text):
    """One line of markdown as HTML without its <p>."""
    from markupsafe import Markup
    from nbconvert.filters import markdown2html

    html = markdown2html(fix_cjk_emphasis(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)
