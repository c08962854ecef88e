"""The site builder: notebook pages (nbconvert's JupyterLab rendering inside the site's
templates), the index, the glossary, the search index, the all-in-one page the PDF is
printed from, and the static files."""

import html
import re
import shutil
from importlib import metadata
from pathlib import Path

from . import links
from .cells import FOLD_CLASS, figure_captions, prepare_cells
from .config import (
    ALL_PAGE,
    CHAPTER_TITLES,
    HTML_LANG,
    LANGS,
    MARKER,
    MATHJAX_PACKAGE,
    PDF_NAME,
    SITE,
    ExportError,
    labels,
)
from .downloads import write_downloads
from .fingerprint import UNFINISHED, current, fingerprint, mark_current
from .markdown import inline_markdown, parse_terms, term_key
from .outline import outline_html
from .pdf import make_pdf, show_pdf_link
from .search import INDEX_FILE, SearchIndex, parse_content
from .sections import NUMBER_RE, load_sections

# What the nbconvert template puts around a page's own content (see nbconvert/d2lsite).
CONTENT_RE = re.compile(r"<!--d2l:content-->(?P<content>.*)<!--/d2l:content-->", re.S)
OUTLINE_MARK = "<!--d2l:outline-->"  # where the page's outline goes (outline.py)
FOLD_TAG = f'<details class="{FOLD_CLASS} '  # a folded hint or solution (cells.py)


