"""The Patto per lo sviluppo (issue 4): work in progress, models and services only so far."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing registered yet (no API, pages or subject kind): see the branch report."""
