"""How the records grouped in a systemic blocker are resolved with it: each member app says so.

An app whose records join blockers (requests, project problems; later approval cases and
supervision tasks) declares on its AppConfig

    blocker_members = {
        "members": "<dotted path>",  # (*, blocker) -> QuerySet: every member of that kind
        "resolve": "<dotted path>",  # (*, members, answer, by, on) -> None: resolve those of
                                     # them still open, as the app's own step would
    }

and resolving a blocker resolves every member of every kind in its one transaction. The
blockers app calls no member app's services: it asks the kinds declared here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.apps import apps
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from zoneops.blockers.models import SystemicBlocker
from zoneops.orgs.models import User


@dataclass(frozen=True)
class MemberKind:
    app_label: str
    members: Callable[..., QuerySet]
    resolve: Callable[..., None]

    def of(self, blocker: SystemicBlocker) -> QuerySet:
        return self.members(blocker=blocker)


@cache
def member_kinds() -> tuple[MemberKind, ...]:
    """The kinds of members the installed apps declare, in the order of INSTALLED_APPS."""
    kinds = []
    for config in apps.get_app_configs():
        declared: dict[str, str] | None = getattr(config, "blocker_members", None)
        if declared:
            kinds.append(
                MemberKind(
                    app_label=config.label,
                    members=import_string(declared["members"]),
                    resolve=import_string(declared["resolve"]),
                )
            )
    return tuple(kinds)


def blocker_has_members(*, blocker: SystemicBlocker) -> bool:
    return any(kind.of(blocker).exists() for kind in member_kinds())


def blocker_members_resolve(
    *, blocker: SystemicBlocker, answer: str, by: User | None, on: date
) -> None:
    """Resolve every open member of the blocker with `answer` (in the caller's transaction)."""
    for kind in member_kinds():
        kind.resolve(members=kind.of(blocker), answer=answer, by=by, on=on)
