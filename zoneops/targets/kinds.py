"""The kinds of target and how each is followed from the records.

A kind is declared on an AppConfig:

    target_kinds = {"code": (label, "dotted.path.to.evaluator")}

where the evaluator is `(*, targets: list[Target], today: date) -> list[TargetProgress]`
(targets.progress): it
follows all the targets of its kind at once, in a fixed number of queries. This app declares
"project_count" (projects of a size and an industry that landed in the year); the indicators
app (issue 13) adds its kinds — an indicator reaching a value, e.g. 主营业务收入 ≥ 1000亿元 —
with an evaluator that reads its period values, and a model of its own beside Target for what
such a target needs (the indicator and the value), without changing this app.
"""

from functools import cache
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string


def target_kind_choices() -> list[tuple[str, Any]]:
    return [(code, label) for code, (label, _path) in _declared().items()]


@cache
def _declared() -> dict[str, tuple[Any, str]]:
    declared: dict[str, tuple[Any, str]] = {}
    for config in apps.get_app_configs():
        declared.update(getattr(config, "target_kinds", {}))
    return declared


def evaluator(kind: str) -> Any:
    return import_string(_declared()[kind][1])
