"""Panels another app adds to a record's change page in the back office.

An app above the record's app shows its own records there without the record's app naming
it: a key project's page lists its approval cases, an enterprise's page its fund
applications. The app declares on its AppConfig

    record_panels = {"projects.project": ("zoneops.approvals.panels.project_cases",)}

where each dotted path is a callable `(*, request, obj) -> Panel | None` (None: nothing to
show to this user) that reads through its app's selectors, in a fixed number of queries.
BusinessAdmin shows the panels under the form (template "common/_record_panels.html").
"""

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.http import HttpRequest
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Panel:
    title: str
    template: str  # rendered with `panel` (its values as `panel.context`)
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@cache
def _declared() -> dict[str, tuple[Any, ...]]:
    declared: dict[str, list[Any]] = {}
    for config in apps.get_app_configs():
        for label, paths in getattr(config, "record_panels", {}).items():
            declared.setdefault(label, []).extend(import_string(path) for path in paths)
    return {label: tuple(functions) for label, functions in declared.items()}


def record_panels(*, request: HttpRequest, obj: models.Model) -> list[Panel]:
    """The panels the installed apps add to `obj`'s page, for this user, in their order."""
    functions = _declared().get(obj._meta.label_lower, ())
    panels = [function(request=request, obj=obj) for function in functions]
    return sorted((panel for panel in panels if panel is not None), key=lambda p: p.order)
