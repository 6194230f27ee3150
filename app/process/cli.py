from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db
from app.process import demo
from app.process.models import Process
from app.registry import registry


def run_demo_seeders() -> dict:
    """Every domain's demo seeder, in order, in one transaction (all or nothing)."""
    ctx: dict = {}
    demo.seed(db.session, ctx)
    for _order, seeder in sorted(registry(current_app).demo_seeders, key=lambda pair: pair[0]):
        seeder(db.session, ctx)
    db.session.commit()
    return ctx


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Load the demo only into an empty database.")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Load the demo table (idempotent) and print the demo accounts."""
    if if_empty and db.session.scalar(sa.select(sa.func.count(Process.id))):
        click.echo("Database not empty: demo not loaded.")
        return
    run_demo_seeders()
    click.echo(f"Demo loaded. Accounts (password: {demo.DEMO_PASSWORD}):")
    for email, role, name in demo.demo_accounts(db.session):
        click.echo(f"  {email:40} {role:10} {name}")
