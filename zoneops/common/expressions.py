"""Database functions the selectors share, written once for SQLite and PostgreSQL.

Django's own date arithmetic and year extraction call a Python function for every row on
SQLite; over a few hundred thousand rows that is most of a page's time. These give the same
answers in plain SQL on both databases.
"""

from typing import Any

from django.db.models import FloatField, Func, IntegerField


class YearOf(Func):
    """A date's year without a Python function per row (SQLite's ExtractYear calls one): the
    first four characters of SQLite's ISO date text; EXTRACT elsewhere."""

    output_field = IntegerField()
    template = "CAST(EXTRACT(YEAR FROM %(expressions)s) AS integer)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(SUBSTR(%(expressions)s, 1, 4) AS integer)", **extra
        )


class DaysBetween(Func):
    """Whole days from the date `start` to the date `end`, on SQLite and PostgreSQL."""

    arity = 2
    arg_joiner = " - "  # PostgreSQL: date - date is a number of days
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # Django's own date subtraction calls a Python function for every row there.
        julian = self.copy()
        julian.set_source_expressions(
            [
                Func(day, function="julianday", output_field=FloatField())
                for day in self.get_source_expressions()
            ]
        )
        return julian.as_sql(
            compiler, connection, template="CAST(ROUND(%(expressions)s) AS INTEGER)"
        )
