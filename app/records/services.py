"""The verbale: drafted from the meeting record, edited by the chair as revisions (app.deliberation),
approved by a yes/no vote of the table (a consequence registered with app.votes.hooks) and then
frozen, its SHA-256 written to the audit chain. Also the decision register: every closed poll."""
from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from flask_babel import format_datetime, gettext as _
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.audit.services import record
from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, NotFound
from app.core.permissions import is_authenticated, require
from app.deliberation.models import Revision
from app.deliberation.services import TITLE_MAX, create_revision, revise
from app.deliberation.subjects import Action, Subject, subject_for
from app.meetings.models import AgendaItem, Attendance, Meeting, SpeakerRequest, SpeakerState
from app.meetings.presence import adhered_organization_ids
from app.organizations.models import Organization
from app.records.models import Minutes, VotedRecord
from app.records.outcomes import counts_text, outcome_text, rules_text
from app.votes.models import Poll

SUBJECT_TYPE = "minutes"
DRAFT_REASON = "Bozza redatta dal registro dell'incontro"


# --- permissions ---------------------------------------------------------------------------------

def is_chair(user: Any, obj: Any = None) -> bool:
    return is_authenticated(user) and user.is_chair


def can_view_minutes(user: Any, minutes: Minutes) -> bool:
    """Approved minutes are public; a draft is the chair's working paper until the table approves it."""
    return minutes.frozen or is_chair(user)


def load_minutes(session: Session, minutes_id: int) -> Minutes | None:
    return session.get(Minutes, minutes_id)


def as_subject(minutes: Minutes) -> Subject:
    return subject_for(minutes, SUBJECT_TYPE)


def apply_revision(session: Session, document: VotedRecord, revision: Revision) -> None:
    """A record's title and body mirror its current revision (minutes and DocPP alike)."""
    document.title = revision.title
    document.body = revision.body
    document.revision = revision.number
    document.updated_at = revision.created_at


def record_accepts(document: VotedRecord, action: Action) -> bool:
    """A frozen record takes no revision, amendment or comment."""
    return not document.frozen


#: a record gathers a whole meeting or process: more room than one proposal's text
RECORD_BODY_MAX = 200_000


# --- reading ------------------------------------------------------------------------------------

def minutes_of(session: Session, meeting: Meeting) -> Minutes | None:
    return session.scalar(sa.select(Minutes).where(Minutes.meeting_id == meeting.id))


def visible_minutes(session: Session, viewer: Any, meeting: Meeting) -> Minutes:
    """The minutes the viewer may read, or a clear refusal: still open, not drafted, draft only to the chair."""
    if meeting.status != "closed":
        raise Conflict(_("L'incontro non è ancora concluso: il verbale si redige dopo la chiusura."),
                       code="meeting_not_closed")
    minutes = minutes_of(session, meeting)
    if minutes is None:
        raise NotFound(_("Il verbale di questo incontro non è ancora stato redatto."), code="minutes_not_found")
    if not can_view_minutes(viewer, minutes):
        raise Forbidden(_("Il verbale è in bozza: lo vede solo chi presiede finché il Tavolo non lo approva."),
                        code="minutes_draft")
    return minutes


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the draft, from the meeting record -----------------------------------------------------------

def _time(value: Any) -> str:
    return format_datetime(value, "HH:mm") if value else "–"


def _chair_names(session: Session, meeting: Meeting) -> list[str]:
    """Who opened and closed the meeting (from the audit chain), else the chair accounts."""
    actor_ids = session.scalars(sa.select(AuditEntry.actor_id).where(
        AuditEntry.object == f"meeting:{meeting.id}",
        AuditEntry.action.in_(("meetings.meeting.opened", "meetings.meeting.closed")),
        AuditEntry.actor_id.is_not(None))).all()
    query = sa.select(User.name).where(User.id.in_(set(actor_ids))) if actor_ids else \
        sa.select(User.name).where(User.role == "chair")
    return sorted(set(session.scalars(query)))


def _attendance(session: Session, meeting: Meeting) -> tuple[list[tuple[str, list[str]]], list[str], int]:
    """(organization, representatives) present at any time, adhered organizations absent, participants."""
    rows = session.execute(
        sa.select(User.name, User.role, Organization.id, Organization.name)
        .join(Attendance, Attendance.user_id == User.id)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .where(Attendance.meeting_id == meeting.id)
    ).all()
    present: dict[int, tuple[str, list[str]]] = {}
    participants = 0
    for name, role, org_id, org_name in rows:
        if role == "participant":
            participants += 1
        elif org_id is not None:
            present.setdefault(org_id, (org_name, []))[1].append(name)
    adhered = adhered_organization_ids(session)
    absent = sorted(session.scalars(sa.select(Organization.name).where(
        Organization.id.in_(adhered - set(present) or {0}))))
    return sorted(((n, sorted(p)) for n, p in present.values()), key=lambda r: r[0].casefold()), absent, participants


