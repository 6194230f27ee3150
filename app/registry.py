"""What each domain adds to the shared shell: menu entries, home-page panels, demo data.

Domains register in their `init_app`, so adding a domain never means editing the layout or the
demo loader of another one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Flask, current_app


@dataclass(order=True)
class NavItem:
    order: int
    endpoint: str = field(compare=False)
    label: Any = field(compare=False)  # lazy_gettext string


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    home_panels: list[Callable[[], dict]] = field(default_factory=list)
    #: (order, seeder) run by `flask seed-demo`; each seeder gets the session and a shared dict
    demo_seeders: list[tuple[int, Callable[[Any, dict], None]]] = field(default_factory=list)


def init_registry(app: Flask) -> Registry:
    registry = Registry()
    app.extensions["tavolo_registry"] = registry
    return registry


def registry(app: Flask | None = None) -> Registry:
    return (app or current_app).extensions["tavolo_registry"]


def add_nav(app: Flask, order: int, endpoint: str, label: Any) -> None:
    registry(app).nav.append(NavItem(order, endpoint, label))


def add_home_panel(app: Flask, panel: Callable[[], dict]) -> None:
    """A panel is a callable returning {"template": ..., **context} rendered on the home page."""
    registry(app).home_panels.append(panel)


def add_demo_seeder(app: Flask, order: int, seeder: Callable[[Any, dict], None]) -> None:
    registry(app).demo_seeders.append((order, seeder))


def nav_items() -> list[NavItem]:
    return sorted(registry().nav)


def home_panels() -> list[Callable[[], dict]]:
    return registry().home_panels
