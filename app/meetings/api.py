from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user

from app.auth.services import issue_token
from app.auth.sockets import disconnect_user
from app.core.api import api_blueprint
from app.core.permissions import require
from app.core.ratelimit import code_limit
from app.extensions import db
from app.meetings import access_codes, presence, services, speakers
from app.meetings.permissions import can_run_meeting, can_view_meeting
from app.meetings.schemas import (
    AccessCodeSchema, AccessCodesCreatedSchema, AccessCodesRequestSchema, AgendaItemCreateSchema, AgendaItemSchema,
    AgendaItemUpdateSchema, AgendaOrderSchema, CodeLoginResponseSchema, CodeLoginSchema, CurrentItemSchema,
    MeetingCreateSchema, MeetingSnapshotSchema, MeetingSummarySchema, MeetingUpdateSchema, PresenceRequestSchema,
    SpeakerRequestSchema, SpeakerSchema,
)
from app.meetings.snapshot import meeting_snapshot

blp = api_blueprint("meetings_api", __name__, "Meetings: agenda, presence, speakers, town-meeting access codes")


def _meeting(meeting_id: int):
    """Load a meeting the caller may see (401 anonymous, 403 another town meeting, 404 none)."""
    meeting = services.get_meeting(db.session, meeting_id)
    require(can_view_meeting(current_user, meeting), current_user)
    return meeting


def _snapshot(meeting) -> dict:
    return meeting_snapshot(db.session, meeting, current_user)


def _commit_snapshot(meeting) -> dict:
    db.session.commit()
    return _snapshot(meeting)


@blp.route("/meetings")
class Meetings(MethodView):
    @blp.response(200, MeetingSummarySchema(many=True))
    def get(self):
        """Meetings, most recent first (a town-meeting participant sees only their own)."""
        return services.list_meetings(db.session, current_user)

    @blp.arguments(MeetingCreateSchema)
    @blp.response(201, MeetingSnapshotSchema)
    def post(self, data):
        """Create a meeting (chair); it starts `planned`."""
        meeting = services.create_meeting(db.session, current_user, **data)
        return _commit_snapshot(meeting)


@blp.route("/meetings/<int:meeting_id>")
class MeetingItem(MethodView):
    @blp.response(200, MeetingSnapshotSchema)
    def get(self, meeting_id: int):
        """The meeting's live snapshot (same as the `join_meeting` ack)."""
        return _snapshot(_meeting(meeting_id))

    @blp.arguments(MeetingUpdateSchema)
    @blp.response(200, MeetingSnapshotSchema)
    def patch(self, data, meeting_id: int):
        """Change title, date and time, place or link, speaking limit (chair)."""
        meeting = _meeting(meeting_id)
        services.update_meeting(db.session, current_user, meeting, **data)
        return _commit_snapshot(meeting)


@blp.route("/meetings/<int:meeting_id>/open")
class MeetingOpen(MethodView):
    @blp.response(200, MeetingSnapshotSchema)
    def post(self, meeting_id: int):
        """planned → open (chair; again on an open meeting: no change)."""
        meeting = _meeting(meeting_id)
        services.open_meeting(db.session, current_user, meeting)
        return _commit_snapshot(meeting)


@blp.route("/meetings/<int:meeting_id>/close")
class MeetingClose(MethodView):
    @blp.response(200, MeetingSnapshotSchema)
    def post(self, meeting_id: int):
        """open → closed (chair): the speech in course ends, the list of speakers closes."""
        meeting = _meeting(meeting_id)
        services.close_meeting(db.session, current_user, meeting)
        return _commit_snapshot(meeting)


@blp.route("/meetings/<int:meeting_id>/agenda")
class Agenda(MethodView):
    @blp.arguments(AgendaItemCreateSchema)
    @blp.response(201, AgendaItemSchema)
    def post(self, data, meeting_id: int):
        """Add an item at the end of the agenda (chair)."""
        item = services.add_agenda_item(db.session, current_user, _meeting(meeting_id), **data)
        db.session.commit()
        return services.agenda_item_dict(item)


