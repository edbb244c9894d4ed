"""Integer lookups that find nothing for a number no row can hold, on every database.

Django already answers `filter(year=10**30)` with no rows instead of sending the number
(IntegerFieldExact and its siblings); `filter(pk__in=[10**30])` and `filter(project_id=10**30)`
still reach the database, and SQLite refuses the number (OverflowError: a 500). An API filter
or payload may carry any integer, so `in` on an integer column and `exact`/`in` on a foreign
key do the same as Django's own lookups: a value beyond the column's range matches nothing.
"""

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In


def _holds(field: Any, value: Any, connection: Any) -> bool:
    """Whether the integer column of `field` can hold `value` (anything else is for the
    database to judge)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return True
    kind = field.get_internal_type()
    if kind not in connection.ops.integer_field_ranges:
        return True
    low, high = connection.ops.integer_field_range(kind)
    return (low is None or value >= low) and (high is None or value <= high)


def _target(lookup: Any) -> Any:
    field = lookup.lhs.output_field
    return getattr(field, "target_field", field)


class IntegerIn(In):
    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            field = _target(self)
            self.rhs = [value for value in self.rhs if _holds(field, value, connection)]
        return super().process_rhs(compiler, connection)


class RelatedIntegerIn(RelatedIn):
    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            field = _target(self)
            self.rhs = [value for value in self.rhs if _holds(field, value, connection)]
        return super().process_rhs(compiler, connection)


class RelatedIntegerExact(RelatedExact):
    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value() and not _holds(_target(self), self.rhs, connection):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


def register_integer_lookups() -> None:
    models.IntegerField.register_lookup(IntegerIn)
    models.ForeignKey.register_lookup(RelatedIntegerIn)
    models.ForeignKey.register_lookup(RelatedIntegerExact)
