"""insert_rows: COPY on PostgreSQL, executemany elsewhere; the same rows, types and errors on both."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEntry
from app.core.db import insert_rows

TABLE = AuditEntry.__table__


def _row(seq: int, data: dict) -> dict:
    return {"seq": 10_000 + seq, "at": dt.datetime(2026, 12, 7, 10, 0, seq, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            "actor_id": None, "action": "test.row", "object": "", "data": data, "prev_hash": "0" * 64, "hash": f"{seq:064d}"}


def test_rows_come_back_with_their_types(session):
    rows = [_row(1, {"città": "Imola", "n": [1, 2]}), _row(2, {})]
    insert_rows(session, TABLE, rows)
    back = session.execute(sa.select(TABLE).where(TABLE.c.action == "test.row").order_by(TABLE.c.seq)).mappings().all()
    assert [r["data"] for r in back] == [{"città": "Imola", "n": [1, 2]}, {}]
    assert [r["at"] for r in back] == [r["at"] for r in rows]  # aware datetimes, stored as UTC
    assert back[0]["at"].utcoffset() == dt.timedelta(0) and back[0]["actor_id"] is None


def test_a_duplicate_raises_integrity_error_and_rolls_back_cleanly(session):
    insert_rows(session, TABLE, [_row(3, {})])
    session.commit()
    with pytest.raises(IntegrityError):
        insert_rows(session, TABLE, [_row(4, {}), _row(3, {})])
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(TABLE).where(TABLE.c.action == "test.row")) == 1


def test_a_column_with_a_python_default_must_be_given(session):
    row = _row(5, {})
    del row["data"]  # data has a Python-side default, which COPY would not apply
    with pytest.raises(ValueError, match="data"):
        insert_rows(session, TABLE, [row])


def test_no_rows_is_nothing(session):
    insert_rows(session, TABLE, [])
