"""Pooled PostgreSQL connections: pinged before use only after sitting idle (app.core.db._ping_after_idle).

A server connection is killed behind the pool's back (pg_terminate_backend, what a restart of the
server does to every connection); PostgreSQL only: SQLite has no server to lose.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from app.core import db as core_db
from tests.conftest import is_postgres

pytestmark = pytest.mark.skipif(not is_postgres(), reason="a server connection to lose: PostgreSQL")


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """One pooled connection, so every checkout hands out the same one."""
    engine = sa.create_engine(database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def _kill(database_url: str, pid: int) -> None:
    killer = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with killer.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    killer.dispose()


def test_an_idle_connection_lost_meanwhile_is_replaced_before_use(engine, database_url, monkeypatch):
    pid = _backend_pid(engine)
    _kill(database_url, pid)
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_S", 0.0)  # it has been idle long enough
    assert _backend_pid(engine) != pid  # no error reached the caller: a new connection served it


def test_a_connection_back_from_use_moments_ago_is_not_pinged_and_a_loss_costs_one_statement(
        engine, database_url, monkeypatch):
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_S", 3600.0)
    pid = _backend_pid(engine)
    _kill(database_url, pid)
    with pytest.raises(sa.exc.DBAPIError) as failure:  # handed out unpinged: the statement finds it dead
        _backend_pid(engine)
    assert failure.value.connection_invalidated
    assert _backend_pid(engine) != pid  # and the pool has replaced it for the next one
