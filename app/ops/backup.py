"""Consistent backups of the live database, and their restore.

SQLite: the online backup API copies a consistent snapshot while the server keeps running (WAL).
PostgreSQL: pg_dump (custom format) and pg_restore, the documented tools, on the same URL.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    pass


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise BackupError("in-memory SQLite databases cannot be backed up")
    return Path(database)


def _libpq_url(url: str) -> str:
    """pg_dump speaks libpq URLs: drop SQLAlchemy's driver suffix (postgresql+psycopg → postgresql)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(cmd: list[str]) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"{cmd[0]} not found: install the PostgreSQL client tools")
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {done.stderr.strip()[-500:]}")


def backup(url: str, target: Path) -> Path:
    """Write a consistent copy of the database at `url` to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(url))
        try:
            dest = sqlite3.connect(target)
            with dest:
                source.backup(dest)
            dest.close()
        finally:
            source.close()
    elif url.startswith("postgresql"):
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), _libpq_url(url)])
    else:
        raise BackupError(f"unsupported database {make_url(url).drivername}")
    return target


def restore(url: str, source: Path) -> None:
    """Replace the database at `url` with the backup `source` (stop the servers first)."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    if url.startswith("sqlite"):
        backup_db = sqlite3.connect(source)
        try:
            dest = sqlite3.connect(_sqlite_path(url))
            with dest:
                backup_db.backup(dest)
            dest.close()
        finally:
            backup_db.close()
    elif url.startswith("postgresql"):
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--dbname", _libpq_url(url), str(source)])
    else:
        raise BackupError(f"unsupported database {make_url(url).drivername}")
