from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime
from app.extensions import db


class AuditEntry(db.Model):
    """One link of the chain. Rows are only ever inserted; `hash` covers every other column."""

    __tablename__ = "audit_entries"

    #: Position in the chain, 1-based and gap-free; the primary key makes forks impossible.
    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    #: User id of whoever acted; NULL for the system (demo loader, scheduled jobs).
    actor_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True, index=True)
    #: Dotted `domain.noun.verb`, e.g. `votes.ballot.cast`.
    action: Mapped[str] = mapped_column(sa.String(80), nullable=False, index=True)
    #: `type:id` of the object acted on, e.g. `proposal:12`; empty for none.
    object: Mapped[str] = mapped_column(sa.String(80), nullable=False, default="", index=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
