from __future__ import annotations

import marshmallow as ma

from app.core.api import StrictSchema, id_field
from app.votes.models import Electorate, Majority, PollKind, PollState
from app.votes.services import DESCRIPTION_MAX, LABEL_MAX, QUORUM_MAX, TITLE_MAX

KINDS = [k.value for k in PollKind]
MAJORITIES = [m.value for m in Majority]
ELECTORATES = [e.value for e in Electorate]


class SubjectSchema(StrictSchema):
    type = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    id = id_field(required=True)


class PollUpdateSchema(StrictSchema):
    """PATCH of a draft: any subset of the creation fields."""

    title = ma.fields.String(validate=ma.validate.Length(min=1, max=TITLE_MAX))
    description = ma.fields.String(validate=ma.validate.Length(max=DESCRIPTION_MAX))
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    options = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=LABEL_MAX)), allow_none=True)
    max_choices = ma.fields.Integer(strict=True, allow_none=True)
    meeting_id = id_field(allow_none=True)
    subject = ma.fields.Nested(SubjectSchema, allow_none=True)
    secret = ma.fields.Boolean()
    hide_tally = ma.fields.Boolean()
    majority = ma.fields.String(validate=ma.validate.OneOf(MAJORITIES))
    quorum = ma.fields.Integer(strict=True, allow_none=True, validate=ma.validate.Range(min=0, max=QUORUM_MAX))
    electorate = ma.fields.String(validate=ma.validate.OneOf(ELECTORATES))
    weighted = ma.fields.Boolean()
    opens_at = ma.fields.AwareDateTime(allow_none=True)
    closes_at = ma.fields.AwareDateTime(allow_none=True)


class PollCreateSchema(PollUpdateSchema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=TITLE_MAX))
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))


class OptionSchema(ma.Schema):
    id = ma.fields.Integer()
    label = ma.fields.String()


class PollSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    description = ma.fields.String()
    kind = ma.fields.String()
    state = ma.fields.String(metadata={"enum": [s.value for s in PollState]})
    options = ma.fields.List(ma.fields.Nested(OptionSchema))
    max_choices = ma.fields.Integer(allow_none=True)
    meeting_id = ma.fields.Integer(allow_none=True)
    subject = ma.fields.Dict(allow_none=True)
    secret = ma.fields.Boolean()
    hide_tally = ma.fields.Boolean()
    majority = ma.fields.String()
    quorum = ma.fields.Integer(allow_none=True)
    electorate = ma.fields.String()
    weighted = ma.fields.Boolean()
    voted = ma.fields.Integer(metadata={"description": "ballots cast"})
    entitled = ma.fields.Integer(allow_none=True, metadata={"description": "size of the roll frozen at opening"})
    entitled_weight = ma.fields.Integer(allow_none=True)
    opens_at = ma.fields.String(allow_none=True)
    closes_at = ma.fields.String(allow_none=True)
    opened_at = ma.fields.String(allow_none=True)
    closed_at = ma.fields.String(allow_none=True)
    created_at = ma.fields.String()
    counts = ma.fields.Dict(metadata={"description": "running counts (open polls whose tally is not hidden)"})
    cast_weight = ma.fields.Integer(metadata={"description": "weight of the ballots cast, the base of `counts`"})
    result = ma.fields.Dict(allow_none=True, metadata={"description": "stored at close"})
    corrections = ma.fields.List(ma.fields.Dict())
    viewer = ma.fields.Dict(metadata={"description": "what the caller may do (authenticated callers)"})


class PollListQuerySchema(ma.Schema):
    meeting_id = id_field(strict=False)
    state = ma.fields.String(validate=ma.validate.OneOf([s.value for s in PollState]))


class BallotSchema(StrictSchema):
    """One of `choice` (yesno: "yes"|"no"|"abstain"; choice: an option id), `choices`, `ranking`."""

    choice = ma.fields.Raw()
    choices = ma.fields.List(id_field())
    ranking = ma.fields.List(id_field())
    on_behalf_of = id_field(allow_none=True,
                            metadata={"description": "organization whose proxy the caller's organization holds"})


class ReceiptSchema(ma.Schema):
    poll_id = ma.fields.Integer()
    receipt = ma.fields.String()


class ReceiptCheckSchema(ma.Schema):
    poll_id = ma.fields.Integer()
    state = ma.fields.String()
    recorded = ma.fields.Boolean()
    counted = ma.fields.Boolean()
    ballot = ma.fields.Dict(metadata={"description": "named polls only"})


class CorrectionCreateSchema(StrictSchema):
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=5000))


class CorrectionSchema(ma.Schema):
    id = ma.fields.Integer()
    poll_id = ma.fields.Integer()
    text = ma.fields.String()
    author = ma.fields.String(allow_none=True)
    created_at = ma.fields.String()


class ProxyCreateSchema(StrictSchema):
    principal_id = id_field(required=True)
    delegate_id = id_field(required=True)


class ProxyRevokeSchema(StrictSchema):
    principal_id = id_field(required=True)


class ProxySchema(ma.Schema):
    id = ma.fields.Integer()
    meeting_id = ma.fields.Integer()
    principal_id = ma.fields.Integer()
    principal = ma.fields.String()
    delegate_id = ma.fields.Integer()
    delegate = ma.fields.String()
    created_at = ma.fields.String()
    revoked_at = ma.fields.String(allow_none=True)