@blp.route("/meetings/<int:meeting_id>/agenda/order")
class AgendaOrder(MethodView):
    @blp.arguments(AgendaOrderSchema)
    @blp.response(200, AgendaItemSchema(many=True))
    def post(self, data, meeting_id: int):
        """Reorder the agenda: every item id exactly once, in the new order (chair)."""
        meeting = _meeting(meeting_id)
        services.reorder_agenda(db.session, current_user, meeting, data["item_ids"])
        db.session.commit()
        return services.agenda_list(db.session, meeting)


@blp.route("/agenda-items/<int:item_id>")
class AgendaItemResource(MethodView):
    @blp.arguments(AgendaItemUpdateSchema)
    @blp.response(200, AgendaItemSchema)
    def patch(self, data, item_id: int):
        """Change an item's title, duration or ref (chair)."""
        item = services.get_agenda_item(db.session, item_id)
        _meeting(item.meeting_id)
        services.update_agenda_item(db.session, current_user, item, **data)
        db.session.commit()
        return services.agenda_item_dict(item)

    @blp.response(204)
    def delete(self, item_id: int):
        """Delete an item that is not the current one (chair)."""
        item = services.get_agenda_item(db.session, item_id)
        _meeting(item.meeting_id)
        services.delete_agenda_item(db.session, current_user, item)
        db.session.commit()
        return None


@blp.route("/meetings/<int:meeting_id>/current-item")
class CurrentItem(MethodView):
    @blp.arguments(CurrentItemSchema)
    @blp.response(200, MeetingSnapshotSchema)
    def post(self, data, meeting_id: int):
        """Make an item current, its countdown starting now; `null` for none (chair, meeting open)."""
        meeting = _meeting(meeting_id)
        services.set_current_item(db.session, current_user, meeting, data["item_id"])
        return _commit_snapshot(meeting)


@blp.route("/meetings/<int:meeting_id>/presence")
class Presence(MethodView):
    @blp.arguments(PresenceRequestSchema)
    @blp.response(200, MeetingSnapshotSchema)
    def post(self, data, meeting_id: int):
        """Check in (or out with `"present": false`) oneself, or anyone with `user_id` (chair)."""
        meeting = _meeting(meeting_id)
        presence.set_presence(db.session, current_user, meeting, user_id=data["user_id"], present=data["present"])
        return _commit_snapshot(meeting)


@blp.route("/meetings/<int:meeting_id>/speakers")
class Speakers(MethodView):
    @blp.response(200, SpeakerSchema(many=True))
    def get(self, meeting_id: int):
        """Whoever has the floor, then the waiting list in order."""
        return speakers.speakers_list(db.session, _meeting(meeting_id))

    @blp.arguments(SpeakerRequestSchema)
    @blp.response(201, SpeakerSchema)
    def post(self, data, meeting_id: int):
        """Ask for the floor (`kind`: contribution, reply, point_of_order); the chair may add `user_id`."""
        meeting = _meeting(meeting_id)
        request = speakers.request_to_speak(db.session, current_user, meeting, data["kind"], user_id=data["user_id"])
        db.session.commit()
        return speakers.describe_request(db.session, meeting, request)


def _speaker_action(meeting_id: int, speaker_id: int, action) -> dict:
    meeting = _meeting(meeting_id)
    request = speakers.get_speaker_request(db.session, meeting, speaker_id)
    action(meeting, request)
    db.session.commit()
    return speakers.describe_request(db.session, meeting, request)


@blp.route("/meetings/<int:meeting_id>/speakers/<int:speaker_id>/start")
class SpeakerStart(MethodView):
    @blp.response(200, SpeakerSchema)
    def post(self, meeting_id: int, speaker_id: int):
        """Give the floor (chair); whoever was speaking finishes now."""
        return _speaker_action(meeting_id, speaker_id, lambda m, r: speakers.give_floor(db.session, current_user, r))


