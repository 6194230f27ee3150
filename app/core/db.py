"""Database base class, column types and engine settings shared by every domain."""
from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from sqlalchemy.orm import DeclarativeBase

#: Stable constraint names, so Alembic autogenerate and batch migrations agree on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """Current time, UTC-aware, truncated to microseconds (what every backend stores)."""
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that is always UTC-aware in Python, whatever the backend stores.

    SQLite has no time zones: values are stored naive (in UTC) and made aware on load, so the
    audit chain's canonical encoding of a time is the same on SQLite and PostgreSQL.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def isoformat(value: dt.datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, as the public interface promises."""
    if value is None:
        return None
    return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def is_sqlite(engine_or_conn: Any) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Durable SQLite: WAL journal, fsync on every commit, foreign keys, wait on locks.

    The driver's own transaction handling is switched off (isolation_level=None) so that the
    "begin" listener below decides how transactions start.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


#: a pooled connection idle for longer than this is pinged before it is handed out (see below)
PING_AFTER_IDLE_S = 10.0


@event.listens_for(Pool, "checkin")
def _note_checkin(dbapi_connection: Any, connection_record: Any) -> None:
    if dbapi_connection is not None:
        connection_record.info["checked_in_at"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_after_idle(dbapi_connection: Any, connection_record: Any, connection_proxy: Any) -> None:
    """A server connection that sat idle is pinged before use; one back from use within
    PING_AFTER_IDLE_S is not.

    `pool_pre_ping` pings at every checkout: in a live vote that is a round trip (and a cooperative
    wait) per batch of ballots, per tally and per request, thousands a minute, to detect what
    happens once in months (the server restarted, a firewall dropped an idle connection). After
    that, a connection used in the last few seconds fails one statement; SQLAlchemy sees the
    disconnect and replaces every connection of the pool, and the ballot engine retries a failed
    batch ballot by ballot. A failed ping here makes the pool connect afresh (DisconnectionError).
    SQLite has no server to lose: never pinged.
    """
    checked_in_at = connection_record.info.get("checked_in_at")
    if (isinstance(dbapi_connection, sqlite3.Connection) or checked_in_at is None
            or time.monotonic() - checked_in_at < PING_AFTER_IDLE_S):
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    except Exception as exc:  # whatever the driver raises, the connection is of no use
        raise sa.exc.DisconnectionError(f"idle connection lost: {exc}") from exc


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn: Any) -> None:
    """Every SQLite transaction takes the write lock at BEGIN (IMMEDIATE).

    SQLite allows one writer; a deferred transaction that reads and then writes can fail with
    SQLITE_BUSY when another writer committed in between. Taking the lock up front makes writers
    queue (busy_timeout) instead of failing, which keeps the audit chain linear without retries.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def lock_for_append(session: Any, key: int) -> None:
    """Serialize appends to a shared sequence (audit chain) until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the IMMEDIATE transaction already holds
    the database's single write lock.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def insert_rows(session: Any, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Many rows of one table, in the session's transaction, the fastest way the database offers.

    PostgreSQL (psycopg): COPY. psycopg's executemany pipelines one statement per row and, under
    gevent, waits cooperatively after each one: 500 ballots cost about 45 ms of CPU against 4 ms
    for COPY, on the one core that serves a live vote. SQLite: one executemany of a plain
    positional INSERT; `session.execute(sa.insert(table), rows)` (what any other driver gets) would
    compile the statement and build a parameter dict per row, about a tenth of the server's CPU in a
    live vote. Either way values go through the columns' SQLAlchemy types as in an INSERT, and a constraint
    violation raises SQLAlchemy's IntegrityError.

    Every row has the same keys. COPY applies only the database's defaults, so a column with a
    Python-side default must be given (ValueError otherwise, on every backend alike).
    """
    if not rows:
        return
    names = list(rows[0])
    missing = [c.name for c in table.columns if c.default is not None and c.name not in names]
    if missing:
        raise ValueError(f"insert_rows({table.name}): give {', '.join(missing)} (Python-side defaults)")
    session.flush()  # pending ORM changes first, as an INSERT through the session would follow them
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer
    columns = ", ".join(quote.quote(n) for n in names)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        _copy_rows(connection, f"COPY {quote.format_table(table)} ({columns}) FROM STDIN", _bound_rows(table, names, rows, dialect))
    elif dialect.paramstyle == "qmark":  # sqlite3
        connection.exec_driver_sql(f"INSERT INTO {quote.format_table(table)} ({columns}) VALUES ({', '.join('?' * len(names))})",
                                   list(_bound_rows(table, names, rows, dialect)))
    else:
        session.execute(sa.insert(table), list(rows))


def _bound_rows(table: sa.Table, names: list[str], rows: Sequence[Mapping[str, Any]],
                dialect: sa.Dialect) -> Iterator[tuple[Any, ...]]:
    """Each row's values in `names` order, through the columns' bind processors (what an INSERT
    compiled by SQLAlchemy would send)."""
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    for row in rows:
        yield tuple(value if process is None else process(value) for process, value in zip(processors, (row[n] for n in names)))


def _copy_rows(connection: sa.Connection, sql: str, values: Iterator[tuple[Any, ...]]) -> None:
    dialect = connection.dialect
    dbapi = dialect.loaded_dbapi
    try:
        with connection.connection.dbapi_connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in values:
                copy.write_row(row)
    except dbapi.Error as exc:
        raise sa.exc.DBAPIError.instance(sql, None, exc, dbapi.Error, dialect=dialect) from exc
