"""Polls, their options, the frozen roll of voters, who voted, the ballots, proxies and corrections.

Secrecy by layout: who voted (`vote_records`) and what was voted (`ballots`) are separate tables.
A ballot row has a random id, no timestamp and no voter column; on SQLite it is stored WITHOUT ROWID
(so not even a hidden rowid keeps the insertion order). For named polls the link lives on the
voter's side (`vote_records.ballot_id`); for secret polls that column stays NULL.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class PollKind(str, enum.Enum):
    YESNO = "yesno"
    CHOICE = "choice"
    RANKING = "ranking"


class PollState(str, enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Electorate(str, enum.Enum):
    ORGANIZATIONS = "organizations"
    PEOPLE = "people"


class Majority(str, enum.Enum):
    SIMPLE = "simple"
    ABSOLUTE = "absolute"
    TWO_THIRDS = "two_thirds"


class Poll(db.Model):
    __tablename__ = "polls"
    audit_type = "poll"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    #: yesno | choice | ranking
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    #: choice polls: how many options a ballot may mark (1 = single choice)
    max_choices: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="SET NULL"), nullable=True, index=True)
    #: what the poll decides, e.g. ("proposal", 3); a registered handler applies the outcome at close
    subject_type: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    subject_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    secret: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    #: running counts are withheld until the poll closes (the number of voters is always shown)
    hide_tally: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    #: simple | absolute | two_thirds (see interface.md)
    majority: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=Majority.SIMPLE.value)
    #: least number of ballots cast for the result to be valid; NULL = no quorum
    quorum: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    #: organizations (one ballot each) | people (one ballot per person)
    electorate: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=Electorate.ORGANIZATIONS.value)
    #: ballots count with the organization's weight (organizations electorate only)
    weighted: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    #: draft | open | closed
    state: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=PollState.DRAFT.value, index=True)
    #: scheduled opening and closing (`flask polls tick`, and lazily when the poll is read)
    opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: size and total weight of the roll frozen at opening
    entitled_count: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    entitled_weight: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    #: computed once at close and never edited (corrections are separate notices)
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    options = relationship("PollOption", order_by="PollOption.position", back_populates="poll",
                           cascade="all, delete-orphan")
    corrections = relationship("CorrectionNotice", order_by="CorrectionNotice.created_at", back_populates="poll")
    meeting = relationship("Meeting")

    @property
    def option_ids(self) -> list[int]:
        return [o.id for o in self.options]


class PollOption(db.Model):
    __tablename__ = "poll_options"
    __table_args__ = (sa.UniqueConstraint("poll_id", "label"),)
    audit_type = "poll_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), nullable=False, index=True)
    label: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    poll = relationship(Poll, back_populates="options")


class PollVoter(db.Model):
    """The roll: who may vote in a poll, frozen when it opens (one bulk insert)."""

    __tablename__ = "poll_voters"
    __table_args__ = (sa.UniqueConstraint("poll_id", "voter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), nullable=False)
    #: `organization:<id>` or `user:<id>` depending on the poll's electorate
    voter_key: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    weight: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)


class VoteRecord(db.Model):
    """That a voter voted (never what, for secret polls). UNIQUE(poll, voter): one ballot each."""

    __tablename__ = "vote_records"
    __table_args__ = (sa.UniqueConstraint("poll_id", "voter_key"),)
    audit_type = "vote_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), nullable=False)
    voter_key: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    #: the person who cast it (a delegate or substitute, or a member of the proxy holder)
    cast_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    #: the proxy used, when an organization voted through another one
    proxy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proxies.id"), nullable=True)
    #: named polls only: the ballot cast; always NULL for secret polls
    ballot_id: Mapped[str | None] = mapped_column(sa.ForeignKey("ballots.id"), nullable=True)
    voted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class Ballot(db.Model):
    """What was voted. Deliberately no voter, no time, no sequential id (see the module docstring)."""

    __tablename__ = "ballots"
    __table_args__ = (sa.Index("ix_ballots_poll_content", "poll_id", "content"), {"sqlite_with_rowid": False})

    #: uuid4 hex: random, so the id says nothing about when the ballot was cast
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), nullable=False)
    #: canonical encoding (app.votes.ballots): `yes`, `3,7`, `7,3,5`
    content: Mapped[str] = mapped_column(sa.String(1000), nullable=False)
    #: the voter's weight on the roll (1 unless the poll is weighted)
    weight: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    #: SHA-256 of the receipt code given to the voter (the code itself is never stored)
    receipt_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)


class Proxy(db.Model):
    """An organization delegates its vote to another for one meeting (logged, revocable)."""

    __tablename__ = "proxies"
    __table_args__ = (
        sa.Index("uq_proxies_active_principal", "meeting_id", "principal_id", unique=True,
                 sqlite_where=sa.text("revoked_at IS NULL"), postgresql_where=sa.text("revoked_at IS NULL")),
    )
    audit_type = "proxy"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False, index=True)
    #: the organization that delegates its vote
    principal_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False)
    #: the organization whose members cast the principal's ballot
    delegate_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)

    principal = relationship("Organization", foreign_keys=[principal_id])
    delegate = relationship("Organization", foreign_keys=[delegate_id])


class CorrectionNotice(db.Model):
    """A public correction published beside a closed poll (the poll itself is never edited)."""

    __tablename__ = "correction_notices"
    audit_type = "correction_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), nullable=False, index=True)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    poll = relationship(Poll, back_populates="corrections")
    author = relationship("User")
