"""Export the executed notebooks as a small static website that works offline.

    python shared/tools/export_html.py [--lang both|zh|en] [--src DIR] [--out DIR]

Reads the executed copies in build/notebooks/ (written by `make run`; this script never
executes a notebook) and build/metrics.json, and writes build/html/:

- index.html: both chapters, every section with its Chinese and English title, its recorded
  key results and its execution time;
- <chapter folder>/<notebook name>.html: one page per notebook (JupyterLab rendering by
  nbconvert, figures inline, exercise solutions folded in <details>), with previous / next /
  contents links;
- glossary.html: every notebook's `| English | 中文 |` terms table merged, each term linked to
  the section that introduces it;
- static/: the site's CSS and script, and a local copy of MathJax 2.7 (from the
  jupyter-server-mathjax package), so that formulas are typeset from file:// without network.

--lang zh / --lang en drop the other language's cells (tagged `en` / `zh`); cells tagged
`bilingual` always stay. The default, both, keeps everything and adds a language switch.
"""

import argparse
import json
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .notebooks import BUILD, CHAPTERS, find_notebooks, recorded_metrics

SITE = Path(__file__).resolve().parent / "site"
MARKER = ".d2l-site"  # written into the output folder: only such a folder is ever wiped
LANGS = ("both", "zh", "en")

# Chapter folders of the book (others get a title made from their folder name).
CHAPTER_TITLES = {
    "02-preliminaries": ("预备知识", "Preliminaries"),
    "03-linear-neural-networks": ("线性神经网络", "Linear Neural Networks"),
}

# Interface text, per site language.
LABELS = {
    "brand": ("动手学深度学习 · 笔记", "动手学深度学习 · 笔记", "D2L notes"),
    "site_nav": ("站点 Site", "站点", "Site"),
    "contents": ("目录 Contents", "目录", "Contents"),
    "glossary": ("术语表 Glossary", "术语表", "Glossary"),
    "glossary_long": ("术语表：所有小节的术语 · Glossary of every section's terms",
                      "术语表：所有小节的术语", "Glossary of every section's terms"),
    "pager": ("上一节 / 下一节 Previous / next", "上一节 / 下一节", "Previous / next"),
    "prev": ("上一节 Previous", "上一节", "Previous"),
    "next": ("下一节 Next", "下一节", "Next"),
    "section": ("小节 Section", "小节", "Section"),
    "results": ("关键结果 Key results", "关键结果", "Key results"),
    "time": ("用时 Time", "用时", "Time"),
    "failed": ("执行失败 failed", "执行失败", "failed"),
    "missing": ("未执行 not run", "未执行", "not run"),
    "executed_on": ("执行环境 Executed on", "执行环境", "Executed on"),
    "total": ("各节用时合计 sum of times", "各节用时合计", "sum of times"),
    "lead": ("《动手学深度学习》（PyTorch 版）2.1–3.7 节的可执行双语笔记：每一页都是执行过的 "
             "notebook，含图、结果和练习解答。\nExecutable bilingual notes on sections 2.1–3.7 of "
             "Dive into Deep Learning (PyTorch): every page is an executed notebook with its "
             "figures, results and worked exercise solutions.",
             "《动手学深度学习》（PyTorch 版）2.1–3.7 节的可执行双语笔记：每一页都是执行过的 "
             "notebook，含图、结果和练习解答。",
             "Executable notes on sections 2.1–3.7 of Dive into Deep Learning (PyTorch): every "
             "page is an executed notebook with its figures, results and worked exercise "
             "solutions."),
    "glossary_lead": ("各小节术语表的合并，按英文排序；链接指向首次引入该术语的小节。\n"
                      "Every section's terms, merged and sorted by the English term; the link "
                      "goes to the section that introduces it.",
                      "各小节术语表的合并，按英文排序；链接指向首次引入该术语的小节。",
                      "Every section's terms, merged and sorted by the English term; the link "
                      "goes to the section that introduces it."),
    "introduced": ("引入于 Introduced in", "引入于", "Introduced in"),
    "also": ("另见 also", "另见", "also"),
    "solution": ("解答 / Solution", "解答", "Solution"),
    "try_first": ("先自己试一试，再点开 · try it first, then open",
                  "先自己试一试，再点开", "try it first, then open"),
    "footer": ("动手学深度学习 学习笔记 · d2l-notes · 离线可用 works offline",
               "动手学深度学习 学习笔记 · d2l-notes · 离线可用",
               "d2l-notes: Dive into Deep Learning notes · works offline"),
}
HTML_LANG = {"both": "zh-CN", "zh": "zh-CN", "en": "en"}

