"""What every step of the generator shares: the scale, the seeded random source, the day it
runs, the demo's organisation as plain ids, the working-day deadlines (one calendar reading,
cached per start day and limit) and the writer (`write`: the importing bulk path, in chunks,
counted and timed per table)."""

import random
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import models
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from zoneops.casework.clocks import deadline_note
from zoneops.common.importing import bulk_insert
from zoneops.common.workcalendar import WorkingDayResult, add_working_days, working_days_between

# Why the rows exist, on each history row and each backdated stage move.
REASON = "生成的示例数据（zoneops gen）"
# Records written per call of the bulk path: bounds the memory of the largest tables.
CHUNK = 20_000


@dataclass(frozen=True)
class Scale:
    """How many records of each kind the large zone holds; smaller zones are a fraction."""

    projects: int = 30_000
    progress_reports: int = 360_000
    enterprises: int = 80_000
    figures: int = 1_000_000
    requests: int = 200_000
    cases: int = 500_000
    tasks: int = 300_000

    def times(self, factor: float) -> "Scale":
        return Scale(
            **{name: max(1, round(value * factor)) for name, value in self.__dict__.items()}
        )


LARGE = Scale()
SCALES: dict[str, float] = {"large": 1.0, "medium": 0.1, "small": 0.01, "tiny": 0.0005}
YEARS = 10  # the zone's history ends the day the generator runs


@dataclass
class Organisation:
    """The demo's departments, accounts, parks, industries and service items, by natural key."""

    departments: dict[str, int]  # code → id
    users: dict[str, int]  # username → id
    parks: dict[str, list[int]]  # carrier kind → ids
    industries: dict[str, int]  # code → id
    items: list[tuple[int, int, int, date]]  # (id, department id, promised days, listed on)
    request_limits: dict[str, int]  # request kind → working days
    anchor_enterprise: int  # the enterprise the demo's enterprise user belongs to


@dataclass
class Context:
    """One run of the generator: what the steps read and what they leave for the next ones."""

    scale: Scale
    seed: int
    today: date
    org: Organisation | None = None
    counts: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    # Left by a step for the later ones (e.g. the projects' ids and investors).
    shared: dict[str, Any] = field(default_factory=dict)
    _deadlines: dict[tuple[date, int], WorkingDayResult] = field(default_factory=dict)
    _between: dict[tuple[date, int], int] = field(default_factory=dict)
    _notes: dict[tuple[date, int], str] = field(default_factory=dict)

    @property
    def start(self) -> date:
        """The first day of the zone's ten years."""
        return self.today.replace(year=self.today.year - YEARS, day=1)

    @property
    def days(self) -> int:
        return (self.today - self.start).days

    def rng(self, step: str) -> random.Random:
        """Each step its own stream: adding a step never changes another step's records."""
        return random.Random(f"{self.seed}:{step}")  # noqa: S311  sample data, not secrets

    def day(self, rng: random.Random, *, after: date | None = None) -> date:
        """A random day of the ten years (after `after` when given), never after today."""
        first = after or self.start
        span = (self.today - first).days
        return first + timedelta(days=rng.randint(0, max(span, 0)))

    def deadline(self, start: date, days: int) -> WorkingDayResult:
        """`add_working_days` once per start day and limit (the caller pins the calendar)."""
        key = (start, days)
        found = self._deadlines.get(key)
        if found is None:
            found = self._deadlines[key] = add_working_days(start, days)
        return found

    def deadline_note(self, limit: int, due: WorkingDayResult) -> str:
        """`deadline_note` once per limit and deadline: the same words the services write."""
        key = (due.date, limit)
        found = self._notes.get(key)
        if found is None:
            found = self._notes[key] = deadline_note(limit, due)
        return found

    def between(self, start: date, end: date) -> int:
        """`working_days_between` once per pair of days (the caller pins the calendar)."""
        key = (start, -end.toordinal())
        found = self._between.get(key)
        if found is None:
            found = self._between[key] = working_days_between(start, end).days
        return found

    def write(
        self,
        model: type[models.Model],
        rows: Iterable[Mapping[str, Any]],
        *,
        label: str | None = None,
    ) -> int:
        """Write the rows through the importing writer, in chunks. A model with history gets
        its history rows; its rows carry their ids (given, or numbered here after the table's
        last), which are the writer's key."""
        label = label or model._meta.label
        keyed = _has_history(model)
        pk = next_id(model) if keyed else 0
        written = 0
        began = time.perf_counter()
        chunk: list[Mapping[str, Any]] = []
        for row in rows:
            if keyed and "id" not in row:
                row = {"id": pk, **row}
                pk += 1
            chunk.append(row)
            if len(chunk) >= CHUNK:
                written += _write_chunk(model, chunk, keyed=keyed)
                chunk = []
        if chunk:
            written += _write_chunk(model, chunk, keyed=keyed)
        self.counts[label] += written
        self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - began
        return written


def _has_history(model: type[models.Model]) -> bool:
    try:
        get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return False
    return True


def _write_chunk(
    model: type[models.Model], rows: Sequence[Mapping[str, Any]], *, keyed: bool
) -> int:
    bulk_insert(model=model, rows=rows, by=None, reason=REASON, key=("id",) if keyed else ())
    return len(rows)


def next_id(model: type[models.Model]) -> int:
    """The first id after the table's last: the generator names its records' ids itself, so
    that events and children point at them without reading them back."""
    last = model._base_manager.aggregate(last=models.Max("pk"))["last"]
    return (last or 0) + 1


def weighted(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    """One of the values, by weight."""
    values = [value for value, _weight in choices]
    weights = [weight for _value, weight in choices]
    return rng.choices(values, weights)[0]
