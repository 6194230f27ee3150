"""Revisions, comments and amendments of any registered subject.

Services take the acting user explicitly, check the permission predicates and the subject's state,
write the rows and the audit entry in the caller's transaction, queue live events, and flush.
"""
from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.audit.services import record
from app.core.db import isoformat, lock_for_append, utcnow
from app.core.diff import DiffOp, diff_texts
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.markdown import render_markdown
from app.core.permissions import require
from app.core.realtime import queue_event
from app.deliberation.models import (
    MAX_COMMENT_DEPTH, Alignment, Amendment, AmendmentState, Comment, CommentEdit, CommentFlag, Revision,
)
from app.deliberation.permissions import (
    can_add_comment, can_create_amendment, can_create_revision, can_decide_amendment, can_edit_comment,
    can_flag_comment, can_hide_comment, can_manage_amendment, can_view_subject,
)
from app.deliberation.subjects import BODY_MAX, Subject, load_subject  # noqa: F401  (BODY_MAX: re-exported)

TITLE_MAX = 200
COMMENT_MAX = 5_000
REASON_MAX = 2_000
#: PostgreSQL advisory-lock keys of subjects live above this base (the audit chain's key is below it)
SUBJECT_LOCK_BASE = 0x44454C00_00000000


# --- text validation -----------------------------------------------------------------------------

def clean_text(value: Any, name: str, max_length: int, *, required: bool = True) -> str:
    """A user's text, stripped, with Unix line ends; refused when empty (if required) or too long."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("Testo non valido."), code="invalid_text", fields={name: ["invalid"]})
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not text:
        raise InvalidInput(_("Il testo non può essere vuoto."), code="empty_text", fields={name: ["required"]})
    if len(text) > max_length:
        raise InvalidInput(
            _("Il testo è troppo lungo (al massimo %(n)d caratteri).", n=max_length),
            code="text_too_long", fields={name: ["too_long"]},
        )
    return text


def text_hash(text: str) -> str:
    """SHA-256 of a text: the public audit log fixes the exact wording without repeating it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _organization_id(user: Any) -> int | None:
    return getattr(user, "organization_id", None)


def lock_subject(session: Session, subject: Subject) -> None:
    """Serialize writers of one subject's revisions (numbers are max + 1) until the commit."""
    key = SUBJECT_LOCK_BASE + zlib.crc32(subject.ref.encode("utf-8"))
    lock_for_append(session, key)


# --- revisions -----------------------------------------------------------------------------------

def list_revisions(session: Session, subject: Subject) -> list[Revision]:
    return list(session.scalars(
        sa.select(Revision).where(Revision.subject_type == subject.type, Revision.subject_id == subject.id)
        .order_by(Revision.number)
    ))


def current_revision(session: Session, subject: Subject) -> Revision | None:
    return session.scalar(
        sa.select(Revision).where(Revision.subject_type == subject.type, Revision.subject_id == subject.id)
        .order_by(Revision.number.desc()).limit(1)
    )


def get_revision(session: Session, subject: Subject, number: Any) -> Revision:
    revision = None
    if isinstance(number, int) and not isinstance(number, bool):
        revision = session.scalar(sa.select(Revision).where(
            Revision.subject_type == subject.type, Revision.subject_id == subject.id, Revision.number == number))
    if revision is None:
        raise NotFound(_("Revisione non trovata."), code="revision_not_found")
    return revision


def create_revision(
    session: Session, actor: Any, subject: Subject, *, title: str, body: str, reason: str,
    amendment: Amendment | None = None,
) -> Revision:
    """Append the subject's next revision and make it current.

    No permission check here: callers authorize (the first text of a new subject, `revise`,
    `accept_amendment`). Call it before any other audit entry of the transaction (lock order).
    """
    title = clean_text(title, "title", TITLE_MAX)
    body = clean_text(body, "body", subject.kind.body_max)
    reason = clean_text(reason, "reason", REASON_MAX)
    lock_subject(session, subject)
    last = current_revision(session, subject)
    revision = Revision(
        subject_type=subject.type, subject_id=subject.id, number=(last.number + 1) if last else 1,
        title=title, body=body, reason=reason, author_id=getattr(actor, "id", None),
        organization_id=_organization_id(actor), created_at=utcnow(),
        amendment_id=amendment.id if amendment is not None else None,
    )
    session.add(revision)
    session.flush()
    subject.kind.apply_revision(session, subject.obj, revision)
    session.flush()
    record(session, actor, "deliberation.revision.created", revision, {
        "subject": subject.ref, "number": revision.number, "title": title, "reason": reason,
        "body_sha256": text_hash(body), "amendment_id": revision.amendment_id,
    })
    return revision


