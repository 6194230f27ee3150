from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.core.permissions import require
from app.extensions import db
from app.meetings.permissions import can_view_meeting
from app.meetings.services import get_meeting, list_meetings, meeting_snapshot

bp = Blueprint("meetings", __name__)


@bp.get("/meetings")
def index():
    return render_template("meetings/index.html", meetings=list_meetings(db.session))


@bp.get("/meetings/<int:meeting_id>")
@login_required
def detail(meeting_id: int):
    meeting = get_meeting(db.session, meeting_id)
    require(can_view_meeting(current_user, meeting), current_user)
    return render_template("meetings/detail.html", meeting=meeting, snapshot=meeting_snapshot(db.session, meeting))