TITLE_RE = re.compile(r"^#\s+(?P<num>\d+(?:\.\d+)*)\.?\s+(?P<rest>.+?)\s*$", re.M)
CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
NUMBER_RE = re.compile(r"^(\d+(?:\.\d+)*)")
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


class ExportError(Exception):
    """A problem the user can fix; main() prints it and exits with status 2."""


def labels(lang):
    i = LANGS.index(lang)
    return {key: values[i] for key, values in LABELS.items()}


def number_key(number):
    return tuple(int(part) for part in number.split(".") if part.isdigit())


def split_title(text):
    """'线性代数 Linear algebra' -> ('线性代数', 'Linear algebra'); the Chinese part ends at
    its last CJK character, so 'softmax回归 Softmax regression' splits correctly too."""
    text = text.strip()
    ends = [match.end() for match in CJK_RE.finditer(text)]
    if not ends:
        return "", text
    zh, en = text[:ends[-1]], text[ends[-1]:]
    return zh.strip(" /|·"), en.strip(" /|·—-")


@dataclass
class Section:
    """One notebook of the site."""

    rel: Path                     # below the notebooks folder, e.g. 02-preliminaries/2.1-x.ipynb
    number: str
    zh: str
    en: str
    status: str = "ok"            # ok | failed | missing (source notebook never executed)
    seconds: float = None
    results: list = field(default_factory=list)

    @property
    def href(self):
        return self.rel.with_suffix(".html").as_posix() if self.status != "missing" else None

    @property
    def chapter(self):
        return self.rel.parts[0] if len(self.rel.parts) > 1 else ""

    def label(self, lang):
        if lang == "zh":
            parts = [self.number, self.zh or self.en]
        elif lang == "en":
            parts = [self.number, self.en or self.zh]
        else:
            parts = [self.number, self.zh, self.en]
        return " ".join(p for p in parts if p)


def notebook_title(nb, rel):
    """Number and Chinese / English title from the notebook's first heading."""
    for cell in nb.cells:  # (a failed run starts with papermill's error banner)
        if cell.cell_type == "markdown" and not has_tag(cell, "papermill-error-cell-tag"):
            match = TITLE_RE.search(cell.source)
            if match:
                return (match["num"], *split_title(match["rest"]))
            break
    number = NUMBER_RE.match(rel.stem)
    words = NUMBER_RE.sub("", rel.stem).strip("-_ ").replace("-", " ")
    return (number[1] if number else "", "", words.capitalize() or rel.stem)


