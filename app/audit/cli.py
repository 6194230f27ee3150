from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.audit.services import verify_chain
from app.extensions import db

audit_cli = AppGroup("audit", help="Audit chain commands.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Recompute every hash of the chain; exit 1 naming the first broken entry."""
    result = verify_chain(db.session)
    if result.ok:
        click.echo(f"OK: audit chain intact, length {result.length}, head {result.head}")
        return
    click.echo(f"BROKEN at entry seq {result.broken_seq}: {result.reason} (verified {result.length} entries before it)", err=True)
    sys.exit(1)
