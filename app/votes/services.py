"""The vote engine's services: polls, the roll, ballots, results, proxies, corrections, schedule.

Every write takes the acting user explicitly, checks permissions, writes the audit entry in the same
transaction and queues live events; it flushes and never commits (the faces commit once).

Concurrency (PostgreSQL; SQLite serializes every transaction anyway):
- cast_ballot locks the poll row FOR SHARE and re-reads its state; close_poll locks it FOR UPDATE.
  A ballot therefore either commits before the close reads the ballots (and is counted) or waits
  for the close and is refused (`poll_not_open`): the acknowledged ballots are exactly the counted ones.
- one ballot per voter is the UNIQUE(poll_id, voter_key) of `vote_records`: a concurrent second
  ballot fails in the database and becomes a 409 `already_voted`.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.audit.services import record, record_many
from app.auth.models import User
from app.core.db import insert_rows, isoformat, utcnow
from app.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from app.core.permissions import is_authenticated, require
from app.core.realtime import OUTBOX_KEY, meeting_room, queue_event, topic_room
from app.core.routing import is_row_id
from app.core.tokens import secret_hash
from app.meetings.models import Meeting
from app.organizations.models import Adhesion, Organization
from app.votes.ballots import decode_ballot, encode_ballot
from app.votes.hooks import resolve_people, subject_exists, subject_handler, subject_types
from app.votes.live import mark_tally_dirty
from app.votes.models import (
    Ballot, CorrectionNotice, Electorate, Majority, Poll, PollKind, PollOption, PollState, PollVoter, Proxy,
    VoteRecord,
)
from app.votes.permissions import can_create_poll, can_manage_poll, can_manage_proxies, can_view_poll
from app.votes.results import build_result, running_counts

log = logging.getLogger(__name__)

TITLE_MAX = 300
DESCRIPTION_MAX = 10000
LABEL_MAX = 200
MIN_OPTIONS, MAX_OPTIONS = 2, 50
QUORUM_MAX = 100_000
CORRECTION_MAX = 5000
#: columns a draft may change (update_poll)
EDITABLE = (
    "title", "description", "kind", "options", "max_choices", "meeting_id", "subject", "secret", "hide_tally",
    "majority", "quorum", "electorate", "weighted", "opens_at", "closes_at",
)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _invalid(message: str, field: str, code: str = "invalid_input") -> InvalidInput:
    return InvalidInput(message, code=code, fields={field: [code]})


# --- reading -------------------------------------------------------------------------------------

def get_poll(session: Session, poll_id: Any) -> Poll:
    poll = session.get(Poll, poll_id) if is_row_id(poll_id) else None
    if poll is None:
        raise NotFound(_("Votazione non trovata."), code="poll_not_found")
    return poll


def list_polls(session: Session, viewer: Any = None, *, meeting_id: int | None = None,
               state: str | None = None) -> list[Poll]:
    """Polls, newest first; drafts only for whoever may manage them."""
    query = sa.select(Poll).options(selectinload(Poll.options)).order_by(Poll.created_at.desc(), Poll.id.desc())
    if meeting_id is not None:
        query = query.where(Poll.meeting_id == meeting_id)
    if state is not None:
        query = query.where(Poll.state == state)
    if not can_create_poll(viewer):
        query = query.where(Poll.state != PollState.DRAFT.value)
    return list(session.scalars(query))


def poll_rooms(poll: Poll) -> list[str]:
    """Where a poll's live events go: its meeting's room (if any) and its own topic room."""
    rooms = [topic_room("poll", poll.id)]
    if poll.meeting_id is not None:
        rooms.insert(0, meeting_room(poll.meeting_id))
    return rooms


def ballot_rows(session: Session, poll_id: int) -> list[tuple[str, int, int]]:
    """(content, ballots, weight) per distinct ballot: the one aggregate query every tally uses."""
    rows = session.execute(
        sa.select(Ballot.content, sa.func.count(), sa.func.coalesce(sa.func.sum(Ballot.weight), 0))
        .where(Ballot.poll_id == poll_id).group_by(Ballot.content)
    ).all()
    return sorted((content, int(n), int(weight)) for content, n, weight in rows)


def tally_snapshot(session: Session, poll_id: int) -> tuple[dict[str, Any], Poll] | None:
    """The `tally_updated` payload of an open poll (counts left out while hidden), or None."""
    poll = session.get(Poll, poll_id)
    if poll is None or poll.state != PollState.OPEN.value:
        return None
    rows = ballot_rows(session, poll_id)
    payload: dict[str, Any] = {"poll_id": poll.id, "voted": sum(n for _c, n, _w in rows), "entitled": poll.entitled_count}
    if not poll.hide_tally:
        payload["counts"] = running_counts(poll.kind, poll.option_ids, rows)
        payload["cast_weight"] = sum(w for _c, _n, w in rows)
    return payload, poll


def _voted_counts(session: Session, poll_ids: Sequence[int]) -> dict[int, int]:
    if not poll_ids:
        return {}
    rows = session.execute(
        sa.select(VoteRecord.poll_id, sa.func.count()).where(VoteRecord.poll_id.in_(poll_ids)).group_by(VoteRecord.poll_id)
    ).all()
    return {poll_id: int(n) for poll_id, n in rows}


def poll_summary(poll: Poll, voted: int = 0) -> dict[str, Any]:
    """The poll's public fields, without any query (lists, events)."""
    return {
        "id": poll.id,
        "title": poll.title,
        "description": poll.description,
        "kind": poll.kind,
        "state": poll.state,
        "options": [{"id": o.id, "label": o.label} for o in poll.options],
        "max_choices": poll.max_choices,
        "meeting_id": poll.meeting_id,
        "subject": {"type": poll.subject_type, "id": poll.subject_id} if poll.subject_type else None,
        "secret": poll.secret,
        "hide_tally": poll.hide_tally,
        "majority": poll.majority,
        "quorum": poll.quorum,
        "electorate": poll.electorate,
        "weighted": poll.weighted,
        "voted": voted,
        #: size of the roll frozen at opening (None while draft); `entitled_weight` is its total weight
        "entitled": poll.entitled_count,
        "entitled_weight": poll.entitled_weight,
        "opens_at": isoformat(poll.opens_at),
        "closes_at": isoformat(poll.closes_at),
        "opened_at": isoformat(poll.opened_at),
        "closed_at": isoformat(poll.closed_at),
        "created_at": isoformat(poll.created_at),
    }


