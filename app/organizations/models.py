from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class Category(str, enum.Enum):
    """The kinds of organized actors art. 17 LR 15/2018 asks to seat at the table."""

    TRADE = "associazione_categoria"
    UNION = "sindacato"
    THIRD_SECTOR = "terzo_settore"
    CULTURE = "cultura"
    RESEARCH = "ricerca"
    PUBLIC_BODY = "ente_pubblico"
    BUSINESS = "impresa"
    COMMITTEE = "comitato"


CATEGORY_LABELS = {
    Category.TRADE.value: _l("Associazione di categoria"),
    Category.UNION.value: _l("Sindacato"),
    Category.THIRD_SECTOR.value: _l("Terzo settore e volontariato"),
    Category.CULTURE.value: _l("Cultura"),
    Category.RESEARCH.value: _l("Ricerca e formazione"),
    Category.PUBLIC_BODY.value: _l("Ente pubblico"),
    Category.BUSINESS.value: _l("Impresa"),
    Category.COMMITTEE.value: _l("Comitato"),
}


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, unique=True)
    short_name: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    category: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    #: municipality or area of the Circondario where it is based
    place: Mapped[str | None] = mapped_column(sa.String(120), nullable=True)
    website: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    #: vote weight in weighted polls (1 unless the table agreed otherwise)
    weight: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    representatives = relationship("User", back_populates="organization", order_by="User.name")
    adhesions = relationship("Adhesion", back_populates="organization", order_by="Adhesion.adhered_at")

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS.get(self.category, self.category))

    @property
    def active_adhesion(self) -> "Adhesion | None":
        return next((a for a in self.adhesions if a.withdrawn_at is None), None)


class Adhesion(db.Model):
    """One period of membership of the table: adhered, and perhaps later withdrawn. Never deleted."""

    __tablename__ = "adhesions"
    __table_args__ = (
        # at most one open adhesion per organization, enforced by the database
        sa.Index(
            "uq_adhesions_open_per_org", "organization_id", unique=True,
            sqlite_where=sa.text("withdrawn_at IS NULL"), postgresql_where=sa.text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False, index=True)
    statement: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    #: the person who signed the adhesion on behalf of the organization
    representative_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    representative_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    adhered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)

    organization = relationship(Organization, back_populates="adhesions")
