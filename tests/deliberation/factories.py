"""Factories shared by the deliberation tests and the domains built on it (plain functions)."""
from __future__ import annotations

import os

import sqlalchemy as sa


def audit_actions(session) -> list[str]:
    from app.audit.models import AuditEntry

    return list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)))


def count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def quick_user(session, role: str = "member", organization=None, name: str | None = None):
    """A user without a password (no argon2 hashing): for service tests that never log in."""
    from app.auth.services import create_user
    from tests.factories import make_org

    if role == "member" and organization is None:
        organization = make_org(session, name=f"Organizzazione {os.urandom(3).hex()}")
    user = create_user(
        session, None, email=f"{role}-{os.urandom(4).hex()}@example.test", name=name or role, role=role,
        organization_id=organization.id if organization else None, system=True,
    )
    session.commit()
    return user


def quick_token(session, user) -> str:
    """An API token for a user, issued directly (no password round trip)."""
    from app.auth.services import issue_token

    token = issue_token(session, user)
    session.commit()
    return token


def browser_login(client, user) -> None:
    """Log a Flask test client in as `user` through its session cookie (as the login form would)."""
    with client.session_transaction() as browser_session:
        browser_session["_user_id"] = str(user.id)
        browser_session["_fresh"] = True


def forget_user() -> None:
    """Drop Flask-Login's per-context cache of the current user.

    Tests that hold an app context (the `session` fixture) share `g` with the requests of the test
    client, so the user loaded by one request would otherwise answer for the next one.
    """
    from flask import g

    g.pop("_login_user", None)


def unsafe_markup(html: str) -> list[str]:
    """What a browser would execute in an HTML page: script-like elements, event handlers, style
    attributes, links with a scheme other than http(s)/mailto. Inline text is ignored."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in {"img", "iframe", "object", "embed"} or (tag == "script" and not dict(attrs).get("src")):
                found.append(f"<{tag}>")
            for name, value in attrs:
                if name.startswith("on") or (name == "style" and tag not in {"html"}):
                    found.append(f"{tag}[{name}]")
                if name in {"href", "src"} and value and ":" in value.split("/")[0]:
                    if not value.lower().startswith(("http:", "https:", "mailto:")):
                        found.append(f"{tag}[{name}={value}]")

    Parser().feed(html)
    return found