class Site:
    def __init__(self, src, out, lang, results=None, chapters=None, repository=None):
        import jinja2

        if lang not in LANGS:
            raise ExportError(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
        self.src, self.out, self.lang = Path(src), Path(out), lang
        self.L = labels(lang)
        self.results_path = Path(results) if results else None
        self.chapters_dir = Path(chapters) if chapters else None
        self.repository = repository
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(SITE / "pages")),
                                      autoescape=True)
        self.search = SearchIndex()
        self.contents = {}  # rel -> the page's content, for the all-in-one page

    # -- input ---------------------------------------------------------------------------
    def load(self):
        self.sections, self.notebooks, self.environment = load_sections(
            self.src, self.chapters_dir, self.results_path)
        self.pages = [s for s in self.sections if s.status != "missing"]
        for section in self.sections:
            section.launch = links.launch_links(section.rel, self.repository)

    # -- output --------------------------------------------------------------------------
    def prepare_out(self):
        if self.out.exists():
            if any(self.out.iterdir()) and not (self.out / MARKER).exists():
                raise ExportError(f"{self.out} exists and is not a site this tool wrote; "
                                  "choose another --out or remove it")
            shutil.rmtree(self.out)
        (self.out / "static").mkdir(parents=True)
        (self.out / MARKER).write_text(UNFINISHED)
        (self.out / ".nojekyll").write_text("")  # GitHub Pages: serve the files as they are

    def copy_notebooks(self):
        """Every section's source notebook next to its page, with its Chinese and English
        copies, for its Download links (made from the executed copy where the source is not
        at hand)."""
        for section in self.sections:
            source = self.chapters_dir / section.rel if self.chapters_dir else None
            if not (source and source.exists()):
                source = self.src / section.rel
            write_downloads(source, self.out / section.rel)

    def copy_static(self, pygments_css):
        static = self.out / "static"
        for name in ("site.css", "site.js", "search.js"):
            shutil.copy2(SITE / "static" / name, static / name)
        lab = find_lab_static()
        dark = (lab / "theme-dark.css").read_text(encoding="utf-8")
        (static / "notebook.css").write_text(
            "/* JupyterLab's notebook styles, as nbconvert's lab template inlines them; its dark\n"
            "   theme applies on screen when <html data-theme=\"dark\"> (see site.js). */\n"
            + (lab / "index.css").read_text(encoding="utf-8") + "\n"
            + (lab / "theme-light.css").read_text(encoding="utf-8") + "\n"
            + "@media screen {\n" + dark.replace(":root", 'html[data-theme="dark"]') + "\n}\n"
            + pygments_css + "\n", encoding="utf-8")
        copy_mathjax(static / "mathjax")

    def context(self, page, depth, title, notebook=False, math=True, **extra):
        return dict(page=page, root="../" * depth, title=title, lang=self.lang, L=self.L,
                    html_lang=HTML_LANG[self.lang], notebook=notebook, math=math,
                    pdf_name=PDF_NAME, **extra)

    def render(self, name, ctx):
        from markupsafe import Markup

        return Markup(self.env.get_template(name).render(**ctx))

    def write(self, name, template, ctx):
        (self.out / name).write_text(self.render(template, ctx), encoding="utf-8")

    def export_notebooks(self):
        """Write every notebook's page; returns the code highlighting CSS nbconvert made."""
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(template_name="d2lsite",
                                extra_template_basedirs=[str(SITE / "nbconvert")],
                                exclude_input_prompt=True, exclude_output_prompt=True)
        # (Figures are outputs, already data: URIs, and attachments are embedded anyway;
        # embed_images=True would also mangle inline HTML such as fix_cjk_emphasis's <strong>.)
        self.terms, self.anchors, pygments_css = [], {}, None
        for k, section in enumerate(self.pages):
            resources = self.export_notebook(exporter, section, k)
            if pygments_css is None:
                pygments_css = "\n".join(resources.get("inlining", {}).get("css", []))
        return pygments_css or ""

    def export_notebook(self, exporter, section, k):
        nb = self.notebooks[section.rel]
        self.terms.extend((section, en, zh) for en, zh in parse_terms(nb.cells))
        captions = figure_captions(nb.cells, self.lang)
        self.anchors[section.rel] = prepare_cells(nb, self.lang, self.L)
        ctx = self.context("notebook", len(section.rel.parts) - 1,
                           f"{section.label(self.lang)} · {self.L['brand']}", notebook=True,
                           section=section, prev=self.pages[k - 1] if k > 0 else None,
                           next=self.pages[k + 1] if k + 1 < len(self.pages) else None,
                           source=f"chapters/{section.rel.as_posix()}")
        resources = {"site": {"lang": self.lang, "html_lang": HTML_LANG[self.lang],
                              "head": self.render("head.html.j2", ctx),
                              "top": self.render("top.html.j2", ctx),
                              "bottom": self.render("bottom.html.j2", ctx)},
                     "metadata": {"name": section.rel.stem}}
        body, resources = exporter.from_notebook_node(nb, resources=resources)
        body = describe_figures(body, captions)
        found = CONTENT_RE.search(body)
        content = self.contents[section.rel] = found["content"]
        root = "../" * (len(section.rel.parts) - 1)
        content = links.rewrite_notebook_links(  # (the download link stays as it is)
            content, section.rel, lambda rel, fragment: self.page_link(rel, root, fragment))
        body = body[:found.start("content")] + content + body[found.end("content"):]
        # (The outline and the search index read the headings and text, not the links that
        # rewrite_notebook_links changed: one parse serves both.)
        parsed = parse_content(content)
        body = body.replace(OUTLINE_MARK, outline_html(parsed, self.L["outline"]), 1)
        self.search.add_notebook(section.href, section.label(self.lang), parsed)
        target = self.out / section.href
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        return resources

    def page_of(self, rel):
        return next((s for s in self.pages if s.rel.as_posix() == rel), None)

    def page_link(self, rel, root, fragment):
        """The href of notebook ``rel``'s page (None when it has none)."""
        section = self.page_of(rel)
        return root + section.href + fragment if section else None

    def chapters(self):
        """The sections grouped by chapter folder, with the chapter's number and titles."""
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
        return chapters

    def index_context(self, page, title, **extra):
        return self.context(page, 0, title, chapters=self.chapters(), env=self.environment,
                            all_page=page == "all",
                            total_seconds=sum(s.seconds or 0 for s in self.pages) or None,
                            **extra)

    def export_index(self):
        ctx = self.index_context("index", f"{self.L['contents']} · {self.L['brand']}",
                                 math=False)
        self.write("index.html", "index.html.j2", ctx)

    def glossary_groups(self):
        """The glossary's rows, merged by term and grouped by first letter."""
        merged = {}
        for section, en, zh in self.terms:
            where = {"section": section, "href": section.href,
                     "anchor": (self.anchors.get(section.rel) or ["terms"])[0]}
            entry = merged.setdefault(term_key(en), {"en": en, "zh": [], "where": []})
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
                "id": "term-" + re.sub(r"[^\w]+", "-", key).strip("-"),
                "en_html": inline_markdown(entry["en"]),
                "zh_html": inline_markdown("；".join(entry["zh"])),
                "first": entry["where"][0], "also": entry["where"][1:]})
        return sorted(groups.items(), key=lambda kv: (kv[0] == "#", kv[0]))

    def export_glossary(self):
        self.groups = self.glossary_groups()
        ctx = self.context("glossary", 0, f"{self.L['glossary']} · {self.L['brand']}",
                           groups=self.groups)
        self.write("glossary.html", "glossary.html.j2", ctx)
        self.search.add_glossary("glossary.html", self.L["glossary"], [
            (t["id"], plain(t["en_html"]), plain(t["zh_html"]), t["first"]["section"].label(
                self.lang)) for _, terms in self.groups for t in terms])
        return sum(len(terms) for _, terms in self.groups)

    def export_all_page(self):
        """all.html: the index, every section and the glossary on one page, hints and
        solutions open, each section's ids prefixed with its anchor so that they stay unique,
        and its other relative links made relative to the site's root, where all.html is."""
        parts = []
        for section in self.pages:
            prefix = section.anchor + "--"
            content = self.contents[section.rel].replace(FOLD_TAG,
                                                         "<details open" + FOLD_TAG[8:])
            content = re.sub(r'(\sid="|\shref="#)', rf"\g<1>{prefix}", content)
            content = links.rewrite_notebook_links(content, section.rel, self.all_page_link)
            parts.append((section, links.relative_to_root(content, section.rel)))
        ctx = self.index_context("all", f"{self.L['brand']} · PDF", notebook=True,
                                 parts=parts, groups=self.groups)
        self.write(ALL_PAGE, "all.html.j2", ctx)

    def all_page_link(self, rel, fragment):
        """Where notebook ``rel`` starts on the all-in-one page."""
        section = self.page_of(rel)
        if not section:
            return None
        return f"#{section.anchor}--{fragment[1:]}" if fragment else f"#{section.anchor}"


