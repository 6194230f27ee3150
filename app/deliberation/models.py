"""Revisions, comments and amendments of any deliberated text ("subject": a proposal, a pact clause).

A subject is named by (subject_type, subject_id); the type is registered by the domain that owns it
(see app.deliberation.subjects), so these tables serve every kind of text without foreign keys to it.
"""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

#: replies nest at most this many levels (a comment, a reply, a reply to the reply)
MAX_COMMENT_DEPTH = 3


class Alignment(str, enum.Enum):
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


class AmendmentState(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Revision(db.Model):
    """One version of a subject's text. Never edited or deleted: the history is the table."""

    __tablename__ = "revisions"
    __table_args__ = (
        sa.UniqueConstraint("subject_type", "subject_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: registered subject kind: "proposal", "clause", ...
    subject_type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    subject_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    #: 1 for the first text, then 2, 3, ... per subject
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    #: the organization the author spoke for when the revision was made (None for staff)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), nullable=True)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    #: the accepted amendment this revision applies, if any
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendments.id"), nullable=True)

    author = relationship("User", foreign_keys=[author_id])
    organization = relationship("Organization", foreign_keys=[organization_id])


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (sa.Index("ix_comments_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    subject_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id"), nullable=True, index=True)
    #: 0 for a comment on the subject, 1 for a reply, ... (below MAX_COMMENT_DEPTH)
    depth: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    #: for | against | neutral, or NULL when the author takes no side
    alignment: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: set by the chair's moderation: the text is then shown only to moderators
    hidden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)

    author = relationship("User", foreign_keys=[author_id])
    organization = relationship("Organization", foreign_keys=[organization_id])
    hidden_by = relationship("User", foreign_keys=[hidden_by_id])
    edits = relationship("CommentEdit", order_by="CommentEdit.id", back_populates="comment")
    flags = relationship("CommentFlag", order_by="CommentFlag.id", back_populates="comment")

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class CommentEdit(db.Model):
    """The text a comment had before one of its edits (the history of a comment)."""

    __tablename__ = "comment_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id"), nullable=False, index=True)
    #: the body as it was until this edit
    previous_body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    edited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    edited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    comment = relationship(Comment, back_populates="edits")


class CommentFlag(db.Model):
    """A member's report of a comment to the moderation; one per person and comment."""

    __tablename__ = "comment_flags"
    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    comment = relationship(Comment, back_populates="flags")


class Amendment(db.Model):
    """A proposed new text for a subject, with its reason; the chair accepts or rejects it."""

    __tablename__ = "amendments"
    __table_args__ = (sa.Index("ix_amendments_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    subject_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    #: number of the revision the amendment was written against
    base_revision: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    #: a new title, or NULL to keep the current one
    title: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    #: the whole proposed text (accepting it makes it the subject's text)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), nullable=True)
    #: draft | submitted | accepted | rejected | withdrawn
    state: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=AmendmentState.SUBMITTED.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    #: number of the revision created by accepting the amendment
    result_revision: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)

    author = relationship("User", foreign_keys=[author_id])
    organization = relationship("Organization", foreign_keys=[organization_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