def revise(
    session: Session, actor: Any, subject: Subject, *, reason: str, title: str | None = None,
    body: str | None = None,
) -> Revision:
    """A direct edit of the subject's text by whoever may revise it: a new revision with a reason."""
    require(can_create_revision(actor, subject), actor)
    if not subject.accepts("revise"):
        raise Conflict(_("Il testo non è più modificabile in questa fase."), code="subject_closed")
    lock_subject(session, subject)
    current = current_revision(session, subject)
    new_title = clean_text(title, "title", TITLE_MAX) if title is not None else current.title
    new_body = clean_text(body, "body", subject.kind.body_max) if body is not None else current.body
    clean_text(reason, "reason", REASON_MAX)
    if new_title == current.title and new_body == current.body:
        raise InvalidInput(_("Il testo è uguale alla versione corrente."), code="no_change")
    return create_revision(session, actor, subject, title=new_title, body=new_body, reason=reason)


def diff_revisions(session: Session, subject: Subject, from_number: Any, to_number: Any) -> dict[str, Any]:
    """What changed from one revision to another (either order), as structured ops."""
    old = get_revision(session, subject, from_number)
    new = get_revision(session, subject, to_number)
    return {
        "from": old.number, "to": new.number,
        "title": diff_texts(old.title, new.title), "body": diff_texts(old.body, new.body),
    }


# --- comments ------------------------------------------------------------------------------------

def count_comments(session: Session, subject_type: str, subject_ids: list[int]) -> dict[int, int]:
    """Comments per subject of one type, for lists (one query, whatever the number of subjects)."""
    if not subject_ids:
        return {}
    rows = session.execute(
        sa.select(Comment.subject_id, sa.func.count(Comment.id))
        .where(Comment.subject_type == subject_type, Comment.subject_id.in_(subject_ids))
        .group_by(Comment.subject_id)
    )
    return {subject_id: count for subject_id, count in rows}


def list_comments(session: Session, subject: Subject) -> list[Comment]:
    return list(session.scalars(
        sa.select(Comment).where(Comment.subject_type == subject.type, Comment.subject_id == subject.id)
        .order_by(Comment.created_at, Comment.id)
    ))


@dataclass
class ThreadNode:
    comment: Comment
    replies: list["ThreadNode"] = field(default_factory=list)


def comment_thread(comments: list[Comment]) -> list[ThreadNode]:
    """Comments (in date order) as a tree of top-level comments and their replies."""
    nodes = {c.id: ThreadNode(c) for c in comments}
    roots: list[ThreadNode] = []
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent else roots).append(nodes[comment.id])
    return roots


def get_comment(session: Session, comment_id: Any) -> Comment:
    comment = session.get(Comment, comment_id) if isinstance(comment_id, int) and not isinstance(comment_id, bool) else None
    if comment is None:
        raise NotFound(_("Commento non trovato."), code="comment_not_found")
    return comment


def subject_of(session: Session, item: Comment | Amendment) -> Subject:
    return load_subject(session, item.subject_type, item.subject_id)


def require_visible(user: Any, subject: Subject) -> Subject:
    """The subject if the user may read it; otherwise it does not exist for them (like a draft)."""
    if not can_view_subject(user, subject):
        raise NotFound(_("Testo non trovato."), code="subject_not_found")
    return subject


def _thread_hidden(session: Session, comment: Comment) -> bool:
    node: Comment | None = comment
    while node is not None:
        if node.hidden:
            return True
        node = session.get(Comment, node.parent_id) if node.parent_id else None
    return False


def _clean_alignment(alignment: Any) -> str | None:
    if alignment in (None, ""):
        return None
    if alignment not in {a.value for a in Alignment}:
        raise InvalidInput(_("Posizione non valida: a favore, contro o neutrale."), code="invalid_alignment",
                           fields={"alignment": ["invalid"]})
    return alignment


