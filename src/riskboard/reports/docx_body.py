"""WordprocessingML for the body of the minutes: paragraphs and tables as XML text.

python-docx looks a style up by walking every style on each ``add_paragraph`` /
``table.style =`` call, which made 200 risk items take seconds. The body is therefore
written here as one XML string (text escaped, XML-illegal characters dropped) and
parsed once; python-docx still owns the styles, sections, header and footer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from riskboard.reports.minutes_content import Facts, Para, Table
from riskboard.reports.safe_write import clean_text

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT_WIDTH_CM = 17.0  # A4 less 2 cm margins
CM_PER_CHAR_10PT = 0.21  # Arial 10 pt, a generous average
CELL_PADDING_CM = 0.45
WIDE_TABLE_COLUMNS = 7  # from this many columns tables use 9 pt text
FACT_LABEL_CM = 4.5
HEADER_SHADE = "D9E2F3"
LABEL_SHADE = "F2F2F2"
TWIPS_PER_CM = 567


@dataclass(frozen=True)
class StyleIds:
    """The document's own ids for the styles the body uses."""

    heading: str
    table: str
    normal: str


def _text(value: object) -> str:
    return escape(clean_text("" if value is None else str(value)))


def run(text: str, *, bold: bool = False, size_pt: float | None = None,
        colour: str | None = None) -> str:  # fmt: skip
    """One run; line breaks in ``text`` become ``<w:br/>``."""
    props = ("<w:b/>" if bold else "") + (f'<w:color w:val="{colour}"/>' if colour else "")
    if size_pt:
        props += f'<w:sz w:val="{round(size_pt * 2)}"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    lines = _text(text).replace("\r\n", "\n").split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{line}</w:t>' for line in lines)
    return f"<w:r>{rpr}{body}</w:r>"


def paragraph(runs: str, *, style: str | None = None, keep_next: bool = False) -> str:
    ppr = (f'<w:pStyle w:val="{style}"/>' if style else "") + ("<w:keepNext/>" if keep_next else "")
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{runs}</w:p>"


def para_block(block: Para) -> str:
    lead = run(block.lead + " ", bold=True) if block.lead else ""
    return paragraph(lead + run(block.text))


def heading(text: str, ids: StyleIds) -> str:
    return paragraph(run(text), style=ids.heading, keep_next=True)


def widths_cm(
    headers: Sequence[str], rows: Sequence[Sequence[str]], size: float = 10
) -> list[float]:
    """Column widths: each at least its longest word (refs, dates and sums must not break
    mid-word), the rest of the text width shared by how much each column holds."""
    per_char = CM_PER_CHAR_10PT * size / 10
    floor, want = [], []
    for i, header in enumerate(headers):
        cells = [r[i] for r in rows[:200]]
        longest_word = max(
            [len(w) * 1.15 for w in header.split()]  # headers are bold
            + [len(w) for text in cells for w in text.split()]
            + [1]
        )
        sizes = sorted(len(c) for c in cells) or [0]
        typical = sizes[len(sizes) * 3 // 4]  # upper quartile: long text gets room
        floor.append(longest_word * per_char + CELL_PADDING_CM)
        want.append(max(longest_word, min(typical, 60)) * per_char + CELL_PADDING_CM)
    if sum(floor) >= TEXT_WIDTH_CM:
        return [TEXT_WIDTH_CM * f / sum(floor) for f in floor]
    if sum(want) <= TEXT_WIDTH_CM:
        return [TEXT_WIDTH_CM * w / sum(want) for w in want]
    spare = TEXT_WIDTH_CM - sum(floor)
    extra = [w - f for w, f in zip(want, floor, strict=True)]
    return [f + spare * e / sum(extra) for f, e in zip(floor, extra, strict=True)]


def _cell(text: str, width_twips: int, *, bold: bool = False, shade: str | None = None,
          size_pt: float | None = None, keep_next: bool = False) -> str:  # fmt: skip
    shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>' if shade else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width_twips}" w:type="dxa"/>{shd}</w:tcPr>'
        f"{paragraph(run(text, bold=bold, size_pt=size_pt), keep_next=keep_next)}</w:tc>"
    )


def _table_xml(rows_xml: list[str], widths: list[int], ids: StyleIds) -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{ids.table}"/><w:tblW w:w="{sum(widths)}"'
        ' w:type="dxa"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
        f'<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1"'
        ' w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows_xml)}</w:tbl>"
    )


def table_block(block: Table, ids: StyleIds) -> str:
    """A table with a shaded header row that repeats on each page; ``empty`` if no rows."""
    if not block.rows:
        return paragraph(run(block.empty))
    size = 9.0 if len(block.headers) >= WIDE_TABLE_COLUMNS else None
    widths = [round(w * TWIPS_PER_CM) for w in widths_cm(block.headers, block.rows, size or 10)]
    header = "".join(
        _cell(h, w, bold=True, shade=HEADER_SHADE, size_pt=size, keep_next=True)
        for h, w in zip(block.headers, widths, strict=True)
    )
    rows = ['<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>' + header + "</w:tr>"]
    for values in block.rows:
        cells = "".join(_cell(v, w, size_pt=size) for v, w in zip(values, widths, strict=True))
        rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
    return _table_xml(rows, widths, ids) + paragraph("")


def facts_block(block: Facts, ids: StyleIds, colours: dict[str, str]) -> str:
    """Label / value rows kept together with the heading above them."""
    widths = [round(FACT_LABEL_CM * TWIPS_PER_CM),
              round((TEXT_WIDTH_CM - FACT_LABEL_CM) * TWIPS_PER_CM)]  # fmt: skip
    last = len(block.pairs) - 1
    rows = []
    for i, (label, value) in enumerate(block.pairs):
        keep = i < last
        shade = colours.get(block.rag or "") if label == "Current score" else None
        rows.append(
            "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
            + _cell(label, widths[0], bold=True, shade=LABEL_SHADE, keep_next=keep)
            + _cell(value, widths[1], shade=shade, keep_next=keep)
            + "</w:tr>"
        )
    return _table_xml(rows, widths, ids) + paragraph("")


def body_xml(parts: Sequence[str]) -> str:
    """Wrap body parts so they parse as one element (children moved into the document)."""
    return f'<w:body xmlns:w="{W_NS}">{"".join(parts)}</w:body>'
