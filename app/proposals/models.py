from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class ProposalStatus(str, enum.Enum):
    DRAFT = "draft"
    DISCUSSION = "discussion"
    VOTING = "voting"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


FINAL_STATUSES = {ProposalStatus.ACCEPTED.value, ProposalStatus.REJECTED.value, ProposalStatus.WITHDRAWN.value}


class Proposal(db.Model):
    """A proposal brought to the table. Title and body mirror its current revision (deliberation)."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    #: Markdown; always equal to the body of the latest revision
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    #: number of the latest revision
    revision: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    axis_id: Mapped[int] = mapped_column(sa.ForeignKey("axes.id"), nullable=False, index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    #: the organization the author brought it for (None when the chair or the secretariat did)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), nullable=True, index=True)
    #: draft | discussion | voting | accepted | rejected | withdrawn
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=ProposalStatus.DRAFT.value, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    axis = relationship("Axis")
    author = relationship("User", foreign_keys=[author_id])
    organization = relationship("Organization", foreign_keys=[organization_id])
    supports = relationship("Support", back_populates="proposal", order_by="Support.created_at")

    @property
    def active_supports(self) -> list["Support"]:
        return [s for s in self.supports if s.withdrawn_at is None]

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class Support(db.Model):
    """An organization's "sostegno" to a proposal, given by one of its members; withdrawable, kept."""

    __tablename__ = "proposal_supports"
    __table_args__ = (
        # at most one standing support per organization and proposal, enforced by the database
        sa.Index(
            "uq_proposal_supports_open", "proposal_id", "organization_id", unique=True,
            sqlite_where=sa.text("withdrawn_at IS NULL"), postgresql_where=sa.text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), nullable=False, index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False, index=True)
    #: the member who gave the support for the organization
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)

    proposal = relationship(Proposal, back_populates="supports")
    organization = relationship("Organization")
