from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.audit.services import verify_chain
from app.extensions import db
from app.ops.backup import BackupError, backup, restore


def _url() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Write a consistent backup of the database to TARGET (safe while serving)."""
    try:
        backup(_url(), target)
    except BackupError as exc:
        click.echo(f"backup failed: {exc}", err=True)
        sys.exit(1)
    result = verify_chain(db.session)
    click.echo(f"backup written to {target} (audit chain length {result.length}, head {result.head})")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database with the backup SOURCE (stop the servers first), then verify the audit chain."""
    if not yes:
        click.confirm("This replaces the whole database. Continue?", abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        restore(_url(), source)
    except BackupError as exc:
        click.echo(f"restore failed: {exc}", err=True)
        sys.exit(1)
    result = verify_chain(db.session)
    if not result.ok:
        click.echo(f"restored, but the audit chain is BROKEN at seq {result.broken_seq}: {result.reason}", err=True)
        sys.exit(2)
    click.echo(f"restored from {source}; audit chain intact, length {result.length}, head {result.head}")
