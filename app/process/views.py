from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from app.core.security import is_local_path
from app.extensions import db
from app.organizations.services import list_organizations, table_coverage
from app.process.services import current_process

bp = Blueprint("process", __name__)


@bp.get("/")
def home():
    from app.registry import home_panels

    process = current_process(db.session)
    organizations = list_organizations(db.session)
    today = dt.date.today()
    return render_template(
        "process/home.html", process=process, coverage=table_coverage(organizations),
        members=[o for o in organizations if o.active_adhesion], today=today,
        panels=[panel() for panel in home_panels()],
    )


@bp.get("/lang/<code>")
def set_language(code: str):
    """Switch the interface language (kept in the session); back to where the user was."""
    from flask import current_app

    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    target = request.args.get("next")
    return redirect(target if is_local_path(target) else url_for("process.home"))


@bp.get("/accessibilita")
def accessibility():
    return render_template("process/accessibility.html")
