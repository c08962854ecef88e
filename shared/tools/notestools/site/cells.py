"""A notebook's cells made ready for its page: one language, no machinery, hints and
solutions folded, drawing code folded, terms anchored.

Tags the site reads (see README's conventions):
- `en` / `zh`: dropped from the other language's build; `bilingual` and untagged cells stay;
- `setup` (the install cell), `record` (passes results to results.json), `progress` (the
  exercises' progress line, which needs a kernel) and papermill's `injected-parameters`:
  not shown at all; nor is the lone heading right before a `progress` cell
  (`### 进度 / Progress`);
- `hint`, `solution`: each run of such cells is folded in its own closed <details>, the run's
  lone heading (`#### 提示 / Hint`, `#### 解答 / Solution`) as its summary;
- a "深入一步 / Going further" part (a heading cell saying so, folded in JupyterLab:
  `"jp-MarkdownHeadingCollapsed": true`): folded the same way, its heading as the summary, up
  to the next heading of the same or a higher level (what JupyterLab folds);
- a code cell whose source is hidden in JupyterLab (`"jupyter": {"source_hidden": true}`,
  as every `figure` cell is): its outputs shown, its source folded in a <details>.
Nothing here depends on the order of a notebook's zh/en pairs: cells keep their order.
"""

import copy
import html
import re

from .markdown import HEADING_RE, fix_cjk_emphasis, is_terms_table, split_bilingual

DROPPED = {"zh": {"en"}, "en": {"zh"}, "both": set()}  # cells tagged with the other language
HIDDEN = {"injected-parameters", "setup", "record", "progress"}  # never on a page
FOLDED = ("hint", "solution")  # tags whose runs of cells are folded, in their own <details>
# tag: (the label of the summary, the note after it)
FOLD_LABELS = {"hint": ("hint", "hint_note"), "solution": ("solution", "try_first"),
               "further": ("further", "further_note")}
FOLD_CLASS = "d2l-fold"  # every folded part: <details class="d2l-fold d2l-<tag or further>">
FURTHER_RE = re.compile(r"深入一步|Going further", re.I)  # the heading of a "Going further" part
SOURCE_FOLD = "d2lsite_fold"  # cell metadata the nbconvert template folds the source on


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def has_tag(cell, tag):
    return tag in tags(cell)


def source_hidden(cell):
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))


def lone_heading(cell):
    """The heading match of a markdown cell that is one heading line and nothing else."""
    if cell.cell_type != "markdown":
        return None
    text = cell.source.strip()
    return HEADING_RE.match(text) if "\n" not in text else None


def heading_level(cell):
    """The level of a markdown cell's heading as JupyterLab reads it (its first heading line
    outside fenced code), or None."""
    if cell.cell_type != "markdown":
        return None
    fence = None
    for line in cell.source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            if fence is None:
                fence = stripped[:3]
            elif stripped.startswith(fence):
                fence = None
        elif not fence and HEADING_RE.match(stripped) and len(line) - len(stripped) < 4:
            return len(stripped) - len(stripped.lstrip("#"))
    return None


def further_end(cells, i):
    """Where the "Going further" part that ``cells[i]`` opens ends (the index of the next
    heading of the same or a higher level, or the end), or None when it opens none: a
    markdown cell whose first line is a heading naming 深入一步 / Going further, folded in
    JupyterLab."""
    cell = cells[i]
    if not cell.get("metadata", {}).get("jp-MarkdownHeadingCollapsed"):
        return None
    heading = HEADING_RE.match(cell.source.strip().split("\n", 1)[0])
    if cell.cell_type != "markdown" or not heading or not FURTHER_RE.search(heading["text"]):
        return None
    level = heading_level(cell)
    return next((j for j in range(i + 1, len(cells))
                 if (heading_level(cells[j]) or 7) <= level), len(cells))


# A figure cell's first line: `# 图：<中文说明> · Figure: <English caption>`.
CAPTION_RE = re.compile(r"^#\s*图[：:]\s*(?P<zh>.+?)\s*·\s*Figure:\s*(?P<en>.+?)\s*$")


