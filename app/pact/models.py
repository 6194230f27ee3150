"""The Patto per lo sviluppo: sections, clauses, endorsements, frozen versions and signatures."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class Pact(db.Model):
    __tablename__ = "pacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    sections = relationship("PactSection", back_populates="pact", order_by="PactSection.position")
    versions = relationship("PactVersion", back_populates="pact", order_by="PactVersion.number")


class PactSection(db.Model):
    """A priority axis of the pact."""

    __tablename__ = "pact_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    pact_id: Mapped[int] = mapped_column(sa.ForeignKey("pacts.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)

    pact = relationship(Pact, back_populates="sections")
    clauses = relationship("Clause", back_populates="section", order_by="Clause.number")


class Clause(db.Model):
    """A numbered clause. Title and body mirror its current revision (app.deliberation)."""

    __tablename__ = "pact_clauses"
    __table_args__ = (sa.UniqueConstraint("pact_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pact_id: Mapped[int] = mapped_column(sa.ForeignKey("pacts.id"), nullable=False, index=True)
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("pact_sections.id"), nullable=False, index=True)
    #: 1, 2, 3 ... across the whole pact
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    #: the commitments asked of signatories, one per line
    commitments: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    revision: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    #: the table's last vote on the clause: "approved" / "rejected", on which revision, when
    decision: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    decided_revision: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    section = relationship(PactSection, back_populates="clauses")

    @property
    def commitment_list(self) -> list[str]:
        return [line for line in self.commitments.split("\n") if line.strip()]


class Endorsement(db.Model):
    """An organization's position on a clause. A change closes the current row and adds a new one."""

    __tablename__ = "pact_endorsements"
    __table_args__ = (
        sa.Index(
            "uq_pact_endorsements_current", "clause_id", "organization_id", unique=True,
            sqlite_where=sa.text("superseded_at IS NULL"), postgresql_where=sa.text("superseded_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clause_id: Mapped[int] = mapped_column(sa.ForeignKey("pact_clauses.id"), nullable=False, index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    #: endorse | reservation | oppose
    position: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    organization = relationship("Organization")


class PactVersion(db.Model):
    """A frozen text of the pact: never edited; its hash is the SHA-256 of `canonical_text`."""

    __tablename__ = "pact_versions"
    __table_args__ = (sa.UniqueConstraint("pact_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pact_id: Mapped[int] = mapped_column(sa.ForeignKey("pacts.id"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    canonical_text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    frozen_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    frozen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    #: the table's vote on this version as the final document: None until voted
    approved: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    pact = relationship(Pact, back_populates="versions")


class Signature(db.Model):
    """An organization's adhesion to a frozen version; a withdrawal keeps the row."""

    __tablename__ = "pact_signatures"
    __table_args__ = (
        sa.Index(
            "uq_pact_signatures_active", "pact_id", "organization_id", unique=True,
            sqlite_where=sa.text("withdrawn_at IS NULL"), postgresql_where=sa.text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pact_id: Mapped[int] = mapped_column(sa.ForeignKey("pacts.id"), nullable=False, index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("pact_versions.id"), nullable=False, index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False, index=True)
    #: the representative (delegate or substitute) who signed
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    declaration: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    #: signed version 1 (the founding text); later versions are adhesions
    founding: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)

    version = relationship(PactVersion)
    organization = relationship("Organization")
    user = relationship("User")
