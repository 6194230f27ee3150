from __future__ import annotations

import marshmallow as ma


class VotedRecordSchema(ma.Schema):
    """What the verbale and the DocPP share: a text the table approves by vote, then frozen."""
    id = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": "draft | approved (frozen)"})
    title = ma.fields.String()
    body = ma.fields.String(metadata={"description": "Markdown"})
    revision = ma.fields.Integer()
    updated_at = ma.fields.DateTime()
    approved_at = ma.fields.DateTime(allow_none=True)
    sha256 = ma.fields.String(allow_none=True, metadata={"description": "SHA-256 of the approved body (UTF-8)"})


class MinutesSchema(VotedRecordSchema):
    meeting_id = ma.fields.Integer()


class DocumentSchema(VotedRecordSchema):
    process_id = ma.fields.Integer()


class MinutesPatchSchema(ma.Schema):
    body = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)


class DecisionQuerySchema(ma.Schema):
    q = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    outcome = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", "passed", "rejected", "other"]))


class DecisionSchema(ma.Schema):
    poll_id = ma.fields.Integer()
    title = ma.fields.String()
    kind = ma.fields.String()
    closed_at = ma.fields.DateTime()
    outcome = ma.fields.String()
    outcome_state = ma.fields.String(metadata={"description": "passed | rejected | other (choice, ranking, no quorum)"})
    counts = ma.fields.String()
    rules = ma.fields.String()
    consequence = ma.fields.String(allow_none=True)
    subject = ma.fields.String(allow_none=True)
    meeting_id = ma.fields.Integer(allow_none=True)
    meeting_title = ma.fields.String(allow_none=True)
    minutes_approved = ma.fields.Boolean()
    audit_object = ma.fields.String()