def figure_captions(cells, lang):
    """{cell id: the caption in ``lang``} of the `figure` cells whose first line gives one
    (the text of their images for those who cannot see them)."""
    found = {}
    for cell in cells:
        if cell.cell_type == "code" and has_tag(cell, "figure") and cell.get("id"):
            match = CAPTION_RE.match(cell.source.split("\n", 1)[0])
            if match:
                found[cell.id] = (match["zh"] if lang == "zh" else match["en"] if lang == "en"
                                  else f"{match['zh']} · {match['en']}")
    return found


def raw_html(source):
    """Structural HTML for the page, which the nbconvert template passes through as it is."""
    import nbformat

    return nbformat.v4.new_raw_cell(source, metadata={"d2lsite": True})


def shown_cells(cells, lang):
    """The cells a page of language ``lang`` shows, in the notebook's order."""
    drop = DROPPED[lang] | HIDDEN
    kept = [c for c in cells if not drop & set(tags(c))]
    following = [c for c in cells if not DROPPED[lang] & set(tags(c))]
    progress_headings = {id(c) for c, after in zip(following, following[1:])
                         if has_tag(after, "progress") and lone_heading(c)}
    return [c for c in kept if id(c) not in progress_headings]


def prepare_cells(nb, lang, L):
    """Keep the cells a reader of ``lang`` sees (see the module's docstring), fold hints,
    solutions and hidden sources, anchor the terms tables. Returns the anchors of the terms
    tables, in order."""
    cells = shown_cells(nb.cells, lang)
    for cell in cells:
        if cell.cell_type == "markdown":
            cell.source = fix_cjk_emphasis(cell.source)
        elif cell.cell_type == "code" and source_hidden(cell):
            cell.metadata[SOURCE_FOLD] = L["drawing_code" if has_tag(cell, "figure") else "code"]
    anchors = []
    nb.cells = arrange(cells, lang, L, anchors)
    return anchors


def arrange(cells, lang, L, anchors):
    """The cells with their hints, solutions and "Going further" parts folded and their terms
    tables anchored (the anchors appended to ``anchors``)."""
    out, i = [], 0
    while i < len(cells):
        end = further_end(cells, i)
        if end:
            head, _, rest = cells[i].source.strip().partition("\n")
            body = arrange(cells[i + 1:end], lang, L, anchors)
            if rest.strip():  # (what the heading cell says under its heading)
                body.insert(0, copy.deepcopy(cells[i]))
                body[0].source = rest.strip()
            out.extend(folded(body, "further", lang, L, HEADING_RE.match(head),
                              level=heading_level(cells[i])))
            i = end
            continue
        kind = next((t for t in FOLDED if has_tag(cells[i], t)), None)
        if kind:
            j = i + 1
            while j < len(cells) and has_tag(cells[j], kind):
                j += 1
            out.extend(folded(cells[i:j], kind, lang, L))
            i = j
            continue
        if cells[i].cell_type == "markdown" and is_terms_table(cells[i].source):
            anchor = "terms" if not anchors else f"terms-{len(anchors) + 1}"
            anchors.append(anchor)
            out.append(raw_html(f'<span class="d2l-anchor" id="{anchor}"></span>'))
        out.append(cells[i])
        i += 1
    return out


def folded(run, kind, lang, L, heading=None, level=None):
    """The cells of one hint, solution or "Going further" part inside a closed <details>; a
    lone heading cell that opens the run (`#### 提示 / Hint`, `#### 解答 / Solution`), or
    ``heading`` (the part's, already taken out of ``run``), becomes its summary. A part's
    <details> takes the id the heading would have had, so links to it still work."""
    label_key, note_key = FOLD_LABELS[kind]
    label = L[label_key]
    if heading is None:
        heading = lone_heading(run[0])
        run = run[1:] if heading else run
    if heading:
        label = split_bilingual(heading["text"], lang)
    extra = f" d2l-fold-h{level}" if level else ""
    anchor = (' id="' + html.escape(heading["text"].replace(" ", "-"), quote=True) + '"'
              if level and heading else "")
    opening = raw_html(
        f'<details class="{FOLD_CLASS} d2l-{kind}{extra}"{anchor}><summary>'
        f'<span class="d2l-fold-label">{html.escape(label)}</span> '
        f'<span class="d2l-fold-note">{html.escape(L[note_key])}</span></summary>\n'
        '<div class="d2l-fold-body">')
    return [opening, *run, raw_html("</div></details>")]
