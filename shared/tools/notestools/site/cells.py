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
- a code cell whose source is hidden in JupyterLab (`"jupyter": {"source_hidden": true}`,
  as every `figure` cell is): its outputs shown, its source folded in a <details>.
Nothing here depends on the order of a notebook's zh/en pairs: cells keep their order.
"""

import html
import re

from .markdown import HEADING_RE, fix_cjk_emphasis, is_terms_table, split_bilingual

DROPPED = {"zh": {"en"}, "en": {"zh"}, "both": set()}  # cells tagged with the other language
HIDDEN = {"injected-parameters", "setup", "record", "progress"}  # never on a page
FOLDED = ("hint", "solution")  # tags whose runs of cells are folded, in their own <details>
# tag: (the label of the summary, the note after it)
FOLD_LABELS = {"hint": ("hint", "hint_note"), "solution": ("solution", "try_first")}
FOLD_CLASS = "d2l-fold"  # every folded hint and solution: <details class="d2l-fold d2l-<tag>">
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
    out, anchors, i = [], [], 0
    while i < len(cells):
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
    nb.cells = out
    return anchors


def folded(run, kind, lang, L):
    """The cells of one hint or solution inside a closed <details>; a lone heading cell that
    opens the run (`#### 提示 / Hint`, `#### 解答 / Solution`) becomes its summary."""
    label_key, note_key = FOLD_LABELS[kind]
    label = L[label_key]
    heading = lone_heading(run[0])
    if heading:
        label = split_bilingual(heading["text"], lang)
        run = run[1:]
    opening = raw_html(
        f'<details class="{FOLD_CLASS} d2l-{kind}"><summary>'
        f'<span class="d2l-fold-label">{html.escape(label)}</span> '
        f'<span class="d2l-fold-note">{html.escape(L[note_key])}</span></summary>\n'
        '<div class="d2l-fold-body">')
    return [opening, *run, raw_html("</div></details>")]
