"""The pact's services: Markdown import, clause texts (via app.deliberation), endorsements, versions, signatures."""
from __future__ import annotations

import hashlib
import re
import zlib
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.audit.services import record
from app.core.db import isoformat, lock_for_append, utcnow
from app.core.diff import diff_texts
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.core.permissions import is_authenticated, require
from app.core.realtime import queue_event, topic_room
from app.core.routing import is_row_id
from app.deliberation.models import Revision
from app.deliberation.services import BODY_MAX, REASON_MAX, clean_text, create_revision, revise
from app.deliberation.subjects import Action, Subject, subject_for
from app.pact.models import Clause, Endorsement, Pact, PactSection, PactVersion, Signature

SUBJECT_TYPE = "clause"
INITIAL_REASON = "Prima versione"
POSITIONS = ("endorse", "reservation", "oppose")
COMMITMENTS_HEADING = "Impegni:"
#: advisory-lock keys of an organization's acts on one object (PostgreSQL; SQLite has one write lock)
ORGANIZATION_LOCK_BASE = 0x5041 << 48


def organization_lock_key(kind: str, object_id: int, organization_id: int) -> int:
    """One key per (kind, object, organization): an organization's concurrent acts on one object
    queue up, everyone else's pass."""
    return ORGANIZATION_LOCK_BASE + zlib.crc32(f"{kind}:{object_id}:{organization_id}".encode())


# --- permissions ---------------------------------------------------------------------------------

def can_view_pact(user: Any, obj: Any) -> bool:
    """The pact is a public document."""
    return True


def can_edit_pact(user: Any, obj: Any = None) -> bool:
    return is_authenticated(user) and user.is_chair


def represents(user: Any) -> bool:
    """A delegate or substitute: a member account attached to an organization."""
    return is_authenticated(user) and user.role == "member" and user.organization_id is not None


def _require_organization(actor: Any) -> int:
    require(is_authenticated(actor), actor)
    if not represents(actor):
        raise Forbidden(_("Solo chi rappresenta un'organizzazione (delegato o supplente) può farlo."),
                         code="no_organization")
    return actor.organization_id



# --- subjects hooks ------------------------------------------------------------------------------

def load_clause(session: Session, clause_id: int) -> Clause | None:
    return session.get(Clause, clause_id)


def apply_revision(session: Session, clause: Clause, revision: Revision) -> None:
    clause.title = revision.title
    body, commitments = split_clause_text(revision.body)
    clause.body = body
    clause.commitments = "\n".join(commitments)
    clause.revision = revision.number
    clause.updated_at = revision.created_at
    queue_event(session, topic_room("pact", clause.pact_id), "clause_changed", {
        "pact_id": clause.pact_id, "clause_id": clause.id, "revision": revision.number, "title": revision.title,
    })


def clause_accepts(clause: Clause, action: Action) -> bool:
    return True


def as_subject(clause: Clause) -> Subject:
    return subject_for(clause, SUBJECT_TYPE)


# --- loading -------------------------------------------------------------------------------------

def get_pact(session: Session, pact_id: Any) -> Pact:
    pact = session.get(Pact, pact_id) if is_row_id(pact_id) else None
    if pact is None:
        raise NotFound(_("Patto non trovato."), code="pact_not_found")
    return pact


def get_clause(session: Session, clause_id: Any) -> Clause:
    clause = session.get(Clause, clause_id) if is_row_id(clause_id) else None
    if clause is None:
        raise NotFound(_("Clausola non trovata."), code="clause_not_found")
    return clause


def list_pacts(session: Session) -> list[Pact]:
    return list(session.scalars(sa.select(Pact).order_by(Pact.id)))


def clauses_of(pact: Pact) -> list[Clause]:
    return [clause for section in pact.sections for clause in section.clauses]


# --- Markdown ------------------------------------------------------------------------------------

def clause_text(body: str, commitments: list[str]) -> str:
    """A clause's whole text as one Markdown block, the form its revisions and amendments take, so that
    a change to the commitments asked of signatories is revised, diffed and amended like the body."""
    if not commitments:
        return body
    return "\n".join([body, "", COMMITMENTS_HEADING] + [f"- {c}" for c in commitments])


def split_clause_text(text: str) -> tuple[str, list[str]]:
    """The inverse of clause_text: the body, and the `- item` lines after a line `Impegni:`."""
    body: list[str] = []
    commitments: list[str] = []
    in_commitments = False
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip() == COMMITMENTS_HEADING:
            in_commitments = True
        elif in_commitments and line.startswith("- "):
            commitments.append(line[2:].strip())
        else:
            body.append(line)
    return "\n".join(body).strip(), commitments


