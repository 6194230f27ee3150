from __future__ import annotations

import marshmallow as ma


class AgendaItemSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    duration = ma.fields.Integer(allow_none=True)
    position = ma.fields.Integer()
    ref = ma.fields.String(allow_none=True)


class MeetingSnapshotSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    starts_at = ma.fields.String()
    place = ma.fields.String()
    status = ma.fields.String()
    agenda = ma.fields.List(ma.fields.Nested(AgendaItemSchema))
    current_item_id = ma.fields.Integer(allow_none=True)
    polls = ma.fields.List(ma.fields.Dict())
    presence = ma.fields.List(ma.fields.Dict())
    speakers = ma.fields.List(ma.fields.Dict())


class MeetingSummarySchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    starts_at = ma.fields.Function(lambda m: m.starts_at.isoformat().replace("+00:00", "Z"))
    place = ma.fields.String()
    status = ma.fields.String()
