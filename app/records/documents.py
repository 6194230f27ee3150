"""The verbale and the DocPP as PDFs (selectable text, Titillium Web): printed from the stored Markdown, so the
paper says exactly what was approved, with its SHA-256 in every page's footer once frozen."""
from __future__ import annotations

import re

from flask_babel import format_datetime, gettext as _

from app.core.pdf import Block, Fields, Heading, Mono, Para, PdfDocument, render_pdf
from app.records.models import VotedRecord


def _plain(text: str) -> str:
    """The draft's light Markdown (bold markers) as plain text."""
    return text.replace("**", "")


def markdown_blocks(text: str) -> list[Block]:
    """Headings (#, ##, ###), list items (-, with indented continuations), quoted text (>, in italics:
    the proposals the DocPP quotes) and paragraphs."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    quoted = False

    def flush() -> None:
        if paragraph:
            blocks.append(Para(_plain(" ".join(paragraph)), italic=quoted))
            paragraph.clear()

    for raw in text.split("\n"):
        line = raw.rstrip()
        is_quote = line.startswith(">")
        # a quoted text's own headings stay text: the document's outline is its own
        heading = None if is_quote else re.match(r"^(#{1,3}) (.+)", line)
        if is_quote != quoted:
            flush()
            quoted = is_quote
        if is_quote:
            line = line[1:].strip()
        if not line.strip():
            flush()
        elif heading:
            flush()
            blocks.append(Heading(_plain(heading.group(2)), len(heading.group(1))))
        elif line.startswith("- "):
            flush()
            paragraph.append("• " + line[2:])
        elif line.startswith("  ") and paragraph:
            paragraph.append(line.strip())
        else:
            if paragraph and paragraph[0].startswith("• "):
                flush()
            paragraph.append(line.strip())
    flush()
    return blocks


def record_pdf(record: VotedRecord, subject: str) -> bytes:
    """A verbale or the DocPP on paper: its state, and once frozen the hash the audit chain holds."""
    status = (_("Approvato dal Tavolo il %(date)s", date=format_datetime(record.approved_at)) if record.frozen
              else _("BOZZA (revisione %(n)d): non ancora approvata dal Tavolo", n=record.revision))
    footer = f"SHA-256 {record.sha256}" if record.frozen else _("Bozza – revisione %(n)d", n=record.revision)
    document = PdfDocument(title=record.title, subject=subject, footer=footer)
    document.add(Heading(record.title, 0), Fields([(_("Stato"), status)]))
    if record.frozen:
        document.add(Para(_("Impronta SHA-256 del testo approvato (UTF-8), registrata nel registro pubblico:")),
                     Mono(record.sha256 or ""))
    document.add(*markdown_blocks(record.body))
    return render_pdf(document)