NO_ALT = 'alt="No description has been provided for this image"'  # what nbconvert writes


SVG_IMG = '<img src="data:image/svg+xml'  # an SVG output as nbconvert writes it: no alt
SVG_INLINE_RE = re.compile(r"<svg\b(?![^>]*\baria-label=)")  # (with skip_svg_encoding)


def describe_figures(body, captions):
    """Give the images of each figure cell ({cell id: caption}) its caption as their text:
    the alt text of a PNG or SVG image, role="img" and aria-label of an inline <svg>."""
    for cell_id, caption in captions.items():
        start = body.find(f'id="cell-id={cell_id}"')
        if start < 0:
            continue
        end = body.find('class="jp-Cell ', start)
        end = len(body) if end < 0 else end
        text = html.escape(caption, quote=True)
        alt = f'alt="{text}"'
        cell = body[start:end].replace(NO_ALT, alt).replace(SVG_IMG, f"<img {alt}{SVG_IMG[4:]}")
        cell = SVG_INLINE_RE.sub(f'<svg role="img" aria-label="{text}"', cell)
        body = body[:start] + cell + body[end:]
    return body


def plain(markup):
    from bs4 import BeautifulSoup

    return BeautifulSoup(str(markup), "html.parser").get_text()


def find_lab_static():
    """nbconvert's lab template CSS (index.css, theme-light.css, theme-dark.css)."""
    from jupyter_core.paths import jupyter_path

    for base in jupyter_path("nbconvert", "templates"):
        lab = Path(base) / "lab" / "static"
        if (lab / "index.css").exists():
            return lab
    raise ExportError("nbconvert's lab template is not installed: pip install nbconvert")


# What the site takes of the MathJax package (MathJax 3.2): the combined component (TeX input
# with every package built in, so that nothing is loaded later; CHTML output; the menu), and
# CHTML's fonts, which it loads from [its own folder]/output/chtml/fonts/woff-v2.
MATHJAX_FILES = ("tex-chtml-full.js",)
MATHJAX_FONTS = "output/chtml/fonts/woff-v2"


def mathjax_source():
    """The folder of MathJax 3 in the installed package (a Sphinx extension, never imported:
    its folder name is no Python name)."""
    hint = (f"pip install {MATHJAX_PACKAGE} (it is in requirements-dev.txt; run "
            "`make install-dev`)")
    try:
        dist = metadata.distribution(MATHJAX_PACKAGE)
    except metadata.PackageNotFoundError:
        raise ExportError(f"MathJax is missing: {hint}") from None
    folder = Path(dist.locate_file(f"{MATHJAX_PACKAGE}/static/mathjax"))
    missing = [name for name in (*MATHJAX_FILES, MATHJAX_FONTS) if not (folder / name).exists()]
    if missing:
        raise ExportError(f"MathJax in {folder} lacks {', '.join(missing)}: {MATHJAX_PACKAGE} "
                          f"{dist.version} is not the layout this tool knows; {hint} at the "
                          "version of constraints.txt")
    return folder


def copy_mathjax(dest):
    """MathJax 3 as the site uses it: under two megabytes, not the package's 24."""
    source = mathjax_source()
    for name in MATHJAX_FILES:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, dest / name)
    shutil.copytree(source / MATHJAX_FONTS, dest / MATHJAX_FONTS)


def build(site, pdf=False, rerun=False):
    """Export everything, unless the output folder holds the export of the same inputs
    already (``rerun`` exports anyway), then print the PDF when ``pdf``. Returns what was
    made: pages, glossary terms, search index bytes, the PDF (or None), and whether the site
    was current (then not exported again)."""
    hash_ = fingerprint(site)
    made = None if rerun else current(site.out, hash_)
    was_current = made is not None
    if was_current:
        print(f"site ({site.lang}): {site.out} is current, exported from the same notebooks, "
              "results, sources, tools and options: not exported again (RERUN=1 or --rerun "
              "exports anyway)", flush=True)
    else:
        made = export(site)
        mark_current(site.out, hash_, made)
    printed = None
    if pdf:
        printed = make_pdf(site.out)
    else:
        # An export removes any PDF (printed from other inputs) and leaves the index's link
        # to it commented out; a current site keeps the PDF printed from it, linked.
        show_pdf_link(site.out)
    return {**made, "pdf": printed, "current": was_current}


def export(site):
    """Write the whole site into the output folder (emptied first); returns what it made."""
    site.load()
    site.prepare_out()
    site.copy_notebooks()
    site.copy_static(site.export_notebooks())
    terms = site.export_glossary()
    index_bytes = site.search.write(site.out / INDEX_FILE)
    site.export_all_page()
    site.export_index()
    return {"pages": len(site.pages), "terms": terms, "search_index_bytes": index_bytes}
