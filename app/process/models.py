from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class Process(db.Model):
    """A participatory process funded under LR 15/2018 (e.g. a Piano strategico di Unione)."""

    __tablename__ = "processes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    #: the promoting body, e.g. "Nuovo Circondario Imolese"
    promoter: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    summary: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    phases = relationship("Phase", order_by="Phase.position", back_populates="process")
    axes = relationship("Axis", order_by="Axis.position", back_populates="process")


class Phase(db.Model):
    __tablename__ = "phases"
    __table_args__ = (sa.UniqueConstraint("process_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id"), nullable=False, index=True)
    #: condivisione | apertura | restituzione
    key: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    starts_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    ends_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)

    process = relationship(Process, back_populates="phases")

    def is_current(self, today: dt.date) -> bool:
        return bool(self.starts_on and self.starts_on <= today and (self.ends_on is None or today <= self.ends_on))


class Axis(db.Model):
    """A priority axis of the plan; proposals and pact sections belong to one."""

    __tablename__ = "axes"
    audit_type = "axis"  # irregular plural (app.audit.services.object_ref)
    __table_args__ = (sa.UniqueConstraint("process_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    process = relationship(Process, back_populates="axes")