def list_poll_dicts(session: Session, polls: Sequence[Poll]) -> list[dict[str, Any]]:
    voted = _voted_counts(session, [p.id for p in polls])
    return [poll_summary(p, voted.get(p.id, 0)) for p in polls]


def poll_dict(session: Session, poll: Poll, viewer: Any = None) -> dict[str, Any]:
    """GET /api/v1/polls/{id}: summary + `counts` while open and not hidden + `result` when closed,
    corrections, and (for a logged-in viewer) `viewer`: whether they may vote, did vote, run the poll."""
    if poll.state == PollState.OPEN.value:
        rows = ballot_rows(session, poll.id)
        data = poll_summary(poll, sum(n for _c, n, _w in rows))
        if not poll.hide_tally:
            data["counts"] = running_counts(poll.kind, poll.option_ids, rows)
            data["cast_weight"] = sum(w for _c, _n, w in rows)
    elif poll.state == PollState.CLOSED.value:
        data = poll_summary(poll, (poll.result or {}).get("voted", 0))
        data["result"] = poll.result
    else:
        data = poll_summary(poll)
    data["corrections"] = [correction_dict(c) for c in poll.corrections]
    if is_authenticated(viewer):
        data["viewer"] = viewer_state(session, poll, viewer)
    return data


def meeting_polls(session: Session, meeting_id: int, viewer: Any = None) -> list[dict[str, Any]]:
    """The polls of a meeting as in GET /api/v1/polls/{id}, oldest first (for meeting snapshots)."""
    polls = sorted(list_polls(session, viewer, meeting_id=meeting_id), key=lambda p: p.id)
    return [poll_dict(session, p, viewer) for p in polls]


def correction_dict(notice: CorrectionNotice) -> dict[str, Any]:
    return {
        "id": notice.id, "poll_id": notice.poll_id, "text": notice.text,
        "author": notice.author.name if notice.author else None, "created_at": isoformat(notice.created_at),
    }


# --- creating and editing ------------------------------------------------------------------------

def _clean_options(kind: str, options: Any) -> list[str]:
    if kind == PollKind.YESNO.value:
        if options:
            raise _invalid(_("Una votazione sì/no non ha opzioni."), "options", "options_not_allowed")
        return []
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise _invalid(_("Indica le opzioni come elenco di testi."), "options", "options_required")
    labels = [" ".join(o.split()) for o in options]
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        raise _invalid(_("Servono da %(a)d a %(b)d opzioni.", a=MIN_OPTIONS, b=MAX_OPTIONS), "options", "options_count")
    if any(not label or len(label) > LABEL_MAX for label in labels):
        raise _invalid(_("Ogni opzione ha un testo di al massimo %(n)d caratteri.", n=LABEL_MAX), "options", "option_label")
    if len({label.casefold() for label in labels}) != len(labels):
        raise _invalid(_("Le opzioni devono essere tutte diverse."), "options", "duplicate_option")
    return labels


def _aware(value: Any, field: str) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise _invalid(_("Data e ora con fuso orario, per esempio 2026-03-01T18:00:00Z."), field, "invalid_datetime")
    return value.astimezone(dt.timezone.utc)