def parse_markdown(text: str) -> list[dict[str, Any]]:
    """`# Section`, `## Clause title`, body paragraphs, then an optional `Impegni:` list of `- item`."""
    sections: list[dict[str, Any]] = []
    lines: list[str] | None = None
    for line in text.replace("\r\n", "\n").split("\n"):
        if re.match(r"^# ", line):
            sections.append({"title": line[2:].strip(), "clauses": []})
            lines = None
        elif re.match(r"^## ", line):
            if not sections:
                raise InvalidInput(_("Una clausola deve stare sotto una sezione (# Titolo)."),
                                   code="clause_without_section")
            lines = []
            sections[-1]["clauses"].append({"title": line[3:].strip(), "lines": lines})
        elif lines is not None:
            lines.append(line)
    for section in sections:
        for item in section["clauses"]:
            item["body"], item["commitments"] = split_clause_text("\n".join(item.pop("lines")))
            if not item["body"]:
                raise InvalidInput(_("La clausola «%(t)s» non ha testo.", t=item["title"]), code="empty_clause")
    if not any(s["clauses"] for s in sections):
        raise InvalidInput(_("Il testo non contiene clausole."), code="no_clauses")
    return sections


def import_pact(session: Session, actor: Any, title: Any, markdown: Any) -> Pact:
    """A new pact from a Markdown draft (chair or admin); each clause gets its first revision."""
    require(can_edit_pact(actor), actor)
    title = clean_text(title, "title", 200)
    parsed = parse_markdown(clean_text(markdown, "markdown", 200_000))
    pact = Pact(title=title, created_at=utcnow())
    session.add(pact)
    session.flush()
    number = 0
    for position, item in enumerate(parsed, start=1):
        section = PactSection(pact_id=pact.id, position=position, title=item["title"][:200])
        session.add(section)
        session.flush()
        for clause_item in item["clauses"]:
            number += 1
            clause = Clause(pact_id=pact.id, section_id=section.id, number=number, title=clause_item["title"][:200],
                            body=clause_item["body"], commitments="\n".join(clause_item["commitments"]))
            session.add(clause)
            session.flush()
            create_revision(session, actor, as_subject(clause), title=clause.title,
                            body=clause_text(clause.body, clause.commitment_list), reason=INITIAL_REASON)
    record(session, actor, "pact.pact.imported", pact, {"title": title, "clauses": number})
    session.expire(pact, ["sections"])
    return pact


