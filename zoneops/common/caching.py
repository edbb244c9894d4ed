"""Cached figures: the cockpit's panels and the shared summaries, computed once and served from
the cache (Redis when REDIS_URL is set, else the process's memory) until something they depend
on changes.

A figure is cached under a key made of
- its name and its arguments (the day, the year, the dimension, ...),
- the viewer's data scope (`scope_key`): a zone-wide viewer shares the entry with every other
  zone-wide viewer, anyone else has entries of his own — one scope's figures never reach another,
- the language (labels are translated when the figure is made),
- the generation of every area (app) it reads.

An area's generation is a token in the cache, replaced whenever a record of that area is written
(`area_changed`: on every save and delete of a model of a zoneops app, by the signals connected in
`connect_invalidation`, and by the bulk writers, which send no signals). The replaced token is
part of every new key, so the next read computes afresh; the old entries expire
(ZONEOPS_CACHE_SECONDS, which also bounds what a write the signals cannot see leaves stale).
A model that is written often and feeds no figure (a heartbeat) says `cache_area = None`.
"""

import functools
import hashlib
import uuid
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, ParamSpec, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

from zoneops.common.scope import scope_for

P = ParamSpec("P")
R = TypeVar("R")

GENERATION_PREFIX = "zoneops:generation:"
# Every figure reads the organisation (a user's departments, roles and 分管 make his scope) and
# the work calendar (deadlines and overdue): their writes invalidate every figure.
ALWAYS = ("orgs", "common")


def _generation_key(area: str) -> str:
    return GENERATION_PREFIX + area


def area_generations(areas: Iterable[str]) -> dict[str, str]:
    """The current token of each area; one that the cache does not hold (never written since the
    cache started, or evicted) gets a new one, so no old entry can match it."""
    keys = {_generation_key(area): area for area in sorted(set(areas))}
    found = cache.get_many(list(keys))
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    for key, token in missing.items():
        # add: two processes that both found none agree on the first one written.
        if not cache.add(key, token, timeout=None):
            token = cache.get(key) or token
        found[key] = token
    return {keys[key]: found[key] for key in keys}


def _bump(areas: Iterable[str]) -> None:
    cache.set_many({_generation_key(area): uuid.uuid4().hex for area in areas}, timeout=None)


def area_changed(*areas: str, using: str | None = None) -> None:
    """Records of these areas were written: the figures that read them are made again. Now (for
    this transaction's own later reads) and once more when it commits (a reader between the two
    would otherwise cache the old figures under the new token)."""
    if not areas:
        return
    _bump(areas)
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return
    # One bump at commit for all the transaction's areas, however many records it writes. The
    # hooks' list is a new one after a commit or a rollback: a set tied to another list is old.
    pending = connection.__dict__.get("_zoneops_pending_areas")
    if pending is None or pending[0] is not connection.run_on_commit:
        at_commit: set[str] = set()
        pending = (connection.run_on_commit, at_commit)
        connection.__dict__["_zoneops_pending_areas"] = pending
        transaction.on_commit(lambda: _bump(at_commit), using=using)
    pending[1].update(areas)


def model_area(model: type[models.Model]) -> str | None:
    """The area a model's writes invalidate: its app's label, for the zoneops apps only."""
    if not model.__module__.startswith("zoneops."):
        return None
    return getattr(model, "cache_area", model._meta.app_label)


def models_changed(models_written: Iterable[type[models.Model]], using: str | None = None) -> None:
    """For the writers that send no signals (bulk inserts and updates)."""
    areas = {area for model in models_written if (area := model_area(model))}
    area_changed(*areas, using=using)


def scope_key(user: Any) -> str:
    """Who may share a cached figure: all zone-wide viewers share one entry ("all"); a user of
    a narrower scope has his own (his liaisons widen it, so his id is part of it); no user at
    all (a command, the unscoped figures) is "unscoped"."""
    if user is None:
        return "unscoped"
    scope = scope_for(user)
    if scope.everything and not scope.is_enterprise_user:
        return "all"
    departments = ",".join(str(pk) for pk in sorted(scope.department_ids))
    return f"u{scope.user_id}:e{scope.enterprise_id}:d{departments}"


def _part(value: Any) -> str:
    """A stable text for an argument of a cached figure."""
    if value is None or isinstance(value, str | int | float | bool | date):
        return repr(value)
    if isinstance(value, models.Model):
        return f"{value._meta.label}:{value.pk}"
    if isinstance(value, list | tuple | frozenset | set):
        items = [_part(item) for item in value]
        return "[" + ",".join(sorted(items) if isinstance(value, set | frozenset) else items) + "]"
    raise TypeError(f"a cached figure cannot be keyed by a {type(value).__name__}")


def cached_figure(
    *, name: str, areas: Iterable[str], user: Any, parts: dict[str, Any], compute: Callable[[], R]
) -> R:
    """`compute()`, or what it gave before for the same name, parts, scope, language and areas'
    generations. `user` is the viewer whose scope the figure is computed in."""
    seconds = settings.ZONEOPS_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    generations = area_generations([*areas, *ALWAYS])
    text = "|".join(
        [
            # Today too: a figure whose day defaults to today is another figure tomorrow.
            timezone.localdate().isoformat(),
            scope_key(user),
            translation.get_language() or "",
            *(f"{key}={_part(value)}" for key, value in sorted(parts.items())),
            *(f"{area}@{token}" for area, token in generations.items()),
        ]
    )
    key = f"zoneops:figure:{name}:{hashlib.sha256(text.encode()).hexdigest()}"
    found = cache.get(key)
    if found is not None:
        return found
    value = compute()
    cache.set(key, value, timeout=seconds)
    return value


def cached_selector(*areas: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A selector of keyword arguments cached by them (`user` is the viewer's scope):

    @cached_selector("projects", "industry", "parks")
    def pipeline_summary(*, year, as_of, user=None, ...) -> PipelineSummary: ...
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        name = f"{function.__module__}.{function.__qualname__}"

        @functools.wraps(function)
        def cached(*args: P.args, **kwargs: P.kwargs) -> R:
            if args:  # a positional call is not keyed: computed as it stands
                return function(*args, **kwargs)
            parts = {key: value for key, value in kwargs.items() if key != "user"}
            return cached_figure(
                name=name,
                areas=areas,
                user=kwargs.get("user"),
                parts=parts,
                compute=lambda: function(*args, **kwargs),
            )

        cached.uncached = function  # type: ignore[attr-defined]
        return cached

    return decorate


def _written(sender: type[models.Model], using: str | None = None, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes no figure
    area = model_area(sender)
    if area:
        area_changed(area, using=using)


def connect_invalidation() -> None:
    """Every save, delete and many-to-many change of a zoneops model replaces its area's
    generation (signals for cache invalidation only: STYLE habit 3)."""
    post_save.connect(_written, dispatch_uid="zoneops.caching.saved")
    post_delete.connect(_written, dispatch_uid="zoneops.caching.deleted")
    m2m_changed.connect(_m2m_written, dispatch_uid="zoneops.caching.m2m")


def _m2m_written(sender: type[models.Model], action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        _written(sender, using=kwargs.get("using"))


def zoneops_areas() -> list[str]:
    """Every zoneops app's area (for a figure that reads them all)."""
    return [config.label for config in apps.get_app_configs() if config.name.startswith("zoneops.")]
