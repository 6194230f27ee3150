from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


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

    meeting = relationship(Meeting, back_populates="items", foreign_keys=[meeting_id])
