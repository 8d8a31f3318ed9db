"""Request hygiene applied to every route, so no feature has to remember it."""

import re

from flask import abort, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

# Ids and page numbers beyond a 32-bit integer exist in no table; the database would fail on them.
MAX_ID = 2**31 - 1
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that stops at MAX_ID: a larger number is a 404, not an overflow in SQL.

    It raises NotFound itself: werkzeug's `max=` would make the rule not match, and the matcher then
    answers 405 for other methods on the same path.
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()
        return number


def _refuse_control_characters() -> None:
    """A NUL in a query argument breaks PostgreSQL text comparisons; no person types one.
    (The API answers such input itself, as a 422 naming the field.)"""
    if request.blueprint == "api":
        return
    for values in request.args.listvalues():
        if any(_CONTROL.search(value) for value in values):
            abort(400)


def register(app) -> None:
    """Install before the blueprints: URL rules compile their converters when they are added."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(_refuse_control_characters)
