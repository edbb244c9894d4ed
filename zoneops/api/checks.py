"""The input check every API operation runs after its schemas have parsed the request.

Every text, date and number a caller sends — a path or query parameter, a filter, a payload's
field, an item of a list — follows zoneops.common.inputs: a NUL that PostgreSQL cannot store, a
control character, a text of nothing but zero-width spaces, a date in year 1 or a number beyond
what a 64-bit column holds is refused with the field's name (422) before any query. Added once
to the whole API (`api.add_decorator`), so a new endpoint is checked without a word of its own.

Here a text may hold line breaks: which field is one line is the record's to say
(`BusinessModel.clean_fields`)."""

from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import wraps
from typing import Any

from django.utils.translation import gettext as _
from ninja.errors import ValidationError as SchemaValidationError
from pydantic import BaseModel

from zoneops.common.inputs import MAX_ID, DateKind, date_error, text_error


def check_inputs(operation: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(operation)
    def checked(request: Any, *args: Any, **kwargs: Any) -> Any:
        errors = [
            error
            for name, value in kwargs.items()
            # A schema's fields are named on their own (a payload's `title`, a filter's `q`).
            for error in _errors(value, () if isinstance(value, BaseModel) else (name,))
        ]
        if errors:
            raise SchemaValidationError(errors)
        return operation(request, *args, **kwargs)

    return checked


def _errors(value: Any, location: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
    problem = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        # No database column holds more than 64 bits; SQLite cannot even bind such a number.
        # An id is bounded by its type already (`Id`); this is every other integer (a version,
        # a number of days), which no other layer refuses naming the field.
        problem = None if abs(value) <= MAX_ID else _("数值超出范围。")
    elif isinstance(value, str):
        problem = text_error(value, multiline=True)
    elif isinstance(value, datetime):
        problem = date_error(value.date(), DateKind.ANY)
    elif isinstance(value, date):
        problem = date_error(value, DateKind.ANY)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _errors(getattr(value, name), (*location, name))
    elif isinstance(value, list | tuple | set):
        for index, item in enumerate(value):
            yield from _errors(item, (*location, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _errors(key, (*location, key))
            yield from _errors(item, (*location, key))
    if problem:
        yield {"loc": location, "msg": problem, "type": "zoneops_input"}
