from __future__ import annotations

import click
from flask.cli import AppGroup

from app.auth.services import create_user
from app.extensions import db

users_cli = AppGroup("users", help="Account commands.")


@users_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
def create_admin(email: str, name: str, password: str) -> None:
    """Create the first admin account (production set-up; no demo data needed)."""
    user = create_user(db.session, None, email=email, name=name, role="admin", password=password, system=True)
    db.session.commit()
    click.echo(f"admin {user.email} created (id {user.id})")
