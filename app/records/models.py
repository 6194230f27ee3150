"""The verbale (minutes) of a meeting: a draft drafted from the meeting record, edited by the chair
(each edit a revision of app.deliberation), approved by a vote of the table and then frozen with
the SHA-256 of its text recorded in the audit chain."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class Minutes(db.Model):
    __tablename__ = "minutes"
    audit_type = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), nullable=False, unique=True)
    #: "draft" (the chair edits it) or "approved" (frozen: never edited again)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="draft")
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    #: Markdown, mirroring the current revision
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    revision: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: SHA-256 (hex) of the approved text (UTF-8), also in the audit entry that froze it
    sha256: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)

    meeting = relationship("Meeting")

    @property
    def frozen(self) -> bool:
        return self.status == "approved"
