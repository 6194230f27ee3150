"""Operations: backup and restore of the database (the audit chain verifies a restore)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.ops import cli

    app.cli.add_command(cli.backup_command)
    app.cli.add_command(cli.restore_command)
