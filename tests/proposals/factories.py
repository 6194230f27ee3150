"""Factories of the proposals tests (plain functions)."""
from __future__ import annotations

import os

import sqlalchemy as sa


def make_axis(session, name: str = "Sviluppo economico"):
    from app.process.models import Axis, Process

    process = session.scalar(sa.select(Process).limit(1))
    if process is None:
        process = Process(slug="piano-di-prova", name="Piano di prova", promoter="Unione di prova")
        session.add(process)
        session.flush()
    axis = Axis(process_id=process.id, code=f"asse-{os.urandom(3).hex()}", name=name)
    session.add(axis)
    session.commit()
    return axis


def make_proposal(session, author, *, title: str = "Una proposta di prova", body: str = "Il testo della proposta.",
                  axis=None, publish: bool = True):
    from app.proposals.services import create_proposal

    axis = axis or make_axis(session)
    proposal = create_proposal(session, author, title=title, body=body, axis_id=axis.id, publish=publish)
    session.commit()
    return proposal
