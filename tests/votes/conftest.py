"""Vote-engine tests run with the tally broadcaster in manual mode: they flush it when they want."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _manual_tally(app, monkeypatch):
    from app.votes.live import broadcaster

    tally = broadcaster(app)
    monkeypatch.setattr(tally, "autostart", False)
    yield tally
    tally.pending()  # leave nothing behind for the next test
    with tally._lock:
        tally._dirty.clear()