def comment_payload(comment: Comment) -> dict[str, Any]:
    """A comment as the API and the live channel show it; a hidden comment's text is withheld."""
    hidden = comment.hidden
    return {
        "id": comment.id,
        "subject": {"type": comment.subject_type, "id": comment.subject_id},
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "alignment": comment.alignment,
        "author": {"id": comment.author_id, "name": comment.author.name if comment.author else None},
        "organization": (
            {"id": comment.organization.id, "name": comment.organization.name} if comment.organization else None
        ),
        "created_at": isoformat(comment.created_at),
        "edited_at": isoformat(comment.edited_at),
        "hidden": hidden,
        "hidden_reason": comment.hidden_reason if hidden else None,
        "body": None if hidden else comment.body,
        "body_html": None if hidden else str(render_markdown(comment.body)),
    }


def add_comment(
    session: Session, actor: Any, subject: Subject, body: Any, *, parent_id: Any = None, alignment: Any = None,
) -> Comment:
    require(can_add_comment(actor, subject), actor)
    if not subject.accepts("comment"):
        raise Conflict(_("I commenti sono chiusi per questo testo."), code="comments_closed")
    body = clean_text(body, "body", COMMENT_MAX)
    alignment = _clean_alignment(alignment)
    depth = 0
    if parent_id is not None:
        parent = session.get(Comment, parent_id) if isinstance(parent_id, int) and not isinstance(parent_id, bool) else None
        if parent is None or (parent.subject_type, parent.subject_id) != (subject.type, subject.id):
            raise InvalidInput(_("Il commento a cui rispondi non esiste."), code="parent_not_found",
                               fields={"parent_id": ["not_found"]})
        if _thread_hidden(session, parent):
            raise Conflict(_("Non si può rispondere in una discussione nascosta dalla moderazione."),
                           code="thread_hidden")
        depth = parent.depth + 1
        if depth >= MAX_COMMENT_DEPTH:
            raise InvalidInput(_("Le risposte si fermano al terzo livello: rispondi al commento precedente."),
                               code="thread_too_deep", fields={"parent_id": ["too_deep"]})
    comment = Comment(
        subject_type=subject.type, subject_id=subject.id, parent_id=parent_id, depth=depth, body=body,
        alignment=alignment, author_id=actor.id, organization_id=_organization_id(actor), created_at=utcnow(),
    )
    session.add(comment)
    session.flush()
    record(session, actor, "deliberation.comment.added", comment, {
        "subject": subject.ref, "parent_id": parent_id, "alignment": alignment, "body_sha256": text_hash(body),
    })
    queue_event(session, subject.room, "comment_added", {"subject": subject.as_dict(), "comment": comment_payload(comment)})
    return comment


def edit_comment(session: Session, actor: Any, comment: Comment, body: Any) -> Comment:
    require(can_edit_comment(actor, comment), actor)
    subject = subject_of(session, comment)
    if comment.hidden:
        raise Conflict(_("Un commento nascosto dalla moderazione non si può modificare."), code="comment_hidden")
    if not subject.accepts("comment"):
        raise Conflict(_("I commenti sono chiusi per questo testo."), code="comments_closed")
    body = clean_text(body, "body", COMMENT_MAX)
    if body == comment.body:
        raise InvalidInput(_("Il testo è uguale a quello attuale."), code="no_change")
    now = utcnow()
    comment.edits.append(CommentEdit(previous_body=comment.body, edited_by_id=actor.id, edited_at=now))
    previous_hash = text_hash(comment.body)
    comment.body = body
    comment.edited_at = now
    session.flush()
    record(session, actor, "deliberation.comment.edited", comment, {
        "subject": subject.ref, "previous_sha256": previous_hash, "body_sha256": text_hash(body),
    })
    return comment


