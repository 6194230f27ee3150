from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class MeetingStatus(str, enum.Enum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"


class Meeting(db.Model):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int | None] = mapped_column(sa.ForeignKey("processes.id"), nullable=True, index=True)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    #: a room and address, or an online link
    place: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    #: planned | open | closed
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="planned")
    current_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id", use_alter=True, ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: whether new requests to speak are accepted (the chair closes and reopens the list)
    speakers_open: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    #: optional limit of one speech in seconds; clients show the overrun, the chair ends the speech
    speaking_limit: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)

    items = relationship(
        "AgendaItem", order_by="AgendaItem.position", back_populates="meeting", foreign_keys="AgendaItem.meeting_id"
    )


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    #: planned duration in minutes
    duration: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    #: what the item is about, as `type:id` (proposal:3, clause:7, poll:2, document:1), or empty
    ref: Mapped[str | None] = mapped_column(sa.String(80), nullable=True)
    #: when the item last became the current one: clients count down `duration` from here
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    meeting = relationship(Meeting, back_populates="items", foreign_keys=[meeting_id])


class Attendance(db.Model):
    """Whether a person is in the meeting now; one row per person and meeting, updated in place.

    The audit log keeps every check-in and check-out; the row keeps the first arrival for the minutes.
    """

    __tablename__ = "attendances"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    present: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    arrived_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    #: last check-in or check-out
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    #: who made the last change: the person, or the chair for them
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)

    user = relationship("User", foreign_keys=[user_id])


class SpeakerKind(str, enum.Enum):
    CONTRIBUTION = "contribution"
    #: a short reply to the current speaker: heard right after them
    REPLY = "reply"
    #: a procedural point: heard before everyone else
    POINT_OF_ORDER = "point_of_order"


class SpeakerState(str, enum.Enum):
    WAITING = "waiting"
    SPEAKING = "speaking"
    DONE = "done"
    WITHDRAWN = "withdrawn"


class SpeakerRequest(db.Model):
    """One request to speak, from the request to the end of the speech (or its withdrawal)."""

    __tablename__ = "speaker_requests"
    __table_args__ = (
        # one place in the list per person, and one speaker at a time, enforced by the database
        sa.Index(
            "uq_speaker_requests_waiting_per_user", "meeting_id", "user_id", unique=True,
            sqlite_where=sa.text("state = 'waiting'"), postgresql_where=sa.text("state = 'waiting'"),
        ),
        sa.Index(
            "uq_speaker_requests_one_speaking", "meeting_id", unique=True,
            sqlite_where=sa.text("state = 'speaking'"), postgresql_where=sa.text("state = 'speaking'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    #: the organization the speaker represented when asking (for the per-organization totals)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), nullable=True)
    #: the agenda item that was current when the request was made
    agenda_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id", ondelete="SET NULL"), nullable=True
    )
    #: contribution | reply | point_of_order
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=SpeakerKind.CONTRIBUTION.value)
    #: waiting | speaking | done | withdrawn
    state: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=SpeakerState.WAITING.value)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    meeting = relationship(Meeting)
    user = relationship("User", foreign_keys=[user_id])
    organization = relationship("Organization")


class AccessCode(db.Model):
    """A personal town-meeting access code. The code is shown once; only its keyed hash is kept.

    On first use it is bound to a new participant account; later uses log into that same account,
    so one code is one person (and one ballot) whatever the number of devices.
    """

    __tablename__ = "access_codes"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False, index=True)
    #: card number within the meeting; its participant is called "Partecipante <number>"
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    #: HMAC-SHA256 of the normalized code keyed with the application's secret key
    code_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    #: the participant account, created on first use
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    first_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)

    user = relationship("User", foreign_keys=[user_id])