@blp.route("/meetings/<int:meeting_id>/speakers/<int:speaker_id>/end")
class SpeakerEnd(MethodView):
    @blp.response(200, SpeakerSchema)
    def post(self, meeting_id: int, speaker_id: int):
        """End the speech (chair); its length is measured by the server."""
        return _speaker_action(meeting_id, speaker_id, lambda m, r: speakers.end_speech(db.session, current_user, m, r))


@blp.route("/meetings/<int:meeting_id>/speakers/<int:speaker_id>/withdraw")
class SpeakerWithdraw(MethodView):
    @blp.response(200, SpeakerSchema)
    def post(self, meeting_id: int, speaker_id: int):
        """Withdraw a waiting request (its author, or the chair)."""
        return _speaker_action(
            meeting_id, speaker_id, lambda m, r: speakers.withdraw_speaker_request(db.session, current_user, r))


@blp.route("/meetings/<int:meeting_id>/speakers/close")
class SpeakersClose(MethodView):
    @blp.response(200, MeetingSnapshotSchema)
    def post(self, meeting_id: int):
        """Close the list to new requests (chair)."""
        meeting = _meeting(meeting_id)
        speakers.set_speakers_open(db.session, current_user, meeting, False)
        return _commit_snapshot(meeting)


@blp.route("/meetings/<int:meeting_id>/speakers/open")
class SpeakersOpen(MethodView):
    @blp.response(200, MeetingSnapshotSchema)
    def post(self, meeting_id: int):
        """Reopen the list (chair)."""
        meeting = _meeting(meeting_id)
        speakers.set_speakers_open(db.session, current_user, meeting, True)
        return _commit_snapshot(meeting)


@blp.route("/meetings/<int:meeting_id>/access-codes")
class AccessCodes(MethodView):
    @blp.response(200, AccessCodeSchema(many=True))
    def get(self, meeting_id: int):
        """The meeting's codes by number, used or not, revoked or not (never the codes themselves)."""
        meeting = _meeting(meeting_id)
        require(can_run_meeting(current_user, meeting), current_user)
        return access_codes.list_access_codes(db.session, meeting)

    @blp.arguments(AccessCodesRequestSchema)
    @blp.response(201, AccessCodesCreatedSchema)
    def post(self, data, meeting_id: int):
        """Generate `count` personal codes (chair, at most 5000 a call). The codes appear only here."""
        meeting = _meeting(meeting_id)
        created = access_codes.create_access_codes(db.session, current_user, meeting, data["count"])
        db.session.commit()
        return {"meeting_id": meeting.id, "codes": [
            {"id": row.id, "number": row.number, "code": code, "join_url": url_for("meetings.join", code=code, _external=True)}
            for row, code in created
        ]}


@blp.route("/access-codes/<int:code_id>/revoke")
class AccessCodeRevoke(MethodView):
    @blp.response(200, AccessCodeSchema)
    def post(self, code_id: int):
        """Revoke a code (chair): it stops working and its participant is logged out."""
        access_code = access_codes.get_access_code(db.session, code_id)
        _meeting(access_code.meeting_id)
        access_codes.revoke_access_code(db.session, current_user, access_code)
        db.session.commit()
        if access_code.user_id:
            disconnect_user(access_code.user_id)
        return access_code


@blp.route("/auth/code")
class CodeLogin(MethodView):
    decorators = [code_limit]

    @blp.arguments(CodeLoginSchema)
    @blp.response(200, CodeLoginResponseSchema)
    @blp.alt_response(401, description="Unknown or revoked code")
    def post(self, data):
        """Exchange a town-meeting access code for a Bearer token of its participant."""
        user, access_code = access_codes.redeem_access_code(db.session, data["code"])
        token = issue_token(db.session, user)
        db.session.commit()
        return {"token": token, "user": user.public_dict(), "meeting_id": access_code.meeting_id}
