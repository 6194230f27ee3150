from __future__ import annotations

import marshmallow as ma

from app.core.api import StrictSchema, id_field
from app.core.db import isoformat
from app.core.markdown import render_markdown
from app.deliberation.schemas import organization_ref, person
from app.proposals.models import ProposalStatus

STATUSES = [s.value for s in ProposalStatus]


class ProposalSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    body = ma.fields.String(metadata={"description": "Markdown of the current revision"})
    body_html = ma.fields.Function(lambda p: str(render_markdown(p.body)),
                                   metadata={"description": "sanitized HTML of the body"})
    revision = ma.fields.Integer(metadata={"description": "number of the current revision"})
    axis = ma.fields.Function(lambda p: {"id": p.axis.id, "code": p.axis.code, "name": p.axis.name})
    author = ma.fields.Function(lambda p: person(p.author))
    organization = ma.fields.Function(lambda p: organization_ref(p.organization), allow_none=True)
    status = ma.fields.String(metadata={"enum": STATUSES})
    created_at = ma.fields.Function(lambda p: isoformat(p.created_at))
    updated_at = ma.fields.Function(lambda p: isoformat(p.updated_at))
    supports = ma.fields.Function(lambda p: len(p.active_supports), metadata={"description": "supporting organizations"})
    supporters = ma.fields.Function(lambda p: [organization_ref(s.organization) for s in p.active_supports])


class ProposalListQuerySchema(ma.Schema):
    axis = id_field(strict=False, load_default=None)
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(STATUSES))
    organization = id_field(strict=False, load_default=None)
    q = ma.fields.String(load_default=None, metadata={"description": "words in the title or the text"})


class ProposalCreateSchema(StrictSchema):
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True, metadata={"description": "Markdown"})
    axis_id = id_field(required=True)
    #: true opens it to the table's discussion at once; otherwise a draft
    publish = ma.fields.Boolean(load_default=False)


class ProposalPatchSchema(StrictSchema):
    title = ma.fields.String(load_default=None)
    body = ma.fields.String(load_default=None)
    reason = ma.fields.String(required=True)


class StatusChangeSchema(StrictSchema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))
    reason = ma.fields.String(load_default="")
