"""Minutes as a Word document (python-docx) a council officer can file unedited.

A4, Arial, UK English proofing; real Heading styles (so Word's navigation pane lists
the numbered items); tables with a header row that repeats across pages; page
numbers as PAGE / NUMPAGES fields in the footer. Until the minutes are approved
every page carries a "DRAFT" watermark and a DRAFT line in the header and title
block; once approved they read "APPROVED <date>".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt, RGBColor

from riskboard.config import Config
from riskboard.reports.minutes_content import Facts, Minutes, Para, Table, long_date
from riskboard.reports.safe_write import clean_text, write_atomic

FONT = "Arial"
RED = RGBColor(0xC0, 0x00, 0x00)
GREEN = RGBColor(0x00, 0x70, 0x30)
HEADER_SHADE = "D9E2F3"
TEXT_WIDTH_CM = 17.0  # A4 less 2 cm margins
CM_PER_CHAR_10PT = 0.21  # Arial 10 pt, a generous average
WIDE_TABLE_COLUMNS = 7  # from this many columns tables use 9 pt text
CELL_PADDING_CM = 0.45

# Word's own watermark: a VML WordArt shape in the header ("PowerPlusWaterMarkObject"
# is the id Word and LibreOffice recognise as a text watermark).
_WATERMARK = (
    "<w:r {ns}><w:rPr><w:noProof/></w:rPr><w:pict>"
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"'
    ' path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    '<v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/>'
    '<v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/>'
    '<v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/>'
    '<v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/>'
    '<v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/></v:formulas>'
    '<v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800"'
    ' o:connectangles="270,180,90,0"/><v:textpath on="t" fitshape="t"/>'
    '<v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles>'
    '<o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
    '<v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s2049" type="#_x0000_t136"'
    ' style="position:absolute;margin-left:0;margin-top:0;width:415pt;height:166pt;'
    "rotation:315;z-index:-251657216;mso-position-horizontal:center;"
    "mso-position-horizontal-relative:margin;mso-position-vertical:center;"
    'mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="silver" stroked="f">'
    '<v:fill opacity=".5"/>'
    '<v:textpath style="font-family:&quot;Arial&quot;;font-size:1pt" string="{text}"/>'
    "</v:shape></w:pict></w:r>"
)
_VML_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
)


def _t(text: object) -> str:
    return clean_text("" if text is None else str(text))


def _setup(doc: Any) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    for name in ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Table Grid"):
        style = doc.styles[name]
        style.font.name = FONT
        rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)  # theme fonts would override Arial
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-GB")
    normal.element.get_or_add_rPr().append(lang)
    doc.styles["Heading 1"].font.size = Pt(13)
    doc.styles["Table Grid"].font.size = Pt(10)


def _field(paragraph: Any, instruction: str) -> None:
    """Append a Word field (PAGE, NUMPAGES) as begin / instruction / separate / end runs."""

    def fld(kind: str) -> None:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(el)

    fld("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    fld("separate")
    paragraph.add_run("1")
    fld("end")


def _header_footer(doc: Any, minutes: Minutes) -> None:
    section = doc.sections[0]
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if not minutes.approved:
        head._p.append(parse_xml(_WATERMARK.format(ns=_VML_NS, text="DRAFT")))
    run = head.add_run(minutes.status_label if minutes.approved else "DRAFT – not yet approved")
    run.bold = True
    run.font.color.rgb = GREEN if minutes.approved else RED
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run(_t(f"{minutes.board} – minutes of {long_date(minutes.meeting_date)} – Page "))
    _field(foot, "PAGE")
    foot.add_run(" of ")
    _field(foot, "NUMPAGES")
    for r in foot.runs:
        r.font.size = Pt(9)


def _shade(cell: Any, hex_colour: str) -> None:
    cell._tc.get_or_add_tcPr().append(
        parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{hex_colour}"/>')
    )


def _repeat_header(row: Any) -> None:
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _set_cell(cell: Any, text: str, *, bold: bool = False, size: float | None = None) -> None:
    lines = _t(text).split("\n")
    run = cell.paragraphs[0].add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run.add_text(line)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)


def _widths(headers: list[str], rows: list[list[str]], size: float = 10) -> list[float]:
    """Column widths (cm): each at least its longest word (refs, dates and sums must not
    break mid-word), the rest of the text width shared by how much each column holds."""
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
        per_char = CM_PER_CHAR_10PT * size / 10
        floor.append(longest_word * per_char + CELL_PADDING_CM)
        want.append(max(longest_word, min(typical, 60)) * per_char + CELL_PADDING_CM)
    if sum(floor) >= TEXT_WIDTH_CM:
        return [TEXT_WIDTH_CM * f / sum(floor) for f in floor]
    if sum(want) <= TEXT_WIDTH_CM:
        return [TEXT_WIDTH_CM * w / sum(want) for w in want]
    spare = TEXT_WIDTH_CM - sum(floor)
    extra = [w - f for w, f in zip(want, floor, strict=True)]
    return [f + spare * e / sum(extra) for f, e in zip(floor, extra, strict=True)]


def _new_table(doc: Any, n_rows: int, widths: list[float]) -> Any:
    table = doc.add_table(rows=n_rows, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # the grid LibreOffice reads
    return table


def _fill_row(row: Any, values: list[str], widths: list[float], *, bold: bool = False,
              keep: bool = False, size: float | None = None) -> list[Any]:  # fmt: skip
    cells = row.cells
    for cell, value, width in zip(cells, values, widths, strict=True):
        cell.width = Cm(width)  # the cell widths Word reads
        _set_cell(cell, value, bold=bold, size=size)
        if keep:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True
    return cells


def _table(doc: Any, block: Table) -> None:
    if not block.rows:
        doc.add_paragraph(_t(block.empty))
        return
    size = 9 if len(block.headers) >= WIDE_TABLE_COLUMNS else None
    widths = _widths(block.headers, block.rows, size or 10)
    table = _new_table(doc, len(block.rows) + 1, widths)
    rows = table.rows
    _repeat_header(rows[0])
    for cell in _fill_row(rows[0], block.headers, widths, bold=True, keep=True, size=size):
        _shade(cell, HEADER_SHADE)
    for row, values in zip(rows[1:], block.rows, strict=True):
        _fill_row(row, values, widths, size=size)
    doc.add_paragraph()


def _facts(doc: Any, block: Facts, colours: dict[str, str]) -> None:
    widths = [4.5, TEXT_WIDTH_CM - 4.5]
    table = _new_table(doc, len(block.pairs), widths)
    last = len(block.pairs) - 1
    for i, (row, (label, value)) in enumerate(zip(table.rows, block.pairs, strict=True)):
        label_cell, value_cell = _fill_row(row, [label, value], widths, keep=i < last)
        for run in label_cell.paragraphs[0].runs:
            run.bold = True
        _shade(label_cell, "F2F2F2")
        if label == "Current score" and block.rag and block.rag in colours:
            _shade(value_cell, colours[block.rag])
    doc.add_paragraph()


def _para(doc: Any, block: Para) -> None:
    p = doc.add_paragraph()
    if block.lead:
        p.add_run(_t(block.lead) + " ").bold = True
    lines = _t(block.text).split("\n")
    run = p.add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run.add_text(line)


def build_docx(minutes: Minutes, config: Config) -> Any:
    """The minutes as a python-docx Document (not yet saved)."""
    doc = Document()
    _setup(doc)
    props = doc.core_properties
    props.title = _t(minutes.title)
    props.subject = _t(f"Board month {minutes.month}; {minutes.status_label}")
    props.author = _t(minutes.minute_taker or minutes.board)
    props.language = "en-GB"
    _header_footer(doc, minutes)

    doc.add_heading(_t(minutes.board), level=0)
    doc.add_paragraph(
        _t(f"Minutes of the meeting held on {long_date(minutes.meeting_date)}"), style="Subtitle"
    )
    status = doc.add_paragraph()
    run = status.add_run(
        minutes.status_label if minutes.approved else "DRAFT – not yet approved as a correct record"
    )
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = GREEN if minutes.approved else RED
    _facts(doc, Facts(pairs=minutes.header), {})

    colours = {b.name: b.colour.upper() for b in config.scoring.effective_bands()}
    for item in minutes.items:
        heading = doc.add_heading(_t(f"{item.number}. {item.title}"), level=1)
        heading.paragraph_format.keep_with_next = True
        for block in item.blocks:
            if isinstance(block, Para):
                _para(doc, block)
            elif isinstance(block, Facts):
                _facts(doc, block, colours)
            else:
                _table(doc, block)
    return doc


def write_docx(minutes: Minutes, config: Config, target: Path) -> Path:
    doc = build_docx(minutes, config)
    return write_atomic(target, lambda tmp: doc.save(str(tmp)))