def format_value(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    return f"{value:.4g}"


def metric_rank(name):
    """Accuracies first, the wall time last; otherwise the order the notebook recorded."""
    return 0 if "acc" in name else 2 if name == "seconds" else 1


def has_tag(cell, tag):
    return tag in cell.get("metadata", {}).get("tags", [])


def raw_html(html):
    import nbformat

    return nbformat.v4.new_raw_cell(html, metadata={"d2lsite": True})


def split_bilingual(text, lang):
    """'解答 / Solution' -> '解答' (zh), 'Solution' (en), unchanged (both)."""
    parts = [p.strip() for p in text.split(" / ")]
    if lang == "both" or len(parts) != 2:
        return text
    return parts[0] if lang == "zh" else parts[1]


def prepare_cells(nb, lang, L):
    """Drop the other language's cells and papermill's injected parameters; fold every run of
    cells tagged `solution` into a <details>; anchor the terms table. Returns the anchors of
    the terms tables, in order."""
    import html

    drop = {"zh": {"en"}, "en": {"zh"}, "both": set()}[lang] | {"injected-parameters"}
    cells = [c for c in nb.cells if not drop & set(c.get("metadata", {}).get("tags", []))]
    for cell in cells:
        if cell.cell_type == "markdown":
            cell.source = fix_cjk_emphasis(cell.source)
    out, anchors, i = [], [], 0
    while i < len(cells):
        cell = cells[i]
        if not has_tag(cell, "solution"):
            if cell.cell_type == "markdown" and any(
                    TERMS_HEADER_RE.match(line) for line in cell.source.splitlines()):
                anchor = "terms" if not anchors else f"terms-{len(anchors) + 1}"
                anchors.append(anchor)
                out.append(raw_html(f'<span class="d2l-anchor" id="{anchor}"></span>'))
            out.append(cell)
            i += 1
            continue
        j = i
        while j < len(cells) and has_tag(cells[j], "solution"):
            j += 1
        run, label = cells[i:j], L["solution"]
        first = run[0].source.strip()
        heading = HEADING_RE.match(first) if run[0].cell_type == "markdown" else None
        if heading and "\n" not in first:
            label = split_bilingual(heading["text"], lang)
            run = run[1:]
        out.append(raw_html(
            '<details class="d2l-solution"><summary><span class="d2l-solution-label">'
            f'{html.escape(label)}</span> <span class="d2l-solution-hint">'
            f'{html.escape(L["try_first"])}</span></summary>\n<div class="d2l-solution-body">'))
        out.extend(run)
        out.append(raw_html("</div></details>"))
        i = j
    nb.cells = out
    return anchors


def parse_terms(nb):
    """(English, 中文) rows of the notebook's `| English | 中文 |` tables, as markdown."""
    rows = []
    for cell in nb.cells:
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
    plain = re.sub(r"[`*_$\\]", "", text).strip().lower()
    return re.sub(r"\s+", " ", plain)


def inline_markdown(text):
    from markupsafe import Markup
    from nbconvert.filters import markdown2html

    html = markdown2html(fix_cjk_emphasis(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


class Site:
    def __init__(self, src, out, lang, metrics_path=None, chapters=None):
        import jinja2

        if lang not in LANGS:
            raise ExportError(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
        self.src, self.out, self.lang = Path(src), Path(out), lang
        self.L = labels(lang)
        self.metrics_path = Path(metrics_path) if metrics_path else None
        self.chapters_dir = Path(chapters) if chapters else None
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(SITE / "pages")),
                                      autoescape=True, trim_blocks=False)

    # -- input ---------------------------------------------------------------------------
    def load(self):
        import nbformat

        if not self.src.is_dir():
            raise ExportError(f"{self.src} is missing: run `make run` first (it executes the "
                              "notebooks; export_html.py only exports them)")
        paths = find_notebooks(self.src)
        if not paths:
            raise ExportError(f"{self.src} has no executed notebooks: run `make run` first")
        report = {}
        if self.metrics_path and self.metrics_path.exists():
            report = json.loads(self.metrics_path.read_text(encoding="utf-8"))
        self.environment = report.get("environment")
        runs = {r["notebook"]: r for r in report.get("notebooks", [])}

        sources = None
        if self.chapters_dir and self.chapters_dir.is_dir():
            sources = {p.relative_to(self.chapters_dir)
                       for p in find_notebooks(self.chapters_dir)} or None
        self.notebooks, sections = {}, []
        for path in paths:
            rel = path.relative_to(self.src)
            if sources is not None and rel not in sources:
                print(f"warning: skipping {path}: its source notebook {rel} is gone",
                      file=sys.stderr)
                continue
            nb = nbformat.read(path, as_version=4)
            number, zh, en = notebook_title(nb, rel)
            run = runs.get(rel.as_posix(), {})
            metrics = run.get("metrics") or recorded_metrics(nb)
            section = Section(rel, number, zh, en, status=run.get("status", "ok"),
                              seconds=run.get("seconds"),
                              results=[(k, format_value(v)) for k, v in sorted(
                                  metrics.items(), key=lambda kv: metric_rank(kv[0]))])
            self.notebooks[rel] = nb
            sections.append(section)
            source = self.chapters_dir / rel if self.chapters_dir else None
            if source and source.exists() and source.stat().st_mtime > path.stat().st_mtime:
                print(f"warning: {path} is older than {source}: run `make run` to refresh it",
                      file=sys.stderr)
        if sources:
            built = {s.rel for s in sections}
            for rel in sorted(sources - built):
                source = self.chapters_dir / rel
                number, zh, en = notebook_title(nbformat.read(source, as_version=4), rel)
                sections.append(Section(rel, number, zh, en, status="missing"))
                print(f"warning: {rel} has no executed copy in {self.src}: "
                      "run `make run` first", file=sys.stderr)
        sections.sort(key=lambda s: (s.chapter, number_key(s.number), s.rel.name))
        self.sections = sections
        self.pages = [s for s in sections if s.status != "missing"]
        if not self.pages:
            raise ExportError(f"no notebook in {self.src} belongs to {self.chapters_dir}: "
                              "run `make run` first")

    # -- output --------------------------------------------------------------------------
    def prepare_out(self):
        if self.out.exists():
            if any(self.out.iterdir()) and not (self.out / MARKER).exists():
                raise ExportError(f"{self.out} exists and is not a site this script wrote; "
                                  "choose another --out or remove it")
            shutil.rmtree(self.out)
        (self.out / "static").mkdir(parents=True)
        (self.out / MARKER).write_text("written by shared/tools/export_html.py\n")
        (self.out / ".nojekyll").write_text("")  # GitHub Pages: serve the files as they are

    def copy_static(self, pygments_css):
        static = self.out / "static"
        for name in ("site.css", "site.js"):
            shutil.copy2(SITE / "static" / name, static / name)
        lab = find_lab_static()
        (static / "notebook.css").write_text(
            "/* JupyterLab's notebook styles, as nbconvert's lab template inlines them. */\n"
            + (lab / "index.css").read_text(encoding="utf-8") + "\n"
            + (lab / "theme-light.css").read_text(encoding="utf-8") + "\n"
            + pygments_css + "\n", encoding="utf-8")
        copy_mathjax(static / "mathjax")

    def context(self, page, depth, title, notebook=False, math=True, **extra):
        return dict(page=page, root="../" * depth, title=title, lang=self.lang, L=self.L,
                    html_lang=HTML_LANG[self.lang], notebook=notebook, math=math, **extra)

    def render(self, name, ctx):
        from markupsafe import Markup

        return Markup(self.env.get_template(name).render(**ctx))

    def export_notebooks(self):
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(template_name="d2lsite",
                                extra_template_basedirs=[str(SITE / "nbconvert")],
                                exclude_input_prompt=True, exclude_output_prompt=True)
        # (Figures are outputs, already data: URIs, and attachments are embedded anyway;
        # embed_images=True would also mangle inline HTML such as fix_cjk_emphasis's <strong>.)
        self.terms, self.anchors, pygments_css = [], {}, None
        for k, section in enumerate(self.pages):
            nb = self.notebooks[section.rel]
            for en, zh in parse_terms(nb):
                self.terms.append((section, en, zh))
            self.anchors[section.rel] = prepare_cells(nb, self.lang, self.L)
            ctx = self.context("notebook", len(section.rel.parts) - 1,
                               f"{section.label(self.lang)} · {self.L['brand']}", notebook=True,
                               prev=self.pages[k - 1] if k > 0 else None,
                               next=self.pages[k + 1] if k + 1 < len(self.pages) else None,
                               source=f"chapters/{section.rel.as_posix()}")
            resources = {"site": {"lang": self.lang, "html_lang": HTML_LANG[self.lang],
                                  "head": self.render("head.html.j2", ctx),
                                  "top": self.render("top.html.j2", ctx),
                                  "bottom": self.render("bottom.html.j2", ctx)},
                         "metadata": {"name": section.rel.stem}}
            body, resources = exporter.from_notebook_node(nb, resources=resources)
            if pygments_css is None:
                pygments_css = "\n".join(resources.get("inlining", {}).get("css", []))
            target = self.out / section.rel.with_suffix(".html")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
        return pygments_css or ""

    def export_index(self):
        chapters = []
        for section in self.sections:
            if not chapters or chapters[-1]["folder"] != section.chapter:
                zh, en = CHAPTER_TITLES.get(section.chapter, ("", ""))
                number = NUMBER_RE.match(section.chapter)
                if not en:
                    en = NUMBER_RE.sub("", section.chapter).strip("-_").replace("-", " ").title()
                chapters.append({"folder": section.chapter,
                                 "number": str(int(number[1])) if number else "",
                                 "zh": zh, "en": en, "sections": []})
            chapters[-1]["sections"].append(section)
        ctx = self.context("index", 0, f"{self.L['contents']} · {self.L['brand']}", math=False,
                           chapters=chapters, env=self.environment,
                           total_seconds=sum(s.seconds or 0 for s in self.pages) or None)
        (self.out / "index.html").write_text(self.render("index.html.j2", ctx), encoding="utf-8")

    def export_glossary(self):
        merged = {}
        for section, en, zh in self.terms:
            key = term_key(en)
            anchors = self.anchors.get(section.rel) or ["terms"]
            where = {"section": section, "href": section.href, "anchor": anchors[0]}
            if key not in merged:
                merged[key] = {"en": en, "zh": [zh] if zh else [], "where": [where]}
                continue
            entry = merged[key]
            if zh and zh not in entry["zh"]:
                entry["zh"].append(zh)
            if all(w["section"] is not section for w in entry["where"]):
                entry["where"].append(where)
        groups = {}
        for key in sorted(merged, key=lambda k: (k.lstrip("-.(").casefold(), k)):
            entry = merged[key]
            letter = key.lstrip("-.(")[:1].upper()
            letter = letter if "A" <= letter <= "Z" else "#"
            groups.setdefault(letter, []).append({
                "en_html": inline_markdown(entry["en"]),
                "zh_html": inline_markdown("；".join(entry["zh"])),
                "first": entry["where"][0], "also": entry["where"][1:]})
        ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "#", kv[0]))
        ctx = self.context("glossary", 0, f"{self.L['glossary']} · {self.L['brand']}",
                           groups=ordered)
        (self.out / "glossary.html").write_text(self.render("glossary.html.j2", ctx),
                                                encoding="utf-8")
        return len(merged)

    def build(self):
        self.load()
        self.prepare_out()
        pygments_css = self.export_notebooks()
        self.copy_static(pygments_css)
        self.export_index()
        n_terms = self.export_glossary()
        return {"pages": len(self.pages), "terms": n_terms}


