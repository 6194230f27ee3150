"""Live updates of pages outside meetings: `subscribe {"topic": "proposal:3"}` joins a topic's room.

Domains register the topic kinds they serve (`register_topic`) with a function that loads the object
and checks that the user may read it; unknown kinds, malformed topics and missing objects are refused.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_socketio import join_room, leave_room
from sqlalchemy.orm import Session

from app.audit.services import head_seq
from app.auth.sockets import live_handler
from app.core.errors import InvalidInput
from app.core.realtime import topic_room
from app.deliberation.services import require_visible
from app.deliberation.subjects import load_subject
from app.extensions import db

EXTENSION_KEY = "tavolo_live_topics"
TOPIC = re.compile(r"^([a-z][a-z_]{0,39}):([1-9][0-9]{0,9})$")

#: authorize(session, user, object_id): raises NotFound / Forbidden when the user may not follow it
TopicAuthorizer = Callable[[Session, Any, int], None]


def register_topic(app: Flask, kind: str, authorize: TopicAuthorizer) -> None:
    app.extensions.setdefault(EXTENSION_KEY, {})[kind] = authorize


def subject_topic(subject_type: str) -> TopicAuthorizer:
    """The authorizer of a topic named after a registered subject (e.g. "proposal")."""

    def authorize(session: Session, user: Any, object_id: int) -> None:
        require_visible(user, load_subject(session, subject_type, object_id))

    return authorize


def parse_topic(topic: Any) -> tuple[str, int, TopicAuthorizer]:
    match = TOPIC.match(topic) if isinstance(topic, str) else None
    if match is None:
        raise InvalidInput(_("Argomento non valido: atteso «tipo:numero»."), code="invalid_topic",
                           fields={"topic": ["invalid"]})
    kind, object_id = match.group(1), int(match.group(2))
    authorize = current_app.extensions.get(EXTENSION_KEY, {}).get(kind)
    if authorize is None:
        raise InvalidInput(_("Argomento sconosciuto."), code="unknown_topic", fields={"topic": ["unknown"]})
    return kind, object_id, authorize


@live_handler("subscribe")
def subscribe(user: Any, payload: dict) -> dict:
    """Follow a page's live events; the ack carries the seq the page is valid at."""
    kind, object_id, authorize = parse_topic(payload.get("topic"))
    authorize(db.session, user, object_id)
    seq = head_seq(db.session)
    join_room(topic_room(kind, object_id))
    return {"topic": f"{kind}:{object_id}", "seq": seq}


@live_handler("unsubscribe")
def unsubscribe(user: Any, payload: dict) -> dict:
    kind, object_id, _authorize = parse_topic(payload.get("topic"))
    leave_room(topic_room(kind, object_id))
    return {"topic": f"{kind}:{object_id}"}
