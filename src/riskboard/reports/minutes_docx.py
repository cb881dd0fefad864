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
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from riskboard.config import Config
from riskboard.domain import month_name
from riskboard.reports.docx_body import (
    StyleIds,
    body_xml,
    facts_block,
    heading,
    para_block,
    paragraph,
    run,
    table_block,
)
from riskboard.reports.minutes_content import Facts, Minutes, Para, long_date
from riskboard.reports.safe_write import clean_text, write_atomic

FONT = "Arial"
RED_HEX, GREEN_HEX = "C00000", "007030"
RED, GREEN = RGBColor.from_string(RED_HEX), RGBColor.from_string(GREEN_HEX)

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


def build_docx(minutes: Minutes, config: Config) -> Any:
    """The minutes as a python-docx Document (not yet saved)."""
    doc = Document()
    _setup(doc)
    props = doc.core_properties
    props.title = _t(minutes.title)
    props.subject = _t(f"{month_name(minutes.month)} register; {minutes.status_label}")
    props.author = _t(minutes.minute_taker or minutes.board)
    props.language = "en-GB"
    _header_footer(doc, minutes)

    styles = doc.styles
    ids = StyleIds(
        heading=styles["Heading 1"].style_id,
        table=styles["Table Grid"].style_id,
        normal=styles["Normal"].style_id,
    )
    colours = {b.name: b.colour.upper() for b in config.scoring.effective_bands()}
    status = (
        minutes.status_label if minutes.approved else "DRAFT – not yet approved as a correct record"
    )
    parts = [
        paragraph(run(minutes.board), style=styles["Title"].style_id),
        paragraph(
            run(f"Minutes of the meeting held on {long_date(minutes.meeting_date)}"),
            style=styles["Subtitle"].style_id,
        ),
        paragraph(
            run(status, bold=True, size_pt=14, colour=GREEN_HEX if minutes.approved else RED_HEX)
        ),
        facts_block(Facts(pairs=minutes.header), ids, {}),
    ]
    for item in minutes.items:
        parts.append(heading(f"{item.number}. {item.title}", ids))
        for block in item.blocks:
            if isinstance(block, Para):
                parts.append(para_block(block))
            elif isinstance(block, Facts):
                parts.append(facts_block(block, ids, colours))
            else:
                parts.append(table_block(block, ids))
    parts.append(paragraph(""))
    for block in minutes.closing:
        if isinstance(block, Para):
            parts.append(para_block(block))
    body = doc.element.body
    anchor = body.get_or_add_sectPr()
    for child in list(parse_xml(body_xml(parts))):
        anchor.addprevious(child)
    return doc


def write_docx(minutes: Minutes, config: Config, target: Path) -> Path:
    doc = build_docx(minutes, config)
    return write_atomic(target, lambda tmp: doc.save(str(tmp)))
