"""URL converters shared by every route."""
from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

#: the largest id (and number) a path may name: PostgreSQL's INTEGER, the type of every primary key
ID_MAX = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` bounded by ID_MAX: a larger number names nothing, so it is a 404 like any unknown id,
    instead of an overflow in the database driver (a 500). The OpenAPI document states the bound."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def is_row_id(value: Any) -> bool:
    """An integer (not a bool) that a row's id can be: 1..ID_MAX. Anything else names nothing, and a
    larger number would overflow the database driver."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= ID_MAX


def id_arg(name: str) -> int | None:
    """An optional id in an HTML page's query string: a number that can name a row, or None. A page
    filter that names nothing shows everything rather than an error (a bookmarked link stays usable)."""
    from flask import request

    value = request.args.get(name, type=int)
    return value if is_row_id(value) else None


def install_converters(app: Any) -> None:
    """Before any route is added: rules bind their converter when they are registered."""
    app.url_map.converters["int"] = BoundedIntegerConverter
