from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.votes.services import tick

polls_cli = AppGroup("polls", help="Vote engine commands.")


@polls_cli.command("tick")
def tick_command() -> None:
    """Open and close the polls whose scheduled times have passed (idempotent; run it from cron)."""
    changed = tick(db.session)
    db.session.commit()
    for poll in changed:
        click.echo(f"poll {poll.id}: {poll.state}")
    click.echo(f"{len(changed)} poll(s) changed")
