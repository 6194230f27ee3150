"""API shapes of revisions, diffs, comments and amendments (the same for every subject).

Lengths are checked by the services (one place, with specific error codes); schemas check types.
"""
from __future__ import annotations

from typing import Any

import marshmallow as ma

from app.core.api import StrictSchema, id_field
from app.core.routing import ID_MAX
from app.core.db import isoformat
from app.deliberation.models import Alignment


def person(user: Any) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.name} if user is not None else None


def organization_ref(organization: Any) -> dict[str, Any] | None:
    return {"id": organization.id, "name": organization.name} if organization is not None else None


class RefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class SubjectRefSchema(ma.Schema):
    type = ma.fields.String()
    id = ma.fields.Integer()


class RevisionSchema(ma.Schema):
    number = ma.fields.Integer()
    title = ma.fields.String()
    body = ma.fields.String()
    reason = ma.fields.String()
    author = ma.fields.Function(lambda r: person(r.author), metadata={"description": "{id, name}"})
    organization = ma.fields.Function(lambda r: organization_ref(r.organization), allow_none=True)
    created_at = ma.fields.Function(lambda r: isoformat(r.created_at))
    amendment_id = ma.fields.Integer(allow_none=True)


class DiffQuerySchema(ma.Schema):
    from_ = ma.fields.Integer(required=True, data_key="from", validate=ma.validate.Range(min=1, max=ID_MAX))
    to = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=ID_MAX))


class DiffOpSchema(ma.Schema):
    op = ma.fields.String(metadata={"enum": ["equal", "insert", "delete"]})
    text = ma.fields.String()


class DiffSchema(ma.Schema):
    from_ = ma.fields.Integer(data_key="from", attribute="from")
    to = ma.fields.Integer()
    title = ma.fields.List(ma.fields.Nested(DiffOpSchema))
    body = ma.fields.List(ma.fields.Nested(DiffOpSchema))


class CommentSchema(ma.Schema):
    """Dumped from `services.comment_payload`; a hidden comment has no body."""

    id = ma.fields.Integer()
    subject = ma.fields.Nested(SubjectRefSchema)
    parent_id = ma.fields.Integer(allow_none=True)
    depth = ma.fields.Integer()
    alignment = ma.fields.String(allow_none=True)
    author = ma.fields.Nested(RefSchema)
    organization = ma.fields.Nested(RefSchema, allow_none=True)
    created_at = ma.fields.String()
    edited_at = ma.fields.String(allow_none=True)
    hidden = ma.fields.Boolean()
    hidden_reason = ma.fields.String(allow_none=True)
    body = ma.fields.String(allow_none=True)
    body_html = ma.fields.String(allow_none=True, metadata={"description": "sanitized HTML of the Markdown body"})


class CommentCreateSchema(StrictSchema):
    body = ma.fields.String(required=True)
    parent_id = id_field(load_default=None, allow_none=True)
    alignment = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.OneOf([a.value for a in Alignment]),
    )


class CommentEditSchema(StrictSchema):
    body = ma.fields.String(required=True)


class CommentRevisionSchema(ma.Schema):
    previous_body = ma.fields.String(allow_none=True)
    edited_at = ma.fields.Function(lambda e: isoformat(e.edited_at))


class ReasonSchema(StrictSchema):
    reason = ma.fields.String(load_default="")


class RequiredReasonSchema(StrictSchema):
    reason = ma.fields.String(required=True)


class FlagSchema(ma.Schema):
    comment_id = ma.fields.Integer()
    created_at = ma.fields.Function(lambda f: isoformat(f.created_at))


class AmendmentSchema(ma.Schema):
    id = ma.fields.Integer()
    subject = ma.fields.Function(lambda a: {"type": a.subject_type, "id": a.subject_id})
    base_revision = ma.fields.Integer()
    title = ma.fields.String(allow_none=True)
    body = ma.fields.String()
    reason = ma.fields.String()
    author = ma.fields.Function(lambda a: person(a.author))
    organization = ma.fields.Function(lambda a: organization_ref(a.organization), allow_none=True)
    state = ma.fields.String(metadata={"enum": ["draft", "submitted", "accepted", "rejected", "withdrawn"]})
    created_at = ma.fields.Function(lambda a: isoformat(a.created_at))
    submitted_at = ma.fields.Function(lambda a: isoformat(a.submitted_at))
    withdrawn_at = ma.fields.Function(lambda a: isoformat(a.withdrawn_at))
    decided_by = ma.fields.Function(lambda a: person(a.decided_by), allow_none=True)
    decided_at = ma.fields.Function(lambda a: isoformat(a.decided_at))
    decision_reason = ma.fields.String(allow_none=True)
    result_revision = ma.fields.Integer(allow_none=True)


class AmendmentCreateSchema(StrictSchema):
    body = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    title = ma.fields.String(load_default=None, allow_none=True)
    #: true keeps it a draft, visible only to its author, until submitted
    draft = ma.fields.Boolean(load_default=False)
