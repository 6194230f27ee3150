"""The verbale as a PDF (selectable text, Titillium Web): printed from the stored Markdown, so the
paper says exactly what was approved, with its SHA-256 in every page's footer once frozen."""
from __future__ import annotations

from flask_babel import format_datetime, gettext as _

from app.core.pdf import Block, Fields, Heading, Mono, Para, PdfDocument, render_pdf
from app.records.models import Minutes


def _plain(text: str) -> str:
    """The draft's light Markdown (bold markers) as plain text."""
    return text.replace("**", "")


def markdown_blocks(text: str) -> list[Block]:
    """Headings (#, ##), list items (-, with indented continuations) and paragraphs."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Para(_plain(" ".join(paragraph))))
            paragraph.clear()

    for raw in text.split("\n"):
        line = raw.rstrip()
        if not line.strip():
            flush()
        elif line.startswith("## "):
            flush()
            blocks.append(Heading(_plain(line[3:]), 2))
        elif line.startswith("# "):
            flush()
            blocks.append(Heading(_plain(line[2:]), 1))
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


def minutes_pdf(minutes: Minutes) -> bytes:
    status = (_("Approvato dal Tavolo il %(date)s", date=format_datetime(minutes.approved_at)) if minutes.frozen
              else _("BOZZA (revisione %(n)d): non ancora approvata dal Tavolo", n=minutes.revision))
    footer = f"SHA-256 {minutes.sha256}" if minutes.frozen else _("Bozza – revisione %(n)d", n=minutes.revision)
    document = PdfDocument(title=minutes.title, subject=_("Verbale"), footer=footer)
    document.add(Heading(minutes.title, 0), Fields([(_("Stato"), status)]))
    if minutes.frozen:
        document.add(Para(_("Impronta SHA-256 del testo approvato (UTF-8), registrata nel registro pubblico:")),
                     Mono(minutes.sha256 or ""))
    document.add(*markdown_blocks(minutes.body))
    return render_pdf(document)