def _speeches(session: Session, meeting: Meeting) -> dict[int | None, list[SpeakerRequest]]:
    by_item: dict[int | None, list[SpeakerRequest]] = {}
    for request in session.scalars(sa.select(SpeakerRequest).where(
            SpeakerRequest.meeting_id == meeting.id, SpeakerRequest.state == SpeakerState.DONE.value)
            .order_by(SpeakerRequest.started_at, SpeakerRequest.id)):
        by_item.setdefault(request.agenda_item_id, []).append(request)
    return by_item


def _speech_line(request: SpeakerRequest) -> str:
    who = request.user.name + (f" ({request.organization.name})" if request.organization else "")
    seconds = int((request.ended_at - request.started_at).total_seconds()) if request.started_at and request.ended_at else 0
    return _("%(who)s, %(min)d min %(sec)02d s", who=who, min=seconds // 60, sec=seconds % 60)


def _positions_lines(session: Session, ref: str | None) -> list[str]:
    """For an item about a pact clause: the organizations' positions (agreement and conflict)."""
    if not ref or not ref.startswith("clause:"):
        return []
    from app.pact.models import Clause
    from app.pact.services import endorsement_counts, is_conflict

    clause = session.get(Clause, int(ref.split(":")[1]))
    if clause is None:
        return []
    counts = endorsement_counts(session, clause)
    line = _("Posizioni sull'art. %(n)d: %(e)d aderiscono, %(r)d con riserva, %(o)d contrarie.",
             n=clause.number, e=counts["endorse"], r=counts["reservation"], o=counts["oppose"])
    if is_conflict(counts):
        line += " " + _("Conflitto: c'è chi aderisce e chi è contrario.")
    return [line]


def _poll_lines(poll: Poll, consequences: dict[int, str]) -> list[str]:
    lines = [f"- **{poll.title}** – {rules_text(poll)}.", f"  {counts_text(poll)}. " + _("Esito: %(o)s.", o=outcome_text(poll))]
    if poll.id in consequences:
        lines.append("  " + consequences[poll.id])
    return lines


def _consequences(session: Session, poll_ids: list[int]) -> dict[int, str]:
    """What each vote decided (the engine's audit entries), in words."""
    if not poll_ids:
        return {}
    found: dict[int, str] = {}
    for action, obj, data in session.execute(sa.select(AuditEntry.action, AuditEntry.object, AuditEntry.data).where(
            AuditEntry.action.in_(("votes.poll.consequence", "votes.poll.consequence_failed")),
            AuditEntry.object.in_([f"poll:{i}" for i in poll_ids]))):
        poll_id = int(obj.split(":")[1])
        if action == "votes.poll.consequence":
            found[poll_id] = _("Decisione applicata a %(subject)s.", subject=data.get("subject"))
        else:
            found[poll_id] = _("Decisione non applicata a %(subject)s (%(reason)s).",
                               subject=data.get("subject"), reason=data.get("reason"))
    return found


def draft_text(session: Session, meeting: Meeting) -> str:
    """The verbale as Markdown, from what the meeting recorded: nobody retypes attendance or results."""
    present, absent, participants = _attendance(session, meeting)
    items = list(session.scalars(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                                 .order_by(AgendaItem.position, AgendaItem.id)))
    polls = list(session.scalars(sa.select(Poll).where(Poll.meeting_id == meeting.id, Poll.state == "closed")
                                 .order_by(Poll.closed_at, Poll.id)))
    consequences = _consequences(session, [p.id for p in polls])
    speeches = _speeches(session, meeting)
    lines = [
        _("Incontro del %(date)s, dalle %(start)s alle %(end)s.", date=format_datetime(meeting.opened_at or meeting.starts_at, "d MMMM y"),
          start=_time(meeting.opened_at), end=_time(meeting.closed_at)),
        _("Luogo: %(place)s.", place=meeting.place or "–"),
        _("Presiede: %(names)s.", names=", ".join(_chair_names(session, meeting)) or "–"),
        "", "# " + _("Presenze"), "",
    ]
    lines += [f"- {name}: {', '.join(people)}" for name, people in present] or [_("Nessuna organizzazione presente.")]
    lines += ["", _("Organizzazioni aderenti assenti: %(names)s.", names=", ".join(absent) or _("nessuna"))]
    if participants:
        lines.append(_("Partecipanti con codice di accesso: %(n)d.", n=participants))
    lines += ["", "# " + _("Ordine del giorno"), ""]
    for number, item in enumerate(items, start=1):
        lines += [f"## {number}. {item.title}", "",
                  _("Avviato alle %(time)s; durata prevista %(d)s min.", time=_time(item.started_at), d=item.duration or "–"), ""]
        if speeches.get(item.id):
            lines += [_("Interventi:")] + [f"- {_speech_line(s)}" for s in speeches[item.id]] + [""]
        lines += _positions_lines(session, item.ref)
    if speeches.get(None):
        lines += ["", _("Altri interventi:")] + [f"- {_speech_line(s)}" for s in speeches[None]]
    lines += ["", "# " + _("Votazioni e decisioni"), ""]
    for poll in polls:
        lines += _poll_lines(poll, consequences)
    if not polls:
        lines.append(_("Nessuna votazione."))
    return "\n".join(lines).strip() + "\n"


# --- writes --------------------------------------------------------------------------------------

def draft_minutes(session: Session, actor: Any, meeting: Meeting) -> Minutes:
    """The chair drafts the verbale of a closed meeting: revision 1 is the text built from the record."""
    require(is_chair(actor), actor)
    if meeting.status != "closed":
        raise Conflict(_("L'incontro non è ancora concluso: il verbale si redige dopo la chiusura."),
                       code="meeting_not_closed")
    if minutes_of(session, meeting) is not None:
        raise Conflict(_("Il verbale di questo incontro esiste già."), code="minutes_exist")
    title = _("Verbale – %(title)s", title=meeting.title)
    if len(title) > TITLE_MAX:  # a meeting title near its own limit, plus the prefix: cut, do not refuse
        title = title[:TITLE_MAX - 1] + "…"
    minutes = Minutes(meeting_id=meeting.id, title=title, body="", status="draft", created_at=utcnow())
    session.add(minutes)
    session.flush()
    record(session, actor, "records.minutes.drafted", minutes, {"meeting_id": meeting.id})
    create_revision(session, actor, as_subject(minutes), title=minutes.title, body=draft_text(session, meeting),
                    reason=DRAFT_REASON)
    return minutes


def revise_minutes(session: Session, actor: Any, minutes: Minutes, *, body: Any, reason: Any) -> Revision:
    """An edit of the draft by the chair; frozen minutes refuse (the subject no longer accepts revisions)."""
    if minutes.frozen:
        raise Conflict(_("Il verbale è approvato e non si modifica più."), code="minutes_frozen")
    return revise(session, actor, as_subject(minutes), reason=reason, body=body)


def decide_minutes(session: Session, actor: Any, minutes_id: int, passed: bool) -> None:
    """The table's vote on the draft: approved minutes are frozen, their hash recorded in the chain."""
    minutes = session.get(Minutes, minutes_id)
    if minutes is None:
        raise NotFound(_("Verbale non trovato."), code="minutes_not_found")
    if minutes.frozen:
        raise Conflict(_("Il verbale è già approvato."), code="minutes_frozen")
    decide_record(session, actor, minutes, passed, "records.minutes", {"meeting_id": minutes.meeting_id})


def decide_record(session: Session, actor: Any, document: VotedRecord, passed: bool, action: str,
                  data: dict[str, Any]) -> None:
    """A vote's outcome on a record: rejected stays a draft (audited); approved is frozen with its hash."""
    if not passed:
        record(session, actor, f"{action}.rejected", document, {**data, "revision": document.revision})
        return
    document.status = "approved"
    document.approved_at = utcnow()
    document.sha256 = text_sha256(document.body)
    session.flush()
    record(session, actor, f"{action}.approved", document,
           {**data, "revision": document.revision, "sha256": document.sha256})


def register_consequences() -> None:
    from app.records import docpp
    from app.votes.hooks import register_subject_handler

    register_subject_handler(SUBJECT_TYPE, decide_minutes, Minutes)
    register_subject_handler(docpp.SUBJECT_TYPE, docpp.decide_document, docpp.ParticipatoryDocument)


# --- the decision register -----------------------------------------------------------------------

def decisions(session: Session, *, query: str = "", outcome: str = "") -> list[dict[str, Any]]:
    """Every closed poll, newest first, with its outcome, its consequence and where it was taken."""
    stmt = sa.select(Poll).where(Poll.state == "closed").order_by(Poll.closed_at.desc(), Poll.id.desc())
    if query:
        stmt = stmt.where(Poll.title.ilike(f"%{query.replace('%', '').replace('_', '')}%"))
    polls = list(session.scalars(stmt))
    consequences = _consequences(session, [p.id for p in polls])
    meetings = {m.id: m for m in session.scalars(sa.select(Meeting).where(
        Meeting.id.in_({p.meeting_id for p in polls if p.meeting_id} or {0})))}
    approved = set(session.scalars(sa.select(Minutes.meeting_id).where(Minutes.status == "approved")))
    rows = []
    for poll in polls:
        result = poll.result or {}
        passed = result.get("passed") if result.get("quorum_reached", True) else None
        state = "passed" if passed is True else "rejected" if passed is False else "other"
        if outcome and outcome != state:
            continue
        meeting = meetings.get(poll.meeting_id)
        rows.append({
            "poll_id": poll.id, "title": poll.title, "kind": poll.kind, "closed_at": poll.closed_at,
            "outcome": outcome_text(poll), "outcome_state": state, "counts": counts_text(poll),
            "rules": rules_text(poll), "consequence": consequences.get(poll.id),
            "subject": f"{poll.subject_type}:{poll.subject_id}" if poll.subject_type else None,
            "meeting_id": meeting.id if meeting else None, "meeting_title": meeting.title if meeting else None,
            "minutes_approved": bool(meeting and meeting.id in approved),
            "audit_object": f"poll:{poll.id}",
        })
    return rows
