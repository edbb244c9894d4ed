"""Records that follow a meeting decision in another app and finish it themselves.

An app whose record carries a decision on to its end (a supervised task: 会议议定事项 →
督办) declares on its AppConfig

    decision_followers = ("<dotted path>",)  # (*, decision) -> str | None

each callable giving the sentence that refuses marking the decision done in meetings while its
record is still open (None: nothing open follows it). The record marks the decision done
itself when it ends. Meetings imports no such app: it asks the callables declared here.
"""

from collections.abc import Callable
from functools import cache

from django.apps import apps
from django.utils.module_loading import import_string

from zoneops.meetings.models import Decision


@cache
def _followers() -> tuple[Callable[..., str | None], ...]:
    return tuple(
        import_string(path)
        for config in apps.get_app_configs()
        for path in getattr(config, "decision_followers", ())
    )


def decision_followed(*, decision: Decision) -> str | None:
    """Why the decision cannot be marked done in meetings (an open record follows it), or None."""
    for follower in _followers():
        refusal = follower(decision=decision)
        if refusal:
            return refusal
    return None
