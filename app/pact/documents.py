"""The pact as printed documents: the working text, and a frozen version signed by the table, with the
version's SHA-256 and its signatories, so that the paper, the public list and the register agree."""
from __future__ import annotations

from itertools import count

from flask_babel import format_datetime, gettext as _
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.core.pdf import Block, Fields, Grid, Heading, Mono, Para, PdfDocument, render_pdf
from app.pact.models import Pact, PactVersion
from app.pact.services import list_signatures, parse_markdown


def _clause_blocks(number: int, title: str, body: str, commitments: list[str]) -> list[Block]:
    blocks: list[Block] = [Heading(_("Art. %(n)d – %(title)s", n=number, title=title), 2), Para(body)]
    if commitments:
        blocks.append(Para(_("Impegni dei firmatari:")))
        blocks += [Para(f"• {item}") for item in commitments]
    return blocks


Section = tuple[str, list[tuple[int, str, str, list[str]]]]


def _sections_blocks(sections: list[Section]) -> list[Block]:
    """Sections and their (number, title, body, commitments) clauses."""
    blocks: list[Block] = []
    for section_title, clauses in sections:
        blocks.append(Heading(section_title, 1))
        for clause in clauses:
            blocks += _clause_blocks(*clause)
    return blocks


def _working_text_blocks(pact: Pact) -> list[Block]:
    return _sections_blocks([(section.title, [(c.number, c.title, c.body, c.commitment_list) for c in section.clauses])
                             for section in pact.sections])


def _canonical_blocks(canonical: str) -> list[Block]:
    """A frozen version is printed from its stored canonical text (the title, a blank line, then the
    import Markdown), never from today's working text; clauses are numbered across the pact."""
    numbers = count(1)
    sections = parse_markdown(canonical.split("\n", 2)[2])
    return _sections_blocks([(s["title"], [(next(numbers), c["title"], c["body"], c["commitments"]) for c in s["clauses"]])
                             for s in sections])


def pact_pdf(pact: Pact) -> bytes:
    """The current working text (a draft unless it equals the last frozen version)."""
    last = pact.versions[-1] if pact.versions else None
    status = (_("Ultima versione congelata: %(n)d, SHA-256 %(sha)s", n=last.number, sha=last.sha256) if last
              else _("Bozza: nessuna versione ancora congelata."))
    document = PdfDocument(title=pact.title, subject=_("Testo di lavoro del Patto"), footer=f"{pact.title}")
    document.add(Heading(pact.title, 0), Para(_("Testo di lavoro al %(date)s.", date=format_datetime(utcnow())), italic=True),
                 Para(status, italic=True))
    document.add(*_working_text_blocks(pact))
    return render_pdf(document)


def signed_pact_pdf(session: Session, pact: Pact, version: PactVersion) -> bytes:
    """Version N as frozen, its fingerprint, and every signature of it (withdrawals shown, not hidden)."""
    signatures = [s for s in list_signatures(session, pact) if s.version_id == version.id]
    document = PdfDocument(title=f"{pact.title} – {_('versione %(n)d', n=version.number)}",
                           subject=_("Patto firmato"), footer=f"SHA-256 {version.sha256}")
    document.add(
        Heading(pact.title, 0),
        Fields([(_("Versione"), str(version.number)),
                (_("Congelata il"), format_datetime(version.frozen_at)),
                (_("Firme valide"), str(sum(1 for s in signatures if s.withdrawn_at is None)))]),
        Para(_("Impronta SHA-256 del testo canonico (UTF-8), verificabile con il registro pubblico:")),
        Mono(version.sha256),
    )
    document.add(*_canonical_blocks(version.canonical_text))
    document.add(Heading(_("Firmatari"), 1))
    if signatures:
        document.add(Grid(
            [_("Organizzazione"), _("Data della firma"), _("Tipo"), _("Stato"), _("Dichiarazione")],
            [[s.organization.name, format_datetime(s.signed_at),
              _("firmataria fondatrice") if s.founding else _("adesione successiva"),
              _("firma ritirata il %(date)s", date=format_datetime(s.withdrawn_at)) if s.withdrawn_at else _("firma valida"),
              s.declaration or "–"] for s in signatures],
            widths=[0.26, 0.17, 0.17, 0.18, 0.22]))
    else:
        document.add(Para(_("Nessuna firma ancora.")))
    return render_pdf(document)