def export_markdown(pact: Pact) -> str:
    """The working text in the import format (import → export → import gives the same pact)."""
    lines: list[str] = []
    for section in pact.sections:
        lines += [f"# {section.title}", ""]
        for clause in section.clauses:
            lines += [f"## {clause.title}", "", clause_text(clause.body, clause.commitment_list), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def canonical_text(pact: Pact) -> str:
    """The text that is hashed: the export Markdown preceded by the pact's title (see docs/pact.md)."""
    return f"{pact.title}\n\n{export_markdown(pact)}"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- clauses -------------------------------------------------------------------------------------

def revise_clause(session: Session, actor: Any, clause: Clause, *, reason: Any, title: Any = None,
                  body: Any = None, commitments: Any = None) -> Revision:
    """The chair's direct edit with a required reason; the working text becomes the next version.
    What is not given (body, commitments) stays as it is."""
    clean_text(reason, "reason", REASON_MAX)
    text = None
    if body is not None or commitments is not None:
        new_body = clean_text(body, "body", BODY_MAX) if body is not None else clause.body
        text = clause_text(new_body, _commitment_items(commitments) if commitments is not None
                           else clause.commitment_list)
    return revise(session, actor, as_subject(clause), reason=reason, title=title, body=text)


def _commitment_items(value: Any) -> list[str]:
    """A list of commitments (API) or one per line (form): non-empty strings, each one line."""
    items = value.split("\n") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise InvalidInput(_("Gli impegni sono un elenco di testi."), code="invalid_commitments",
                           fields={"commitments": ["invalid"]})
    return [i.strip().lstrip("- ").strip() for i in items if i.strip()]


# --- endorsements --------------------------------------------------------------------------------

def current_endorsement(session: Session, clause: Clause, organization_id: int) -> Endorsement | None:
    return session.scalar(sa.select(Endorsement).where(
        Endorsement.clause_id == clause.id, Endorsement.organization_id == organization_id,
        Endorsement.superseded_at.is_(None)))


def set_endorsement(session: Session, actor: Any, clause: Clause, position: Any, note: Any = "") -> Endorsement:
    """The actor's organization takes (or changes) its position; the previous row stays as history."""
    organization_id = _require_organization(actor)
    if position not in POSITIONS:
        raise InvalidInput(_("Posizione non valida: adesione, adesione con riserva o contrarietà."),
                           code="invalid_position", fields={"position": ["invalid"]})
    note = clean_text(note, "note", REASON_MAX, required=False)
    if position == "reservation" and not note:
        raise InvalidInput(_("Una riserva richiede il suo testo."), code="reservation_text_required",
                           fields={"note": ["required"]})
    if position == "oppose" and not note:
        raise InvalidInput(_("La contrarietà richiede una motivazione."), code="oppose_reason_required",
                           fields={"note": ["required"]})
    # two members of one organization may change its position at once: the second waits and then
    # supersedes the first's row (without the lock both saw no current row and one hit the unique index)
    lock_for_append(session, organization_lock_key("endorsement", clause.id, organization_id))
    now = utcnow()
    previous = current_endorsement(session, clause, organization_id)
    if previous is not None:
        if previous.position == position and previous.note == note:
            raise Conflict(_("La posizione è già questa."), code="no_change")
        previous.superseded_at = now
        session.flush()
    endorsement = Endorsement(clause_id=clause.id, organization_id=organization_id, user_id=actor.id,
                              position=position, note=note, created_at=now)
    session.add(endorsement)
    session.flush()
    record(session, actor, "pact.endorsement.set", endorsement, {
        "clause_id": clause.id, "organization_id": organization_id, "position": position, "note": note,
        "previous": previous.position if previous else None,
    })
    queue_event(session, topic_room("pact", clause.pact_id), "endorsement_changed", {
        "pact_id": clause.pact_id, "clause_id": clause.id, "clause_number": clause.number,
        "organization_id": organization_id, "organization_name": actor.organization.name,
        "position": position, "note": note, "counts": endorsement_counts(session, clause),
    })
    return endorsement


def is_conflict(counts: dict[str, int]) -> bool:
    """The table conflicts on a clause when someone opposes it and someone else endorses it."""
    return counts["oppose"] > 0 and counts["endorse"] + counts["reservation"] > 0


def endorsement_counts(session: Session, clause: Clause) -> dict[str, int]:
    rows = session.execute(sa.select(Endorsement.position, sa.func.count(Endorsement.id)).where(
        Endorsement.clause_id == clause.id, Endorsement.superseded_at.is_(None)).group_by(Endorsement.position))
    counts = {p: 0 for p in POSITIONS}
    counts.update({position: n for position, n in rows})
    return counts


def endorsement_matrix(session: Session, pact: Pact) -> dict[str, Any]:
    """Organizations × clauses with the current positions, counts per clause and the conflicts."""
    from app.organizations.models import Organization

    clauses = clauses_of(pact)
    current = list(session.scalars(sa.select(Endorsement).join(Clause, Clause.id == Endorsement.clause_id).where(
        Clause.pact_id == pact.id, Endorsement.superseded_at.is_(None))))
    org_ids = sorted({e.organization_id for e in current})
    organizations = list(session.scalars(sa.select(Organization).where(Organization.id.in_(org_ids))
                                         .order_by(Organization.name))) if org_ids else []
    cells = [{"clause_id": e.clause_id, "organization_id": e.organization_id, "position": e.position,
              "note": e.note, "since": isoformat(e.created_at)} for e in current]
    summary = []
    for clause in clauses:
        counts = {p: 0 for p in POSITIONS}
        for e in current:
            if e.clause_id == clause.id:
                counts[e.position] += 1
        summary.append({"clause_id": clause.id, "number": clause.number, "title": clause.title, "counts": counts,
                        "conflict": is_conflict(counts)})
    return {"pact_id": pact.id, "organizations": [{"id": o.id, "name": o.name} for o in organizations],
            "clauses": summary, "cells": cells}


# --- versions ------------------------------------------------------------------------------------

def freeze_version(session: Session, actor: Any, pact: Pact) -> PactVersion:
    """The chair freezes the current working text as the next numbered version with its hash."""
    require(can_edit_pact(actor), actor)
    text = canonical_text(pact)
    last = pact.versions[-1] if pact.versions else None
    if last is not None and last.canonical_text == text:
        raise Conflict(_("Il testo non è cambiato dall'ultima versione."), code="version_unchanged")
    version = PactVersion(pact_id=pact.id, number=(last.number + 1) if last else 1, canonical_text=text,
                          sha256=sha256_hex(text), frozen_by_id=actor.id, frozen_at=utcnow())
    session.add(version)
    session.flush()
    session.expire(pact, ["versions"])
    record(session, actor, "pact.version.frozen", version,
           {"pact_id": pact.id, "number": version.number, "sha256": version.sha256})
    return version


def get_version(session: Session, pact: Pact, number: Any) -> PactVersion:
    version = None
    if is_row_id(number):  # version numbers share the ids' range (1..ID_MAX)
        version = session.scalar(sa.select(PactVersion).where(PactVersion.pact_id == pact.id,
                                                              PactVersion.number == number))
    if version is None:
        raise NotFound(_("Versione del patto non trovata."), code="version_not_found")
    return version


def diff_versions(session: Session, pact: Pact, from_number: Any, to_number: Any) -> dict[str, Any]:
    old = get_version(session, pact, from_number)
    new = get_version(session, pact, to_number)
    return {"from": old.number, "to": new.number, "body": diff_texts(old.canonical_text, new.canonical_text)}


# --- the table's decisions (consequences of yes/no polls, registered with app.votes.hooks) --------

VERSION_SUBJECT_TYPE = "pact_version"


def decide_clause(session: Session, actor: Any, clause_id: int, passed: bool) -> None:
    """A yes/no poll on a clause: the table approves or rejects its current revision.

    The decision names the revision it was taken on, so a later edit shows the text changed since
    the vote (the page says so) instead of silently carrying the approval over."""
    clause = get_clause(session, clause_id)
    clause.decision = "approved" if passed else "rejected"
    clause.decided_revision = clause.revision
    clause.decided_at = utcnow()
    session.flush()
    record(session, actor, "pact.clause.decided", clause,
           {"pact_id": clause.pact_id, "number": clause.number, "decision": clause.decision,
            "revision": clause.revision})
    queue_event(session, topic_room("pact", clause.pact_id), "clause_changed", {
        "pact_id": clause.pact_id, "clause_id": clause.id, "revision": clause.revision, "title": clause.title,
        "decision": clause.decision, "decided_revision": clause.decided_revision,
    })


def decide_version(session: Session, actor: Any, version_id: int, passed: bool) -> None:
    """A yes/no poll on a frozen version: the table adopts (or not) that text as the final pact."""
    version = session.get(PactVersion, version_id) if is_row_id(version_id) else None
    if version is None:
        raise NotFound(_("Versione del patto non trovata."), code="version_not_found")
    version.approved = passed
    version.decided_at = utcnow()
    session.flush()
    record(session, actor, "pact.version.decided", version,
           {"pact_id": version.pact_id, "number": version.number, "sha256": version.sha256, "approved": passed})


def register_consequences() -> None:
    from app.votes.hooks import register_subject_handler

    register_subject_handler(SUBJECT_TYPE, decide_clause, Clause)
    register_subject_handler(VERSION_SUBJECT_TYPE, decide_version, PactVersion)


# --- signatures ----------------------------------------------------------------------------------

def active_signature(session: Session, pact: Pact, organization_id: int) -> Signature | None:
    return session.scalar(sa.select(Signature).where(
        Signature.pact_id == pact.id, Signature.organization_id == organization_id, Signature.withdrawn_at.is_(None)))


def sign_pact(session: Session, actor: Any, pact: Pact, version_number: Any, declaration: Any = "",
              organization_id: Any = None) -> Signature:
    """The actor's organization signs a frozen version (founding signatory if it is version 1)."""
    own = _require_organization(actor)
    if organization_id is not None and organization_id != own:
        raise Forbidden(_("Si firma solo per la propria organizzazione."), code="not_own_organization")
    version = get_version(session, pact, version_number)
    declaration = clean_text(declaration, "declaration", REASON_MAX, required=False)
    # two members of one organization signing at once: the later one waits and is told it is signed
    lock_for_append(session, organization_lock_key("signature", pact.id, own))
    if active_signature(session, pact, own) is not None:
        raise Conflict(_("La tua organizzazione ha già firmato il patto."), code="already_signed")
    signature = Signature(pact_id=pact.id, version_id=version.id, organization_id=own, user_id=actor.id,
                          declaration=declaration, founding=version.number == 1, signed_at=utcnow())
    session.add(signature)
    session.flush()
    record(session, actor, "pact.signature.added", signature, {
        "pact_id": pact.id, "version": version.number, "sha256": version.sha256, "organization_id": own,
        "founding": signature.founding,
    })
    return signature


def withdraw_signature(session: Session, actor: Any, pact: Pact, reason: Any = "") -> Signature:
    own = _require_organization(actor)
    signature = active_signature(session, pact, own)
    if signature is None:
        raise Conflict(_("La tua organizzazione non ha firmato il patto."), code="not_signed")
    signature.withdrawn_at = utcnow()
    signature.withdrawal_reason = clean_text(reason, "reason", REASON_MAX, required=False)
    session.flush()
    record(session, actor, "pact.signature.withdrawn", signature,
           {"pact_id": pact.id, "organization_id": own, "reason": signature.withdrawal_reason})
    return signature


def list_signatures(session: Session, pact: Pact) -> list[Signature]:
    """Every signature, active and withdrawn, in signing order (the public list)."""
    return list(session.scalars(sa.select(Signature).where(Signature.pact_id == pact.id)
                                .order_by(Signature.signed_at, Signature.id)))
