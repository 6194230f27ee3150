"""The records a vote of the table freezes: the verbale (minutes) of a meeting and the process's
Documento di proposta partecipata (DocPP). Each is drafted from what Tavolo recorded, edited by the
chair (each edit a revision of app.deliberation), approved by a yes/no vote and then frozen with the
SHA-256 of its text recorded in the audit chain."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class VotedRecord:
    """The columns and rule shared by every record the table approves by vote."""

    id: Mapped[int] = mapped_column(primary_key=True)
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

    @property
    def frozen(self) -> bool:
        return self.status == "approved"


class Minutes(VotedRecord, db.Model):
    __tablename__ = "minutes"
    audit_type = "minutes"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), nullable=False, unique=True)

    meeting = relationship("Meeting")


class ParticipatoryDocument(VotedRecord, db.Model):
    """The DocPP: what was asked, the path, its critical points and above all the accepted proposals.
    The table validates it by vote; the regional Tecnico di garanzia then reads the frozen text."""

    __tablename__ = "participatory_documents"
    audit_type = "document"

    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id"), nullable=False, unique=True)

    process = relationship("Process")