def _validate(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """Check a complete set of poll fields; returns them cleaned (labels normalized, times in UTC)."""
    v = dict(values)
    v["title"] = " ".join(str(v.get("title") or "").split())
    if not v["title"] or len(v["title"]) > TITLE_MAX:
        raise _invalid(_("Il titolo è obbligatorio (al massimo %(n)d caratteri).", n=TITLE_MAX), "title", "invalid_title")
    v["description"] = (v.get("description") or "").strip()
    if len(v["description"]) > DESCRIPTION_MAX:
        raise _invalid(_("La descrizione è troppo lunga."), "description", "too_long")
    if v["kind"] not in {k.value for k in PollKind}:
        raise _invalid(_("Tipo di votazione sconosciuto."), "kind", "unknown_kind")
    v["options"] = _clean_options(v["kind"], v.get("options"))
    max_choices = v.get("max_choices")
    if v["kind"] == PollKind.CHOICE.value:
        max_choices = 1 if max_choices is None else max_choices
        if not _is_int(max_choices) or not 1 <= max_choices <= len(v["options"]):
            raise _invalid(_("Il numero massimo di scelte va da 1 al numero di opzioni."), "max_choices", "max_choices_range")
    elif max_choices is not None:
        raise _invalid(_("Il numero massimo di scelte vale solo per le votazioni a scelta."), "max_choices", "max_choices_not_allowed")
    v["max_choices"] = max_choices
    if v["majority"] not in {m.value for m in Majority}:
        raise _invalid(_("Regola di maggioranza sconosciuta."), "majority", "unknown_majority")
    if v["electorate"] not in {e.value for e in Electorate}:
        raise _invalid(_("Corpo elettorale sconosciuto."), "electorate", "unknown_electorate")
    quorum = v.get("quorum")
    if quorum is not None and (not _is_int(quorum) or not 0 <= quorum <= QUORUM_MAX):
        raise _invalid(_("Il quorum va da 0 a %(n)d schede.", n=QUORUM_MAX), "quorum", "quorum_range")
    for flag in ("secret", "hide_tally", "weighted"):
        if not isinstance(v.get(flag), bool):
            raise _invalid(_("Valore sì/no atteso."), flag, "invalid_flag")
    if v["weighted"] and v["electorate"] != Electorate.ORGANIZATIONS.value:
        raise _invalid(_("Il voto ponderato vale solo quando votano le organizzazioni."), "weighted", "weighted_people")
    if v["weighted"] and v["secret"]:
        # a ballot carries its weight: with weights that differ, the weight would reveal the voter
        raise _invalid(_("Una votazione segreta non può essere ponderata: il peso della scheda renderebbe riconoscibile chi l'ha espressa."),
                       "weighted", "secret_weighted")
    meeting_id = v.get("meeting_id")
    if meeting_id is not None:
        if not _is_int(meeting_id) or session.get(Meeting, meeting_id) is None:
            raise _invalid(_("Incontro inesistente."), "meeting_id", "meeting_not_found")
    subject = v.get("subject")
    if subject is not None:
        if not isinstance(subject, Mapping) or not isinstance(subject.get("type"), str) or not _is_int(subject.get("id")):
            raise _invalid(_("L'oggetto della votazione è {\"type\", \"id\"}."), "subject", "invalid_subject")
        if subject["type"] not in subject_types():
            raise _invalid(_("Tipo di oggetto sconosciuto: %(t)s.", t=subject["type"]), "subject", "unknown_subject_type")
        if not is_row_id(subject["id"]) or not subject_exists(session, subject["type"], subject["id"]):
            raise _invalid(_("L'oggetto della votazione non esiste: %(t)s:%(id)s.", t=subject["type"], id=subject["id"]),
                           "subject", "subject_not_found")
        v["subject"] = {"type": subject["type"], "id": subject["id"]}
    v["opens_at"] = _aware(v.get("opens_at"), "opens_at")
    v["closes_at"] = _aware(v.get("closes_at"), "closes_at")
    if v["opens_at"] and v["closes_at"] and v["closes_at"] <= v["opens_at"]:
        raise _invalid(_("La chiusura deve seguire l'apertura."), "closes_at", "closes_before_opens")
    return v


def _apply(poll: Poll, v: dict[str, Any]) -> None:
    for name in ("title", "description", "kind", "max_choices", "meeting_id", "secret", "hide_tally", "majority",
                 "quorum", "electorate", "weighted", "opens_at", "closes_at"):
        setattr(poll, name, v[name])
    subject = v.get("subject")
    poll.subject_type = subject["type"] if subject else None
    poll.subject_id = subject["id"] if subject else None


def _audit_fields(poll: Poll) -> dict[str, Any]:
    return {
        "title": poll.title, "kind": poll.kind, "options": [o.label for o in poll.options],
        "max_choices": poll.max_choices, "meeting_id": poll.meeting_id,
        "subject": f"{poll.subject_type}:{poll.subject_id}" if poll.subject_type else None,
        "secret": poll.secret, "hide_tally": poll.hide_tally, "majority": poll.majority, "quorum": poll.quorum,
        "electorate": poll.electorate, "weighted": poll.weighted,
        "opens_at": isoformat(poll.opens_at), "closes_at": isoformat(poll.closes_at),
    }


def create_poll(
    session: Session, actor: Any, *, title: str, kind: str, options: list[str] | None = None,
    description: str = "", max_choices: int | None = None, meeting_id: int | None = None,
    subject: Mapping[str, Any] | None = None, secret: bool = False, hide_tally: bool = False,
    majority: str = "simple", quorum: int | None = None, electorate: str = "organizations",
    weighted: bool = False, opens_at: dt.datetime | None = None, closes_at: dt.datetime | None = None,
) -> Poll:
    """A draft poll (chair). Options: 2..50 distinct labels for choice/ranking, none for yesno."""
    require(can_create_poll(actor), actor)
    v = _validate(session, dict(
        title=title, kind=kind, options=options, description=description, max_choices=max_choices,
        meeting_id=meeting_id, subject=subject, secret=secret, hide_tally=hide_tally, majority=majority,
        quorum=quorum, electorate=electorate, weighted=weighted, opens_at=opens_at, closes_at=closes_at,
    ))
    poll = Poll(state=PollState.DRAFT.value, created_by_id=actor.id, created_at=utcnow())
    _apply(poll, v)
    poll.options = [PollOption(label=label, position=i) for i, label in enumerate(v["options"], start=1)]
    session.add(poll)
    session.flush()
    record(session, actor, "votes.poll.created", poll, _audit_fields(poll))
    return poll


def update_poll(session: Session, actor: Any, poll: Poll, **changes: Any) -> Poll:
    """Change a draft (chair); the same rules as create_poll. Open or closed polls are never edited."""
    require(can_manage_poll(actor, poll), actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(_("Campi non modificabili."), fields={k: ["unknown"] for k in sorted(unknown)})
    if poll.state != PollState.DRAFT.value:
        raise Conflict(_("Si può modificare solo una votazione in bozza."), code="poll_not_draft")
    current = {name: getattr(poll, name) for name in EDITABLE if name not in ("options", "subject")}
    current["options"] = [o.label for o in poll.options]
    current["subject"] = {"type": poll.subject_type, "id": poll.subject_id} if poll.subject_type else None
    if "kind" in changes and changes["kind"] != poll.kind:
        current["max_choices"] = None  # the old kind's setting would be refused under the new one
        if changes["kind"] == PollKind.YESNO.value:
            current["options"] = []
    v = _validate(session, {**current, **changes})
    before = _audit_fields(poll)
    _apply(poll, v)
    if v["options"] != [o.label for o in poll.options]:
        poll.options.clear()
        session.flush()  # delete the old options first: a label may come back (UNIQUE(poll_id, label))
        poll.options = [PollOption(label=label, position=i) for i, label in enumerate(v["options"], start=1)]
    session.flush()
    after = _audit_fields(poll)
    record(session, actor, "votes.poll.updated", poll, {k: after[k] for k in after if after[k] != before[k]})
    return poll


# --- opening and closing -------------------------------------------------------------------------

def _lock_poll(session: Session, poll: Poll, *, exclusive: bool) -> Poll:
    """Re-read the poll under a row lock (FOR UPDATE / FOR SHARE on PostgreSQL)."""
    return session.scalars(
        sa.select(Poll).where(Poll.id == poll.id).with_for_update(read=not exclusive)
        .execution_options(populate_existing=True)
    ).one()


def _lock_for_transition(session: Session, actor: Any, poll: Poll, system: bool) -> Poll:
    """The chair (or the scheduler, `system`) takes the poll row exclusively to change its state."""
    if not system:
        require(can_manage_poll(actor, poll), actor)
    return _lock_poll(session, poll, exclusive=True)


def _default_people(session: Session, poll: Poll) -> list[int]:
    return list(session.scalars(sa.select(User.id).where(User.role == "member", User.active.is_(True))))


def _roll_rows(session: Session, poll: Poll) -> list[dict[str, Any]]:
    if poll.electorate == Electorate.ORGANIZATIONS.value:
        members = session.execute(
            sa.select(Organization.id, Organization.weight)
            .join(Adhesion, sa.and_(Adhesion.organization_id == Organization.id, Adhesion.withdrawn_at.is_(None)))
            .order_by(Organization.id)
        ).all()
        return [
            {"poll_id": poll.id, "voter_key": f"organization:{org_id}", "organization_id": org_id, "user_id": None,
             "weight": weight if poll.weighted else 1}
            for org_id, weight in members
        ]
    return [
        {"poll_id": poll.id, "voter_key": f"user:{user_id}", "organization_id": None, "user_id": user_id, "weight": 1}
        for user_id in resolve_people(session, poll, _default_people)
    ]


def _digest(lines: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


def open_poll(session: Session, actor: Any, poll: Poll, *, system: bool = False) -> Poll:
    """Open a draft: freeze the roll (one bulk insert) and start accepting ballots. Idempotent."""
    poll = _lock_for_transition(session, actor, poll, system)
    if poll.state == PollState.OPEN.value:
        return poll
    if poll.state == PollState.CLOSED.value:
        raise Conflict(_("La votazione è già chiusa."), code="poll_closed")
    rows = _roll_rows(session, poll)
    if not rows:
        raise Conflict(_("Nessuno ha diritto di voto in questa votazione: impossibile aprirla."), code="empty_electorate")
    insert_rows(session, PollVoter.__table__, rows)
    poll.state = PollState.OPEN.value
    poll.opened_at = utcnow()
    poll.entitled_count = len(rows)
    poll.entitled_weight = sum(r["weight"] for r in rows)
    session.flush()
    record(session, actor, "votes.poll.opened", poll, {
        "entitled": poll.entitled_count, "entitled_weight": poll.entitled_weight, "electorate": poll.electorate,
        #: commits the roll to the chain: SHA-256 of its sorted "voter_key:weight" lines
        "roll_sha256": _digest([f"{r['voter_key']}:{r['weight']}" for r in rows]),
    })
    summary = poll_summary(poll)
    for room in poll_rooms(poll):
        queue_event(session, room, "poll_opened", {"poll_id": poll.id, "poll": summary})
    return poll


def compute_result(session: Session, poll: Poll) -> dict[str, Any]:
    """The poll's result from its ballots (one aggregate query); the same ballots, the same result."""
    return build_result(
        kind=poll.kind, option_ids=poll.option_ids, majority=poll.majority, quorum=poll.quorum,
        entitled=poll.entitled_count or 0, entitled_weight=poll.entitled_weight or 0, weighted=poll.weighted,
        rows=ballot_rows(session, poll.id),
    )


def ballots_digest(session: Session, poll_id: int) -> str:
    """SHA-256 over the sorted "receipt_hash:content:weight" lines: commits the ballot set to the chain."""
    rows = session.execute(
        sa.select(Ballot.receipt_hash, Ballot.content, Ballot.weight).where(Ballot.poll_id == poll_id)
    ).all()
    return _digest([f"{h}:{c}:{w}" for h, c, w in rows])


def close_poll(session: Session, actor: Any, poll: Poll, *, system: bool = False) -> Poll:
    """Close an open poll, compute and store its result, apply its consequence. Idempotent."""
    poll = _lock_for_transition(session, actor, poll, system)
    if poll.state == PollState.CLOSED.value:
        return poll
    if poll.state == PollState.DRAFT.value:
        raise Conflict(_("La votazione non è aperta."), code="poll_not_open")
    result = compute_result(session, poll)
    digest = ballots_digest(session, poll.id)
    poll.state = PollState.CLOSED.value
    poll.closed_at = utcnow()
    poll.result = result
    session.flush()
    record(session, actor, "votes.poll.closed", poll, {
        "voted": result["voted"], "entitled": result["entitled"], "ballots_sha256": digest,
    })
    record(session, actor, "votes.result.published", poll, {"result": result})
    _apply_consequence(session, actor, poll)
    for room in poll_rooms(poll):
        queue_event(session, room, "poll_closed", {"poll_id": poll.id, "result": result})
    return poll


def _apply_consequence(session: Session, actor: Any, poll: Poll) -> None:
    """A yes/no poll about a subject: tell the subject's handler whether the motion passed."""
    result = poll.result or {}
    if not poll.subject_type or poll.kind != PollKind.YESNO.value or not result.get("quorum_reached"):
        return
    handler = subject_handler(poll.subject_type)
    subject = f"{poll.subject_type}:{poll.subject_id}"
    if handler is None:
        record(session, actor, "votes.poll.consequence_failed", poll, {"subject": subject, "reason": "no_handler"})
        return
    passed = bool(result["passed"])
    queued = len(session.info.get(OUTBOX_KEY, []))
    try:
        with session.begin_nested():
            handler(session, actor, poll.subject_id, passed)
    except DomainError as exc:
        del session.info.get(OUTBOX_KEY, [])[queued:]  # its live events described what was undone
        record(session, actor, "votes.poll.consequence_failed", poll,
               {"subject": subject, "passed": passed, "reason": exc.code})
        return
    record(session, actor, "votes.poll.consequence", poll, {"subject": subject, "passed": passed})


# --- ballots -------------------------------------------------------------------------------------

def new_receipt() -> str:
    """A receipt code for the voter: 100 random bits, as 5 groups of 4 base-32 letters/digits."""
    raw = base64.b32encode(secrets.token_bytes(15)).decode("ascii")[:20]
    return "-".join(raw[i:i + 4] for i in range(0, 20, 4))


def receipt_hash(code: str) -> str:
    """Hash of a receipt code, ignoring case, spaces and dashes (people retype them)."""
    normalized = "".join(ch for ch in str(code).upper() if ch.isalnum())
    return secret_hash(normalized)


def active_proxy(session: Session, meeting_id: int | None, principal_id: int) -> Proxy | None:
    if meeting_id is None:
        return None
    return session.scalar(sa.select(Proxy).where(
        Proxy.meeting_id == meeting_id, Proxy.principal_id == principal_id, Proxy.revoked_at.is_(None)))


def _voter_identity(session: Session, voter: Any, poll: Poll, on_behalf_of: Any) -> tuple[str, int | None, int | None, Proxy | None]:
    """(voter_key, organization_id, user_id, proxy) of whoever `voter` votes as, or a refusal."""
    if poll.electorate == Electorate.PEOPLE.value:
        if on_behalf_of is not None:
            raise _invalid(_("In questa votazione ognuno vota per sé."), "on_behalf_of", "proxy_not_allowed")
        return f"user:{voter.id}", None, voter.id, None
    own = voter.organization_id if voter.role == "member" else None
    if own is None:
        raise Forbidden(_("Non hai diritto di voto in questa votazione."), code="not_entitled")
    if on_behalf_of is None or on_behalf_of == own:
        if active_proxy(session, poll.meeting_id, own) is not None:
            raise Forbidden(_("La tua organizzazione ha delegato il voto per questo incontro."), code="vote_delegated")
        return f"organization:{own}", own, None, None
    if not _is_int(on_behalf_of):
        raise _invalid(_("on_behalf_of è l'identificativo di un'organizzazione."), "on_behalf_of", "invalid_input")
    proxy = active_proxy(session, poll.meeting_id, on_behalf_of)
    if proxy is None or proxy.delegate_id != own:
        raise Forbidden(_("Non puoi votare per un'altra organizzazione senza una sua delega."), code="not_entitled")
    return f"organization:{on_behalf_of}", on_behalf_of, None, proxy


def _roll_and_votes(session: Session, poll_id: int, keys: set[str]) -> tuple[dict[str, int], set[str]]:
    """The weights of `keys` on the poll's roll and those of them that already voted, in one query
    (a batch of a live vote pays a round trip per query). The voted set is the friendly early
    check; the UNIQUE constraint is what guarantees it under concurrency."""
    if not keys:
        return {}, set()
    rows = session.execute(roll_and_votes_query(poll_id, keys)).all()
    return {key: weight for key, weight, _voted in rows}, {key for key, _weight, has_voted in rows if has_voted}


def roll_and_votes_query(poll_id: int, keys: Iterable[str]) -> sa.Select:
    """(voter_key, weight, already voted) of `keys` on the poll's roll (see _roll_and_votes).

    "Already voted" is a correlated EXISTS, one probe of the (poll_id, voter_key) index per key,
    not an outer join: a poll's roll and votes are written moments before this runs, so the
    planner has no statistics for them yet and PostgreSQL joined them in a nested loop, comparing
    every key of the batch with every vote so far (22 ms for a batch of 333 keys at 1,000 votes,
    quadratic in the size of the vote; 1.6 ms with the probe)."""
    voted = sa.exists().where(VoteRecord.poll_id == PollVoter.poll_id, VoteRecord.voter_key == PollVoter.voter_key)
    return sa.select(PollVoter.voter_key, PollVoter.weight, voted).where(
        PollVoter.poll_id == poll_id, PollVoter.voter_key.in_(list(keys)))


def cast_ballot(session: Session, voter: Any, poll: Poll, ballot: Mapping[str, Any]) -> str:
    """Record `voter`'s ballot (shape per interface.md, plus optional `on_behalf_of`); returns the receipt.

    Refusals, in this order, record nothing: poll not open (409 `poll_not_open`), not entitled
    (403 `not_entitled` / `vote_delegated`), malformed ballot (422), second ballot (409 `already_voted`).
    """
    outcome = cast_ballots(session, poll, [(voter, ballot)])[0]
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def cast_ballots(session: Session, poll: Poll, requests: Sequence[tuple[Any, Any]]) -> list[str | DomainError]:
    """Record several voters' ballots on one poll in the caller's transaction: one poll lock, one
    query for the roll and earlier ballots, one flush and one audit append for all of them.

    Returns, per request, its receipt or the DomainError that refused it (refused requests write
    nothing; the others are written whatever their neighbours did). Two requests of the same voter:
    the first counts, the second is `already_voted`. A concurrent ballot of the same voter from
    another transaction makes the flush fail: the whole call raises Conflict and the caller rolls
    back (the ballot engine then retries each request alone, see app.votes.batching).
    """
    poll = _lock_poll(session, poll, exclusive=False)
    outcomes: list[str | DomainError | None] = [None] * len(requests)
    pending: list[tuple[int, Any, dict[str, Any], tuple[str, int | None, int | None, Proxy | None]]] = []
    for index, (voter, ballot) in enumerate(requests):
        try:
            require(is_authenticated(voter), voter)
            if not isinstance(ballot, Mapping):
                raise InvalidInput(_("Scheda non valida."), code="invalid_ballot")
            ballot = dict(ballot)
            on_behalf_of = ballot.pop("on_behalf_of", None)
            if poll.state != PollState.OPEN.value:
                raise Conflict(_("La votazione non è aperta."), code="poll_not_open")
            pending.append((index, voter, ballot, _voter_identity(session, voter, poll, on_behalf_of)))
        except DomainError as exc:
            outcomes[index] = exc
    keys = {identity[0] for _i, _v, _b, identity in pending}
    weights, voted = _roll_and_votes(session, poll.id, keys)
    ballots: list[dict[str, Any]] = []
    roll: list[dict[str, Any]] = []
    audit_items: list[tuple[Any, str, Any, dict[str, Any]]] = []
    for index, voter, ballot, (voter_key, organization_id, user_id, proxy) in pending:
        try:
            weight = weights.get(voter_key)
            if weight is None:
                raise Forbidden(_("Non hai diritto di voto in questa votazione."), code="not_entitled")
            content = encode_ballot(poll.kind, poll.option_ids, poll.max_choices, ballot)
            if voter_key in voted:
                raise Conflict(_("Questo voto è già stato espresso."), code="already_voted")
        except DomainError as exc:
            outcomes[index] = exc
            continue
        voted.add(voter_key)
        receipt = new_receipt()
        ballot_id = uuid.uuid4().hex
        ballots.append({"id": ballot_id, "poll_id": poll.id, "content": content, "weight": weight,
                        "receipt_hash": receipt_hash(receipt)})
        roll.append({"poll_id": poll.id, "voter_key": voter_key, "organization_id": organization_id,
                     "user_id": user_id, "cast_by_id": voter.id, "proxy_id": proxy.id if proxy else None,
                     "ballot_id": None if poll.secret else ballot_id, "voted_at": utcnow()})
        data: dict[str, Any] = {"poll_id": poll.id, "voter": voter_key}
        if proxy is not None:
            data["proxy_id"] = proxy.id
        if not poll.secret:
            data["ballot"] = decode_ballot(poll.kind, content)
            data["weight"] = weight
        # secret polls: NOTHING about the content (nor the receipt, which would link the entry to the row)
        audit_items.append((voter, "votes.ballot.cast", poll, data))
        outcomes[index] = receipt
    if ballots:
        _insert_ballots(session, poll, ballots, roll)
        record_many(session, audit_items)
        mark_tally_dirty(session, poll.id)
    return outcomes  # type: ignore[return-value]


def _insert_ballots(session: Session, poll: Poll, ballots: list[dict[str, Any]], roll: list[dict[str, Any]]) -> None:
    """The ballots and their roll entries as two multi-row INSERTs (a live vote writes hundreds at
    once; ORM objects, never read back here, cost more than the rest of the ballot). Secret polls:
    the ballots in a random order, so insertion order says nothing about who cast which (see
    app.votes.models)."""
    if poll.secret:
        secrets.SystemRandom().shuffle(ballots)
    try:
        insert_rows(session, Ballot.__table__, ballots)
        insert_rows(session, VoteRecord.__table__, roll)
    except IntegrityError:
        # a concurrent ballot of one of these voters committed first: the UNIQUE constraint decided
        session.rollback()
        raise Conflict(_("Questo voto è già stato espresso."), code="already_voted") from None


def check_receipt(session: Session, poll: Poll, code: str) -> dict[str, Any]:
    """Whether the ballot with this receipt is in the poll (and, for named polls, what it says)."""
    row = session.scalar(sa.select(Ballot).where(Ballot.poll_id == poll.id, Ballot.receipt_hash == receipt_hash(code)))
    if row is None:
        raise NotFound(_("Nessuna scheda con questa ricevuta in questa votazione."), code="receipt_not_found")
    data: dict[str, Any] = {
        "poll_id": poll.id, "state": poll.state, "recorded": True,
        #: counted in the stored result (once the poll is closed)
        "counted": poll.state == PollState.CLOSED.value,
    }
    if not poll.secret:
        data["ballot"] = decode_ballot(poll.kind, row.content)
    return data


def viewer_state(session: Session, poll: Poll, user: Any) -> dict[str, Any]:
    """For the poll page and console: may this user vote now, as whom, and have they voted."""
    state: dict[str, Any] = {"can_manage": can_manage_poll(user, poll), "can_vote": False, "has_voted": False,
                             "on_behalf_of": []}
    if poll.state == PollState.DRAFT.value:
        return state
    if poll.electorate == Electorate.PEOPLE.value:
        keys = [f"user:{user.id}"]
    elif user.role == "member" and user.organization_id is not None:
        keys = [f"organization:{user.organization_id}"]
        if poll.meeting_id is not None:
            principals = session.scalars(sa.select(Proxy.principal_id).where(
                Proxy.meeting_id == poll.meeting_id, Proxy.delegate_id == user.organization_id,
                Proxy.revoked_at.is_(None))).all()
            keys += [f"organization:{p}" for p in principals]
            state["delegated"] = active_proxy(session, poll.meeting_id, user.organization_id) is not None
    else:
        return state
    entitled = set(session.scalars(sa.select(PollVoter.voter_key).where(PollVoter.poll_id == poll.id, PollVoter.voter_key.in_(keys))))
    voted = set(session.scalars(sa.select(VoteRecord.voter_key).where(VoteRecord.poll_id == poll.id, VoteRecord.voter_key.in_(keys))))
    own = keys[0]
    state["entitled"] = own in entitled and not state.get("delegated", False)
    state["has_voted"] = own in voted
    state["can_vote"] = poll.state == PollState.OPEN.value and state["entitled"] and own not in voted
    state["on_behalf_of"] = [
        {"organization_id": int(k.split(":")[1]), "has_voted": k in voted}
        for k in keys[1:] if k in entitled
    ]
    return state


# --- proxies -------------------------------------------------------------------------------------

def proxy_dict(proxy: Proxy) -> dict[str, Any]:
    return {
        "id": proxy.id, "meeting_id": proxy.meeting_id,
        "principal_id": proxy.principal_id, "principal": proxy.principal.name,
        "delegate_id": proxy.delegate_id, "delegate": proxy.delegate.name,
        "created_at": isoformat(proxy.created_at), "revoked_at": isoformat(proxy.revoked_at),
    }


def list_proxies(session: Session, meeting_id: int, *, include_revoked: bool = False) -> list[Proxy]:
    query = sa.select(Proxy).where(Proxy.meeting_id == meeting_id).order_by(Proxy.id)
    if not include_revoked:
        query = query.where(Proxy.revoked_at.is_(None))
    return list(session.scalars(query))


def _table_member(session: Session, organization_id: Any, field: str) -> Organization:
    organization = session.get(Organization, organization_id) if _is_int(organization_id) else None
    if organization is None:
        raise _invalid(_("Organizzazione inesistente."), field, "organization_not_found")
    if organization.active_adhesion is None:
        raise _invalid(_("L'organizzazione non aderisce al tavolo."), field, "not_adhered")
    return organization


def create_proxy(session: Session, actor: Any, meeting: Any, *, principal_id: int, delegate_id: int) -> Proxy:
    """Record that `principal` delegates its vote to `delegate` for this meeting (chair). No chains."""
    require(can_manage_proxies(actor, meeting), actor)
    principal = _table_member(session, principal_id, "principal_id")
    delegate = _table_member(session, delegate_id, "delegate_id")
    if principal.id == delegate.id:
        raise _invalid(_("Un'organizzazione non può delegare sé stessa."), "delegate_id", "self_proxy")
    if active_proxy(session, meeting.id, principal.id) is not None:
        raise Conflict(_("Questa organizzazione ha già delegato il voto per l'incontro."), code="proxy_exists")
    holds = session.scalar(sa.select(Proxy.id).where(
        Proxy.meeting_id == meeting.id, Proxy.delegate_id == principal.id, Proxy.revoked_at.is_(None)))
    if holds or active_proxy(session, meeting.id, delegate.id) is not None:
        raise Conflict(_("Le deleghe non si concatenano: chi delega non riceve deleghe e viceversa."), code="proxy_chain")
    proxy = Proxy(meeting_id=meeting.id, principal_id=principal.id, delegate_id=delegate.id,
                  created_by_id=getattr(actor, "id", None), created_at=utcnow())
    session.add(proxy)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(_("Questa organizzazione ha già delegato il voto per l'incontro."), code="proxy_exists") from None
    record(session, actor, "votes.proxy.created", proxy,
           {"meeting_id": meeting.id, "principal_id": principal.id, "delegate_id": delegate.id})
    return proxy


def revoke_proxy(session: Session, actor: Any, meeting: Any, *, principal_id: int) -> Proxy:
    require(can_manage_proxies(actor, meeting), actor)
    proxy = active_proxy(session, meeting.id, principal_id) if _is_int(principal_id) else None
    if proxy is None:
        raise NotFound(_("Nessuna delega attiva di questa organizzazione per l'incontro."), code="proxy_not_found")
    proxy.revoked_at = utcnow()
    proxy.revoked_by_id = actor.id
    session.flush()
    record(session, actor, "votes.proxy.revoked", proxy,
           {"meeting_id": meeting.id, "principal_id": proxy.principal_id, "delegate_id": proxy.delegate_id})
    return proxy


# --- corrections ---------------------------------------------------------------------------------

def publish_correction(session: Session, actor: Any, poll: Poll, text: str) -> CorrectionNotice:
    """A public notice beside a closed poll (chair); the poll and its result stay as they were."""
    require(can_manage_poll(actor, poll), actor)
    text = (text or "").strip()
    if not text or len(text) > CORRECTION_MAX:
        raise _invalid(_("Il testo della rettifica è obbligatorio (al massimo %(n)d caratteri).", n=CORRECTION_MAX), "text", "invalid_text")
    if poll.state != PollState.CLOSED.value:
        raise Conflict(_("Le rettifiche si pubblicano sulle votazioni chiuse."), code="poll_not_closed")
    notice = CorrectionNotice(poll_id=poll.id, text=text, author_id=actor.id, created_at=utcnow())
    poll.corrections.append(notice)
    session.flush()
    record(session, actor, "votes.correction.published", notice, {"poll_id": poll.id, "text": text})
    return notice


# --- schedule ------------------------------------------------------------------------------------

def _due(poll: Poll, now: dt.datetime) -> bool:
    return bool(
        (poll.state == PollState.DRAFT.value and poll.opens_at and poll.opens_at <= now)
        or (poll.state == PollState.OPEN.value and poll.closes_at and poll.closes_at <= now)
    )


def tick_poll(session: Session, poll: Poll, now: dt.datetime | None = None) -> bool:
    """Open and/or close one poll whose scheduled time has passed; True if it changed."""
    now = now or utcnow()
    if not _due(poll, now):
        return False
    before = poll.state
    try:
        with session.begin_nested():
            if poll.state == PollState.DRAFT.value and poll.opens_at and poll.opens_at <= now:
                poll = open_poll(session, None, poll, system=True)
            if poll.state == PollState.OPEN.value and poll.closes_at and poll.closes_at <= now:
                poll = close_poll(session, None, poll, system=True)
    except DomainError as exc:  # e.g. nobody entitled: stays a draft, the chair sees it
        log.warning("scheduled transition of poll %s refused: %s", poll.id, exc.code)
        return False
    return poll.state != before


def tick(session: Session, now: dt.datetime | None = None) -> list[Poll]:
    """Every poll whose opening or closing time has passed (the `flask polls tick` job)."""
    now = now or utcnow()
    due = session.scalars(sa.select(Poll).where(sa.or_(
        sa.and_(Poll.state == PollState.DRAFT.value, Poll.opens_at.is_not(None), Poll.opens_at <= now),
        sa.and_(Poll.state == PollState.OPEN.value, Poll.closes_at.is_not(None), Poll.closes_at <= now),
    )).order_by(Poll.id)).all()
    return [poll for poll in due if tick_poll(session, poll, now)]


def ensure_visible(viewer: Any, poll: Poll) -> None:
    if not can_view_poll(viewer, poll):
        # a draft is not announced to whoever cannot manage it
        if is_authenticated(viewer):
            raise NotFound(_("Votazione non trovata."), code="poll_not_found")
        require(False, viewer)
