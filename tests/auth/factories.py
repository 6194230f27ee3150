"""Helpers for tests that need a second application with another configuration."""
from __future__ import annotations

import contextlib
from typing import Iterator

from flask import Flask


@contextlib.contextmanager
def other_app(config_class) -> Iterator[Flask]:
    """create_app(config_class), undoing what it changes in the shared extensions afterwards.

    The limiter is a module-level singleton: an app built with RATELIMIT_ENABLED=True switches it on
    for every app of the process, so the suite's main app must get its state back.
    """
    from app import create_app
    from app.extensions import db, limiter

    enabled = limiter.enabled
    application = create_app(config_class)
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        limiter.enabled = enabled