def flag_comment(session: Session, actor: Any, comment: Comment, reason: Any = "") -> CommentFlag:
    require(can_flag_comment(actor, comment), actor)
    subject = require_visible(actor, subject_of(session, comment))
    reason = clean_text(reason, "reason", REASON_MAX, required=False)
    if session.scalar(sa.select(CommentFlag.id).where(CommentFlag.comment_id == comment.id, CommentFlag.user_id == actor.id)):
        raise Conflict(_("Hai già segnalato questo commento."), code="already_flagged")
    flag = CommentFlag(user_id=actor.id, reason=reason, created_at=utcnow())
    comment.flags.append(flag)
    session.flush()
    # the reason goes to the moderation, not to the public log
    record(session, actor, "deliberation.comment.flagged", comment, {"subject": subject.ref})
    return flag


def hide_comment(session: Session, actor: Any, comment: Comment, reason: Any) -> Comment:
    subject = subject_of(session, comment)
    require(can_hide_comment(actor, subject), actor)
    reason = clean_text(reason, "reason", REASON_MAX)
    if comment.hidden:
        raise Conflict(_("Il commento è già nascosto."), code="already_hidden")
    comment.hidden_at = utcnow()
    comment.hidden_by_id = actor.id
    comment.hidden_reason = reason
    session.flush()
    record(session, actor, "deliberation.comment.hidden", comment, {"subject": subject.ref, "reason": reason})
    queue_event(session, subject.room, "comment_hidden",
                {"subject": subject.as_dict(), "comment_id": comment.id, "reason": reason})
    return comment


# --- amendments ----------------------------------------------------------------------------------

def get_amendment(session: Session, amendment_id: Any, viewer: Any = None) -> Amendment:
    """An amendment; a draft exists only for its author."""
    amendment = (
        session.get(Amendment, amendment_id)
        if isinstance(amendment_id, int) and not isinstance(amendment_id, bool) else None
    )
    if amendment is None or (amendment.state == AmendmentState.DRAFT.value and not can_manage_amendment(viewer, amendment)):
        raise NotFound(_("Emendamento non trovato."), code="amendment_not_found")
    return amendment


def list_amendments(session: Session, subject: Subject, viewer: Any = None) -> list[Amendment]:
    """Every amendment of the subject (rejected and withdrawn stay visible); drafts for their author."""
    query = sa.select(Amendment).where(Amendment.subject_type == subject.type, Amendment.subject_id == subject.id)
    viewer_id = getattr(viewer, "id", None)
    draft = Amendment.state == AmendmentState.DRAFT.value
    query = query.where(sa.or_(~draft, Amendment.author_id == viewer_id) if viewer_id else ~draft)
    return list(session.scalars(query.order_by(Amendment.created_at, Amendment.id)))


def _require_state(amendment: Amendment, *states: AmendmentState) -> None:
    if amendment.state not in {s.value for s in states}:
        raise Conflict(_("Operazione non possibile: l'emendamento è nello stato «%(state)s».", state=amendment.state),
                       code="invalid_state")


def create_amendment(
    session: Session, actor: Any, subject: Subject, *, body: Any, reason: Any, title: Any = None,
    submit: bool = True,
) -> Amendment:
    """A proposed new text for the subject, with its reason; submitted at once unless a draft."""
    require(can_create_amendment(actor, subject), actor)
    if not subject.accepts("amend"):
        raise Conflict(_("Questo testo non accetta emendamenti in questa fase."), code="amendments_closed")
    body = clean_text(body, "body", subject.kind.body_max)
    reason = clean_text(reason, "reason", REASON_MAX)
    title = clean_text(title, "title", TITLE_MAX, required=False) or None
    base = current_revision(session, subject)
    if base is None:
        raise Conflict(_("Il testo non ha ancora una versione da emendare."), code="no_revision")
    if body == base.body and title in (None, base.title):
        raise InvalidInput(_("L'emendamento non cambia il testo corrente."), code="no_change")
    now = utcnow()
    amendment = Amendment(
        subject_type=subject.type, subject_id=subject.id, base_revision=base.number, title=title, body=body,
        reason=reason, author_id=actor.id, organization_id=_organization_id(actor), created_at=now,
        state=(AmendmentState.SUBMITTED if submit else AmendmentState.DRAFT).value,
        submitted_at=now if submit else None,
    )
    session.add(amendment)
    session.flush()
    record(session, actor, "deliberation.amendment.created", amendment, {
        "subject": subject.ref, "base_revision": base.number, "state": amendment.state, "title": title,
        "reason": reason, "body_sha256": text_hash(body),
    })
    return amendment


