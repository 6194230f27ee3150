from __future__ import annotations

import datetime as dt

import marshmallow as ma

from app.auth.schemas import UserSchema
from app.core.api import StrictSchema, id_field
from app.core.routing import ID_MAX
from app.core.db import isoformat
from app.meetings.access_codes import MAX_CODES_PER_CALL
from app.meetings.models import SpeakerKind

KINDS = [kind.value for kind in SpeakerKind]


# --- responses --------------------------------------------------------------------------------

class AgendaItemSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    duration = ma.fields.Integer(allow_none=True, metadata={"description": "planned minutes"})
    position = ma.fields.Integer()
    ref = ma.fields.String(allow_none=True, metadata={"description": "proposal:3, clause:7, poll:2, document:1"})
    started_at = ma.fields.String(allow_none=True, metadata={"description": "when it last became current"})


class PresenceUserSchema(ma.Schema):
    user_id = ma.fields.Integer()
    name = ma.fields.String()
    role = ma.fields.String()
    group = ma.fields.String(metadata={"description": "members | chair | observers"})
    organization_id = ma.fields.Integer(allow_none=True)


class PresenceOrganizationSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    short_name = ma.fields.String(allow_none=True)
    adhered = ma.fields.Boolean()


class PresenceSchema(ma.Schema):
    users = ma.fields.List(ma.fields.Nested(PresenceUserSchema), metadata={"description": "participants are only counted"})
    organizations = ma.fields.List(ma.fields.Nested(PresenceOrganizationSchema))
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                            metadata={"description": "members, chair, observers, participants, total"})


class QuorumSchema(ma.Schema):
    organizations_entitled = ma.fields.Integer()
    organizations_present = ma.fields.Integer()
    majority = ma.fields.Integer()
    majority_present = ma.fields.Boolean()
    participants_entitled = ma.fields.Integer()
    participants_present = ma.fields.Integer()


class SpeakerSchema(ma.Schema):
    id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    name = ma.fields.String()
    organization_id = ma.fields.Integer(allow_none=True)
    organization = ma.fields.String(allow_none=True)
    kind = ma.fields.String(metadata={"description": "contribution | reply | point_of_order"})
    state = ma.fields.String(metadata={"description": "waiting | speaking | done | withdrawn"})
    position = ma.fields.Integer(allow_none=True, metadata={"description": "0 = has the floor, then 1, 2, ... in the waiting list; null once over"})
    requested_at = ma.fields.String()
    started_at = ma.fields.String(allow_none=True)
    ended_at = ma.fields.String(allow_none=True)
    seconds = ma.fields.Integer(allow_none=True)


class TotalSchema(ma.Schema):
    user_id = ma.fields.Integer()
    organization_id = ma.fields.Integer(allow_none=True)
    name = ma.fields.String()
    count = ma.fields.Integer()
    seconds = ma.fields.Integer()


class SpeakerTotalsSchema(ma.Schema):
    people = ma.fields.List(ma.fields.Nested(TotalSchema))
    organizations = ma.fields.List(ma.fields.Nested(TotalSchema))


class MeSchema(ma.Schema):
    user_id = ma.fields.Integer(allow_none=True)
    present = ma.fields.Boolean()
    can_run = ma.fields.Boolean()
    can_speak = ma.fields.Boolean()


class MeetingSnapshotSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    starts_at = ma.fields.String()
    place = ma.fields.String()
    status = ma.fields.String(metadata={"description": "planned | open | closed"})
    opened_at = ma.fields.String(allow_none=True)
    closed_at = ma.fields.String(allow_none=True)
    agenda = ma.fields.List(ma.fields.Nested(AgendaItemSchema))
    current_item_id = ma.fields.Integer(allow_none=True)
    polls = ma.fields.List(ma.fields.Dict(), metadata={"description": "filled by the vote engine"})
    presence = ma.fields.Nested(PresenceSchema)
    quorum = ma.fields.Nested(QuorumSchema)
    speakers = ma.fields.List(ma.fields.Nested(SpeakerSchema))
    speakers_open = ma.fields.Boolean()
    speaking_limit = ma.fields.Integer(allow_none=True, metadata={"description": "seconds per speech"})
    speaker_totals = ma.fields.Nested(SpeakerTotalsSchema)
    server_time = ma.fields.String(metadata={"description": "to correct the client's clock before counting down"})
    me = ma.fields.Nested(MeSchema)

    @ma.post_dump(pass_original=True)
    def _parts(self, data: dict, original: dict, **kwargs) -> dict:
        """Parts registered by other domains pass through as they are."""
        from app.meetings.snapshot import snapshot_part_names

        for name in snapshot_part_names():
            if isinstance(original, dict) and name in original:
                data[name] = original[name]
        return data


class MeetingSummarySchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    starts_at = ma.fields.Function(lambda m: isoformat(m.starts_at))
    place = ma.fields.String()
    status = ma.fields.String()
    opened_at = ma.fields.Function(lambda m: isoformat(m.opened_at))
    closed_at = ma.fields.Function(lambda m: isoformat(m.closed_at))


class AccessCodeSchema(ma.Schema):
    id = ma.fields.Integer()
    meeting_id = ma.fields.Integer()
    number = ma.fields.Integer()
    used = ma.fields.Function(lambda c: c.user_id is not None)
    user_id = ma.fields.Integer(allow_none=True)
    first_used_at = ma.fields.Function(lambda c: isoformat(c.first_used_at))
    revoked = ma.fields.Function(lambda c: c.revoked_at is not None)


class NewAccessCodeSchema(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.Integer()
    code = ma.fields.String(metadata={"description": "shown only in this response"})
    join_url = ma.fields.String()


class AccessCodesCreatedSchema(ma.Schema):
    meeting_id = ma.fields.Integer()
    codes = ma.fields.List(ma.fields.Nested(NewAccessCodeSchema))


class CodeLoginResponseSchema(ma.Schema):
    token = ma.fields.String()
    user = ma.fields.Nested(UserSchema)
    meeting_id = ma.fields.Integer()


# --- request bodies ---------------------------------------------------------------------------

class MeetingUpdateSchema(StrictSchema):
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    starts_at = ma.fields.AwareDateTime(default_timezone=dt.timezone.utc,
                                        metadata={"description": "ISO 8601; without an offset it is UTC"})
    place = ma.fields.String(validate=ma.validate.Length(max=300), metadata={"description": "room and address, or link"})
    speaking_limit = id_field(allow_none=True, metadata={"description": "seconds per speech, or null for none"})


class MeetingCreateSchema(MeetingUpdateSchema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    starts_at = ma.fields.AwareDateTime(required=True, default_timezone=dt.timezone.utc)
    place = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))


class AgendaItemUpdateSchema(StrictSchema):
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=300))
    duration = id_field(allow_none=True, metadata={"description": "planned minutes"})
    ref = ma.fields.String(allow_none=True, metadata={"description": "proposal:3, clause:7, poll:2, document:1"})


class AgendaItemCreateSchema(AgendaItemUpdateSchema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))


class AgendaOrderSchema(StrictSchema):
    item_ids = ma.fields.List(id_field(), required=True)


class CurrentItemSchema(StrictSchema):
    item_id = id_field(required=True, allow_none=True, metadata={"description": "null: no current item"})


class PresenceRequestSchema(StrictSchema):
    user_id = id_field(load_default=None, allow_none=True, metadata={"description": "someone else (chair only)"})
    present = ma.fields.Boolean(load_default=True)


class SpeakerRequestSchema(StrictSchema):
    kind = ma.fields.String(load_default="contribution", validate=ma.validate.OneOf(KINDS))
    user_id = id_field(load_default=None, allow_none=True, metadata={"description": "put someone else on the list (chair)"})


class AccessCodesRequestSchema(StrictSchema):
    count = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=MAX_CODES_PER_CALL))


class CodeLoginSchema(StrictSchema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))


# --- live events (client → server) ------------------------------------------------------------

class MeetingEventSchema(StrictSchema):
    meeting_id = id_field(required=True)


class ResyncEventSchema(MeetingEventSchema):
    since = ma.fields.Integer(load_default=0, strict=True, validate=ma.validate.Range(min=0, max=ID_MAX))


class RequestToSpeakEventSchema(MeetingEventSchema):
    kind = ma.fields.String(load_default="contribution", validate=ma.validate.OneOf(KINDS))


class SpeakerEventSchema(MeetingEventSchema):
    speaker_id = id_field(required=True)


class EndSpeechEventSchema(MeetingEventSchema):
    speaker_id = id_field(load_default=None, allow_none=True)


class CurrentItemEventSchema(MeetingEventSchema, CurrentItemSchema):
    pass


class CheckInEventSchema(MeetingEventSchema, PresenceRequestSchema):
    pass
