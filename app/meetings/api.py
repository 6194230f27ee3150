from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from app.core.api import api_blueprint
from app.core.permissions import require
from app.extensions import db
from app.meetings.permissions import can_view_meeting
from app.meetings.schemas import MeetingSnapshotSchema, MeetingSummarySchema
from app.meetings.services import get_meeting, list_meetings, meeting_snapshot

blp = api_blueprint("meetings_api", __name__, "Meetings of the table")


@blp.route("/meetings")
class Meetings(MethodView):
    @blp.response(200, MeetingSummarySchema(many=True))
    def get(self):
        """Meetings, most recent first."""
        return list_meetings(db.session)


@blp.route("/meetings/<int:meeting_id>")
class MeetingItem(MethodView):
    @blp.response(200, MeetingSnapshotSchema)
    def get(self, meeting_id: int):
        """The meeting's live snapshot (same as the `join_meeting` ack)."""
        meeting = get_meeting(db.session, meeting_id)
        require(can_view_meeting(current_user, meeting), current_user)
        return meeting_snapshot(db.session, meeting)
