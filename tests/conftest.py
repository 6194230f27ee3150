"""Shared fixtures. The same suite runs on SQLite (default) and PostgreSQL (TEST_DATABASE_URL)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db as _db
from config import TestingConfig
from tests.isolation import IsolatedClient

ROOT = Path(__file__).resolve().parent.parent


def _database_url(tmpdir: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    # a file, not :memory:, so threads and several connections see the same database
    return f"sqlite:///{tmpdir}/tavolo-test.db"


def is_postgres() -> bool:
    return os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmpdir:
        yield _database_url(tmpdir)


def _reset_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def app(database_url: str):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    _reset_schema(database_url)
    application = create_app(Config)
    application.test_client_class = IsolatedClient  # each request in its own context (tests/isolation.py)
    with application.app_context():
        # the schema comes from the migrations, so every run also exercises them
        from flask_migrate import upgrade

        upgrade(directory=str(ROOT / "migrations"))
    yield application


@pytest.fixture(autouse=True)
def _clean_database(app) -> Iterator[None]:
    """Every test starts from empty tables (faster than recreating the schema) and no pending live
    tallies: the broadcaster lives in the app, and polls left dirty by one test were emitted (or
    counted) by the next one's flush."""
    from app.votes import live

    yield
    app.extensions.pop(live.EXTENSION_KEY, None)
    with app.app_context():
        _db.session.remove()
        tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
        with _db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            else:
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                for name in tables:
                    conn.exec_driver_sql(f"DELETE FROM {name}")
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture
def app_ctx(app) -> Iterator[Any]:
    with app.app_context():
        yield app
        _db.session.remove()


@pytest.fixture
def session(app_ctx):
    return _db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo(app_ctx) -> dict:
    """The full demo table, as `flask seed-demo` loads it."""
    from app.process.cli import run_demo_seeders

    return run_demo_seeders()