def find_lab_static():
    """nbconvert's lab template CSS (index.css, theme-light.css)."""
    from jupyter_core.paths import jupyter_path

    for base in jupyter_path("nbconvert", "templates"):
        lab = Path(base) / "lab" / "static"
        if (lab / "index.css").exists():
            return lab
    raise ExportError("nbconvert's lab template is not installed: pip install nbconvert")


def copy_mathjax(dest):
    """MathJax 2.7 as jupyter-server-mathjax ships it (the combined TeX config with HTML-CSS
    output and STIX web fonts, all loaded from the site itself). Its SVG folder holds only
    font data without the SVG output itself, so it is left out."""
    try:
        import jupyter_server_mathjax
    except ImportError as err:
        raise ExportError("MathJax is missing: pip install jupyter-server-mathjax "
                          "(it is in requirements.txt; run `make install`)") from err
    static = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(static, dest, ignore=lambda folder, names: (
        ["SVG"] if Path(folder).name == "output" else []))


def build_site(src=BUILD / "notebooks", out=BUILD / "html", lang="both",
               metrics=BUILD / "metrics.json", chapters=CHAPTERS):
    """Export the site; returns {'pages': n, 'terms': n}. Raises ExportError."""
    return Site(src, out, lang, metrics, chapters).build()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="both", choices=LANGS,
                        help="both (default), zh or en: keep only that language's cells")
    parser.add_argument("--src", type=Path, default=BUILD / "notebooks",
                        help="executed notebooks (default: build/notebooks)")
    parser.add_argument("--out", type=Path, default=BUILD / "html",
                        help="site folder to (re)write (default: build/html)")
    parser.add_argument("--metrics", type=Path, default=BUILD / "metrics.json",
                        help="results of `make run` (default: build/metrics.json)")
    parser.add_argument("--chapters", type=Path, default=CHAPTERS,
                        help="source notebooks, to list sections not executed yet")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        done = build_site(args.src, args.out, args.lang, args.metrics, args.chapters)
    except ExportError as err:
        print(f"export_html.py: error: {err}", file=sys.stderr)
        return 2
    print(f"site ({args.lang}): {done['pages']} pages, {done['terms']} glossary terms in "
          f"{args.out / 'index.html'} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
