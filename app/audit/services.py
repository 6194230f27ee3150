"""Appending to and verifying the audit chain."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.audit.chain import GENESIS_HASH, Verification, entry_hash, verify_entries
from app.audit.models import AuditEntry
from app.core.db import insert_rows, isoformat, lock_for_append, utcnow
from app.core.realtime import note_audit_seq

#: Advisory-lock key serializing chain appends on PostgreSQL ("TAVO" in ASCII).
AUDIT_LOCK_KEY = 0x5441564F


def singular(table_name: str) -> str:
    """English singular of a plural table name: processes → process, agenda_items → agenda_item.

    Irregular plurals (axes) set a class attribute `audit_type` on the model instead.
    """
    if table_name.endswith("sses"):
        return table_name[:-2]
    if table_name.endswith("ies"):
        return table_name[:-3] + "y"
    return table_name[:-1] if table_name.endswith("s") else table_name


def object_ref(obj: Any) -> str:
    """`type:id` for a model instance (its table name, singular) or a (type, id) tuple."""
    if obj is None:
        return ""
    if isinstance(obj, tuple):
        return f"{obj[0]}:{obj[1]}"
    kind = getattr(obj, "audit_type", None) or singular(obj.__tablename__)
    return f"{kind}:{obj.id}"


@dataclass(frozen=True)
class RecordedEntry:
    """An entry as appended: what the chain covers (see public_dict), without a round trip to the ORM."""

    seq: int
    at: dt.datetime
    actor_id: int | None
    action: str
    object: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


def public_dict(entry: AuditEntry | RecordedEntry) -> dict[str, Any]:
    """The entry as published and exported; exactly what the hash covers, plus the hash."""
    return {
        "seq": entry.seq,
        "at": isoformat(entry.at),
        "actor": entry.actor_id,
        "action": entry.action,
        "object": entry.object,
        "data": entry.data,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _head(session: Session) -> tuple[int, str]:
    row = session.execute(
        sa.select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)


def _actor_id(actor: Any) -> int | None:
    if isinstance(actor, int):
        return actor
    return getattr(actor, "id", None)


AuditItem = tuple[Any, str, Any, "dict[str, Any] | None"]


def stored_form(data: dict[str, Any] | None) -> dict[str, Any]:
    """The data exactly as the database will give it back (and the export will show it).

    The hash must cover what is stored, not what the caller passed: JSON turns integer keys into
    strings, and {10: .., 2: ..} sorts differently as numbers than as strings, so hashing the
    caller's dict broke verification of the reloaded entry. NaN and non-JSON values fail here,
    loudly, inside the caller's transaction.
    """
    return json.loads(json.dumps(data or {}, allow_nan=False))


def record_many(session: Session, items: list[AuditItem]) -> list[RecordedEntry]:
    """Append entries (actor, action, object, data) in the caller's transaction, under one lock.

    The caller's commit makes them durable together with the change they describe; a rollback
    removes both. Batched hot paths (ballots) append many entries for one lock and one head read,
    as one multi-row INSERT: the rows are never read back in the transaction, and building and
    flushing an ORM object per entry cost as much as the rest of a live ballot.
    """
    if not items:
        return []
    session.flush()  # the caller's changes first, as when entries were ORM objects (ids, constraint errors)
    lock_for_append(session, AUDIT_LOCK_KEY)
    seq, prev = _head(session)
    entries = []
    for actor, action, obj, data in items:
        seq += 1
        entry = RecordedEntry(seq=seq, at=utcnow(), actor_id=_actor_id(actor), action=action,
                              object=object_ref(obj), data=stored_form(data), prev_hash=prev, hash="")
        entry = replace(entry, hash=entry_hash(public_dict(entry)))
        prev = entry.hash
        entries.append(entry)
    # vars(), not dataclasses.asdict: asdict deep-copies every entry's data, a tenth of a live ballot's CPU
    insert_rows(session, AuditEntry.__table__, [vars(entry) for entry in entries])
    note_audit_seq(session, seq)
    return entries


def record(session: Session, actor: Any, action: str, obj: Any = None, data: dict[str, Any] | None = None) -> RecordedEntry:
    """Append one entry in the caller's transaction."""
    return record_many(session, [(actor, action, obj, data)])[0]


def head_seq(session: Session) -> int:
    return _head(session)[0]


def chain_head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the last entry: what anyone compares their downloaded copy against."""
    return _head(session)


def iter_public_entries(session: Session, after: int = 0, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """All entries after `after`, in order, in batches (the chain can be long)."""
    last = after
    while True:
        rows = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield public_dict(row)
        last = rows[-1].seq


def filtered_entries(session: Session, *, after: int = 0, object_ref: str = "", action_prefix: str = "",
                     limit: int = 200) -> list[dict[str, Any]]:
    """One page of the log for the public page's filters: an object (`poll:3`) and/or an action prefix."""
    stmt = sa.select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(limit)
    if object_ref:
        stmt = stmt.where(AuditEntry.object == object_ref)
    if action_prefix:
        escaped = action_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(AuditEntry.action.like(escaped + "%", escape="\\"))
    return [public_dict(row) for row in session.scalars(stmt)]


def verify_chain(session: Session) -> Verification:
    return verify_entries(iter_public_entries(session))
