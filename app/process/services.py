from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from app.core.errors import NotFound
from app.process.models import Axis, Process


def current_process(session: Session) -> Process | None:
    """The process this instance serves (one per deployment; the first one created)."""
    return session.scalar(
        sa.select(Process).options(selectinload(Process.phases), selectinload(Process.axes)).order_by(Process.id).limit(1)
    )


def get_axis(session: Session, axis_id: int) -> Axis:
    axis = session.get(Axis, axis_id)
    if axis is None:
        raise NotFound(_("Asse prioritario non trovato."))
    return axis


def list_axes(session: Session) -> list[Axis]:
    return list(session.scalars(sa.select(Axis).order_by(Axis.position, Axis.id)))
