"""A notebook's cells made ready for its page: one language, solutions folded, terms anchored."""

import html

from .markdown import HEADING_RE, fix_cjk_emphasis, is_terms_table, split_bilingual

DROPPED = {"zh": {"en"}, "en": {"zh"}, "both": set()}  # cells tagged with the other language


def has_tag(cell, tag):
    return tag in cell.get("metadata", {}).get("tags", [])


def raw_html(source):
    """Structural HTML for the page, which the nbconvert template passes through as it is."""
    import nbformat

    return nbformat.v4.new_raw_cell(source, metadata={"d2lsite": True})


def prepare_cells(nb, lang, L):
    """Drop the other language's cells and papermill's injected parameters; fold every run of
    cells tagged `solution` into a <details>; anchor the terms tables. Returns the anchors of
    the terms tables, in order."""
    drop = DROPPED[lang] | {"injected-parameters"}
    cells = [c for c in nb.cells if not drop & set(c.get("metadata", {}).get("tags", []))]
    for cell in cells:
        if cell.cell_type == "markdown":
            cell.source = fix_cjk_emphasis(cell.source)
    out, anchors, i = [], [], 0
    while i < len(cells):
        if has_tag(cells[i], "solution"):
            j = i
            while j < len(cells) and has_tag(cells[j], "solution"):
                j += 1
            out.extend(folded_solution(cells[i:j], lang, L))
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


def folded_solution(run, lang, L):
    """The cells of one solution inside a closed <details>; a lone heading cell that opens
    the run (`#### 解答 / Solution`) becomes its summary."""
    label = L["solution"]
    first = run[0].source.strip()
    heading = HEADING_RE.match(first) if run[0].cell_type == "markdown" else None
    if heading and "\n" not in first:
        label = split_bilingual(heading["text"], lang)
        run = run[1:]
    opening = raw_html(
        '<details class="d2l-solution"><summary><span class="d2l-solution-label">'
        f'{html.escape(label)}</span> <span class="d2l-solution-hint">'
        f'{html.escape(L["try_first"])}</span></summary>\n<div class="d2l-solution-body">')
    return [opening, *run, raw_html("</div></details>")]