def submit_amendment(session: Session, actor: Any, amendment: Amendment) -> Amendment:
    require(can_manage_amendment(actor, amendment), actor)
    _require_state(amendment, AmendmentState.DRAFT)
    subject = subject_of(session, amendment)
    if not subject.accepts("amend"):
        raise Conflict(_("Questo testo non accetta emendamenti in questa fase."), code="amendments_closed")
    amendment.state = AmendmentState.SUBMITTED.value
    amendment.submitted_at = utcnow()
    session.flush()
    record(session, actor, "deliberation.amendment.submitted", amendment, {"subject": subject.ref})
    return amendment


def withdraw_amendment(session: Session, actor: Any, amendment: Amendment, reason: Any = "") -> Amendment:
    require(can_manage_amendment(actor, amendment), actor)
    _require_state(amendment, AmendmentState.DRAFT, AmendmentState.SUBMITTED)
    reason = clean_text(reason, "reason", REASON_MAX, required=False)
    amendment.state = AmendmentState.WITHDRAWN.value
    amendment.withdrawn_at = utcnow()
    amendment.decision_reason = reason or None
    session.flush()
    record(session, actor, "deliberation.amendment.withdrawn", amendment,
           {"subject": f"{amendment.subject_type}:{amendment.subject_id}", "reason": reason})
    return amendment


def accept_amendment(session: Session, actor: Any, amendment: Amendment, reason: Any = "") -> Amendment:
    """The chair accepts (after the table decided): the amendment's text becomes the next revision.

    The amendment carries a whole text, so it is accepted only while the text it was written on is
    still the current one; otherwise it would silently undo the changes made since.
    """
    subject = subject_of(session, amendment)
    require(can_decide_amendment(actor, subject), actor)
    _require_state(amendment, AmendmentState.SUBMITTED)
    if not subject.accepts("revise"):
        raise Conflict(_("Il testo non è più modificabile in questa fase."), code="subject_closed")
    reason = clean_text(reason, "reason", REASON_MAX, required=False)
    lock_subject(session, subject)
    current = current_revision(session, subject)
    if amendment.base_revision != current.number:
        base = get_revision(session, subject, amendment.base_revision)
        if base.body != current.body:
            raise Conflict(
                _("Il testo è cambiato dopo la revisione %(n)d su cui l'emendamento è scritto: va riproposto sul testo corrente.",
                  n=amendment.base_revision),
                code="amendment_outdated",
            )
    revision = create_revision(
        session, actor, subject, title=amendment.title or current.title, body=amendment.body,
        reason=amendment.reason, amendment=amendment,
    )
    amendment.state = AmendmentState.ACCEPTED.value
    amendment.decided_by_id = actor.id
    amendment.decided_at = utcnow()
    amendment.decision_reason = reason or None
    amendment.result_revision = revision.number
    session.flush()
    record(session, actor, "deliberation.amendment.accepted", amendment,
           {"subject": subject.ref, "revision": revision.number, "reason": reason})
    return amendment


def reject_amendment(session: Session, actor: Any, amendment: Amendment, reason: Any) -> Amendment:
    subject = subject_of(session, amendment)
    require(can_decide_amendment(actor, subject), actor)
    _require_state(amendment, AmendmentState.SUBMITTED)
    reason = clean_text(reason, "reason", REASON_MAX)
    amendment.state = AmendmentState.REJECTED.value
    amendment.decided_by_id = actor.id
    amendment.decided_at = utcnow()
    amendment.decision_reason = reason
    session.flush()
    record(session, actor, "deliberation.amendment.rejected", amendment, {"subject": subject.ref, "reason": reason})
    return amendment


def amendment_diff(session: Session, amendment: Amendment) -> dict[str, list[DiffOp]]:
    """What the amendment changes in the revision it was written on."""
    base = session.scalar(sa.select(Revision).where(
        Revision.subject_type == amendment.subject_type, Revision.subject_id == amendment.subject_id,
        Revision.number == amendment.base_revision))
    base_title = base.title if base else ""
    return {
        "title": diff_texts(base_title, amendment.title or base_title),
        "body": diff_texts(base.body if base else "", amendment.body),
    }
