"""The generator of large synthetic zones (`zoneops gen`), the data every scale goal is measured
on (DESIGN "Scale"). Ten years ending the day it runs; deterministic for a seed and a day
(each step draws from its own `random.Random`); every record written through the importing
bulk path (`zoneops.common.importing.bulk_insert`: audit fields, version 1 and one "+" history
row per record, events without history), in the shape the apps' services write them.

A step is a function of the `Context`; `STEPS` runs them in order. A later app adds its
records by adding a module here and a line to `STEPS` (after the steps it reads from
`ctx.shared`, such as the enterprises' or the projects' ids).
"""

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction

from zoneops.demo.generator import (
    approvals,
    chains,
    enterprises,
    organisation,
    projects,
    requests,
    supervision,
)
from zoneops.demo.generator.base import LARGE, SCALES, Context, Scale
from zoneops.enterprises.models import Enterprise
from zoneops.projects.models import Project

Step = Callable[[Context], None]

STEPS: list[tuple[str, Step]] = [
    ("organisation", organisation.generate),
    ("enterprises", enterprises.generate),
    ("projects", projects.generate),
    ("problems", projects.generate_problems),
    ("chains", chains.generate),
    ("requests", requests.generate),
    ("approvals", approvals.generate),
    ("supervision", supervision.generate),
]


class ZoneExists(Exception):
    """The database already holds a zone: the generator writes only into an empty one."""


def zone_exists() -> bool:
    """Whether there is a zone to keep: any project, or any enterprise beyond the demo's."""
    return Project.objects.exists() or Enterprise.objects.filter(is_sample=True).exists()


def scale_of(name: str, factor: float | None = None) -> Scale:
    return LARGE.times(factor if factor is not None else SCALES[name])


def generate(
    *,
    scale: Scale,
    seed: int,
    today: date,
    password: str,
    stdout: Any = None,
    steps: list[tuple[str, Step]] | None = None,
) -> Context:
    """Generate a zone into an empty database (its organisation loaded on the way); raises
    ZoneExists on a database that holds one. One transaction: all or nothing."""
    if zone_exists():
        raise ZoneExists
    ctx = Context(scale=scale, seed=seed, today=today)
    ctx.shared["password"] = password
    began = time.perf_counter()
    with transaction.atomic():
        for name, step in steps or STEPS:
            start = time.perf_counter()
            before = dict(ctx.counts)
            step(ctx)
            if stdout is not None:
                for label, count in ctx.counts.items():
                    if count != before.get(label):
                        seconds = ctx.seconds.get(label, 0.0)
                        stdout.write(f"  {label:<40} {count:>10,} rows {seconds:8.1f} s\n")
                stdout.write(f"{name:<42} {time.perf_counter() - start:21.1f} s\n")
                stdout.flush()
        _reset_sequences()
    start = time.perf_counter()
    _analyze()
    if stdout is not None:
        stdout.write(
            f"{'planner statistics (ANALYZE)':<42} {time.perf_counter() - start:21.1f} s\n"
        )
    ctx.seconds["total"] = time.perf_counter() - began
    return ctx


def _analyze() -> None:
    """PostgreSQL: statistics for the query planner over what was just written, as autovacuum
    gives a zone that grew day by day. SQLite: none, as a zone there never has them (nothing
    runs ANALYZE); given them, SQLite plans a joined list as a scan of a small table and a sort
    of every row (the cases list: 0.2 s became 2.8 s on the large zone)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _reset_sequences() -> None:
    """The generator names its ids; PostgreSQL's sequences are moved past them."""
    if connection.vendor != "postgresql":
        return
    from django.apps import apps

    models = [m for m in apps.get_models() if m._meta.app_label in _APPS]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


_APPS = {"projects", "enterprises", "approvals", "supervision"}
