"""One way to write the documents people print and archive (the pact, the signed pact, the verbale, the
DocPP): a list of blocks laid out by reportlab's platypus, in the PA typeface Titillium Web (from
Bootstrap Italia's npm package) with real, selectable text, document metadata and a footer that repeats
the document's fingerprint on every page, so a printed page can be matched with the register."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence, Union
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

#: Titillium Web ships with Bootstrap Italia (copied to static/vendor by `make assets`); reportlab's own
#: Bitstream Vera is the fallback so a PDF never fails for want of the front-end build.
_FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor" / "bootstrap-italia" / "fonts" / "Titillium_Web"
_TITILLIUM = {"regular": "titillium-web-v10-latin-ext_latin-regular.ttf",
              "bold": "titillium-web-v10-latin-ext_latin-700.ttf",
              "italic": "titillium-web-v10-latin-ext_latin-italic.ttf"}
_VERA = {"regular": "Vera.ttf", "bold": "VeraBd.ttf", "italic": "VeraIt.ttf"}
_BLUE = colors.HexColor("#0066cc")  # Bootstrap Italia primary; on white it passes AA contrast


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str
    italic: bool = False


@dataclass(frozen=True)
class Fields:
    """Label/value pairs, e.g. date, place, chair."""
    rows: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Grid:
    """A table with a header row; cells are plain text."""
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[float] | None = None  #: fractions of the text width


@dataclass(frozen=True)
class Mono:
    """Text whose every character matters (a SHA-256), wrapped anywhere."""
    text: str


Block = Union[Heading, Para, Fields, Grid, Mono]


@dataclass
class PdfDocument:
    title: str
    subject: str = ""
    author: str = "Tavolo"
    footer: str = ""  #: repeated on every page with the page number (e.g. "SHA-256 …")
    lang: str = "it"
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> "PdfDocument":
        self.blocks.extend(blocks)
        return self


def _register_fonts() -> str:
    """Register the family once per process and answer its name."""
    if "Tavolo" in pdfmetrics.getRegisteredFontNames():
        return "Tavolo"
    files = {k: _FONT_DIR / v for k, v in _TITILLIUM.items()}
    if not all(p.is_file() for p in files.values()):
        import reportlab
        vera = Path(reportlab.__file__).parent / "fonts"
        files = {k: vera / v for k, v in _VERA.items()}
    for style, path in files.items():
        pdfmetrics.registerFont(TTFont("Tavolo" if style == "regular" else f"Tavolo-{style}", str(path)))
    pdfmetrics.registerFontFamily("Tavolo", normal="Tavolo", bold="Tavolo-bold", italic="Tavolo-italic",
                                  boldItalic="Tavolo-bold")
    return "Tavolo"


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=14, alignment=TA_LEFT, spaceAfter=4)
    return {
        "body": base,
        "italic": ParagraphStyle("italic", parent=base, fontName=f"{font}-italic"),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=11, spaceAfter=0),
        "head": ParagraphStyle("headcell", parent=base, fontName=f"{font}-bold", fontSize=9, leading=11,
                               spaceAfter=0),
        "mono": ParagraphStyle("mono", parent=base, fontName="Courier", fontSize=8.5, leading=11,
                               wordWrap="CJK"),
        "h0": ParagraphStyle("title", parent=base, fontName=f"{font}-bold", fontSize=18, leading=22,
                             textColor=_BLUE, spaceAfter=8),
        "h1": ParagraphStyle("h1", parent=base, fontName=f"{font}-bold", fontSize=14, leading=18,
                             textColor=_BLUE, spaceBefore=10, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontName=f"{font}-bold", fontSize=11.5, leading=15,
                             spaceBefore=6, spaceAfter=2),
        "h3": ParagraphStyle("h3", parent=base, fontName=f"{font}-bold", fontSize=10.5, leading=14,
                             spaceBefore=4, spaceAfter=2),
    }


def _text(value: str) -> str:
    """Plain text to platypus markup: escaped, line breaks kept."""
    return escape(value or "").replace("\n", "<br/>")


def _table(rows: list[list[Paragraph]], widths: list[float], header: bool) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a8a8a")),
             ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6f0fa")))
    table.setStyle(TableStyle(style))
    return table


def _flowables(blocks: Iterable[Block], styles: dict[str, ParagraphStyle], width: float) -> list:
    out: list = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(Paragraph(_text(block.text), styles[f"h{min(block.level, 3)}"]))
        elif isinstance(block, Para):
            out.append(Paragraph(_text(block.text), styles["italic" if block.italic else "body"]))
        elif isinstance(block, Mono):
            out.append(Paragraph(_text(block.text), styles["mono"]))
        elif isinstance(block, Fields):
            rows = [[Paragraph(_text(k), styles["head"]), Paragraph(_text(v), styles["cell"])] for k, v in block.rows]
            if rows:
                out.append(KeepTogether(_table(rows, [width * 0.3, width * 0.7], header=False)))
                out.append(Spacer(1, 6))
        elif isinstance(block, Grid):
            fractions = list(block.widths or [1 / len(block.header)] * len(block.header))
            rows = [[Paragraph(_text(h), styles["head"]) for h in block.header]]
            rows += [[Paragraph(_text(str(c)), styles["cell"]) for c in row] for row in block.rows]
            out.append(_table(rows, [width * f for f in fractions], header=True))
            out.append(Spacer(1, 6))
    return out


def render_pdf(document: PdfDocument) -> bytes:
    """The PDF's bytes; the first block is usually a level-0 heading with the title."""
    font = _register_fonts()
    styles = _styles(font)
    buffer = io.BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                                 topMargin=18 * mm, bottomMargin=20 * mm, title=document.title,
                                 subject=document.subject, author=document.author, creator="Tavolo", lang=document.lang)

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.HexColor("#4d4d4d"))
        canvas.drawString(20 * mm, 10 * mm, document.footer[:120])
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    template.build(_flowables(document.blocks, styles, template.width), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def pdf_response(data: bytes, filename: str):
    """Served inline (browsers open it in their viewer) with a file name for saving."""
    from flask import Response
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"})
