"""Shared reads."""

from typing import Any

from django.db.models import Q, QuerySet

from zoneops.common.models import SavedView


def saved_views_for(*, user: Any, page: str) -> QuerySet[SavedView]:
    """The user's own saved views of a page and the ones others shared."""
    return (
        SavedView.objects.filter(page=page)
        .filter(Q(user=user) | Q(shared=True))
        .select_related("user")
        .order_by("-shared", "name")
    )
