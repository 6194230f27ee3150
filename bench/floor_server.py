"""The transport floor: a bare Flask-SocketIO server (gevent, no database, no real auth).

It speaks the same live protocol as Tavolo for one poll (connect with auth, join_meeting,
poll_opened, cast_ballot with ack, coalesced tally_updated), with messages of the same size, so
`bench/live_vote.py` can report how far Tavolo is from what the transport alone allows.
Run: python bench/floor_server.py PORT
"""
from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from flask import Flask, jsonify, request  # noqa: E402
from flask_socketio import ConnectionRefusedError, SocketIO, join_room  # noqa: E402

from app.votes.live import tally_due  # noqa: E402  (the coalescing rule only: no app, no database)

#: the same coalescing as Tavolo's (app.votes.live.tally_due): part of the protocol, not of the work
#: the floor leaves out
TALLY_INTERVAL = float(os.environ.get("TALLY_INTERVAL", "0.25"))
TALLY_QUIET = float(os.environ.get("TALLY_QUIET", "0.02"))
ROOM = "meeting:1"

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent", cors_allowed_origins=None)
state = {"voted": 0, "entitled": 0, "open": False, "dirty": False, "seq": 0, "voters": set(),
         "last_mark": 0.0, "last_emit": float("-inf")}


@socketio.on("connect", namespace="/live")
def connect(auth=None):
    if not isinstance(auth, dict) or not auth.get("token"):
        raise ConnectionRefusedError("unauthorized")


@socketio.on("join_meeting", namespace="/live")
def join_meeting(payload):
    join_room(ROOM)
    return {"ok": True, "seq": state["seq"], "snapshot": {"id": 1, "polls": [], "agenda": [], "presence": [], "speakers": []}}


@socketio.on("cast_ballot", namespace="/live")
def cast_ballot(payload):
    if not state["open"] or not isinstance(payload, dict):
        return {"ok": False, "error": {"code": "poll_not_open", "message": "closed"}}
    voter = request.sid
    if voter in state["voters"]:
        return {"ok": False, "error": {"code": "already_voted", "message": "twice"}}
    state["voters"].add(voter)
    state["voted"] += 1
    state["dirty"] = True
    state["last_mark"] = time.monotonic()
    return {"ok": True, "receipt": uuid.uuid4().hex}


def tally_loop():
    while True:
        socketio.sleep(TALLY_QUIET)
        if state["dirty"] and tally_due(time.monotonic(), state["last_emit"], state["last_mark"], TALLY_INTERVAL, TALLY_QUIET):
            state["dirty"] = False
            state["last_emit"] = time.monotonic()
            state["seq"] += 1
            socketio.emit("tally_updated", {"poll_id": 1, "voted": state["voted"], "entitled": state["entitled"],
                                            "counts": {"yes": state["voted"], "no": 0, "abstain": 0}, "seq": state["seq"]},
                          to=ROOM, namespace="/live")


@app.post("/open")
def open_poll():
    state.update(voted=0, open=True, dirty=False, voters=set(), entitled=int(request.args.get("entitled", 0)))
    state["seq"] += 1
    socketio.emit("poll_opened", {"poll": {"id": 1, "kind": "yesno", "state": "open", "title": "Mozione", "options": []},
                                  "seq": state["seq"]}, to=ROOM, namespace="/live")
    return jsonify({"id": 1, "state": "open"})


@app.get("/count")
def count():
    return jsonify({"voted": state["voted"]})


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5099
    socketio.start_background_task(tally_loop)
    socketio.run(app, host="127.0.0.1", port=port, log_output=False)
