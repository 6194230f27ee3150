from __future__ import annotations

from flask import Blueprint, render_template, request

from app.audit.services import iter_public_entries, verify_chain
from app.extensions import db

bp = Blueprint("audit", __name__)


@bp.get("/audit")
def audit_page():
    after = request.args.get("after", 0, type=int)
    entries = []
    for entry in iter_public_entries(db.session, after=max(after, 0)):
        entries.append(entry)
        if len(entries) >= 200:
            break
    verification = verify_chain(db.session) if request.args.get("verify") else None
    return render_template("audit/index.html", entries=entries, verification=verification, after=after)
