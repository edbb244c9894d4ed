"""Enterprises on the nodes of the industry chains (产业链环节). Who may put an enterprise on a
node or take it off: who may change the enterprise (its write scope); every change is kept in
the enterprise's history (its chain nodes are part of it)."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.scope import writable_queryset
from zoneops.common.services import acting_user
from zoneops.enterprises.models import Enterprise
from zoneops.industry.models import ChainNode
from zoneops.orgs.models import User

SHOWN_NAMES = 5


def _refuse_unwritable(enterprises: list[Enterprise], by: User | None) -> None:
    if not getattr(by, "pk", None):
        return
    writable = set(
        writable_queryset(
            Enterprise.objects.filter(pk__in=[e.pk for e in enterprises]), by
        ).values_list("pk", flat=True)
    )
    refused = [e for e in enterprises if e.pk not in writable]
    if refused:
        names = "、".join(e.name for e in refused[:SHOWN_NAMES])
        more = _("等 %(n)d 家") % {"n": len(refused)} if len(refused) > SHOWN_NAMES else ""
        raise PermissionDeniedError(
            _("%(names)s%(more)s不由您或您的部门负责，不能调整其产业链环节。")
            % {"names": names, "more": more}
        )


def _with_history(enterprise: Enterprise, by: User | None) -> Enterprise:
    user = acting_user(by)
    if user is not None:
        enterprise._history_user = user  # type: ignore[attr-defined]
    return enterprise


@transaction.atomic
def enterprise_chain_nodes_set(
    *, enterprise: Enterprise, nodes: Iterable[ChainNode], by: User | None
) -> Enterprise:
    """The enterprise's chain nodes become `nodes` (an enterprise may sit on several)."""
    _refuse_unwritable([enterprise], by)
    _with_history(enterprise, by).chain_nodes.set(list(nodes))
    return enterprise


@transaction.atomic
def enterprises_put_on_node(
    *, enterprises: Iterable[Enterprise], node: ChainNode, by: User | None
) -> int:
    """归入产业链环节: put these enterprises on the node (kept on their other nodes); all or
    none — one the user may not change refuses the whole lot, named. How many were added."""
    chosen = list(enterprises)
    if not chosen:
        raise ApplicationError(_("请选择要归入该环节的企业。"), field="enterprises")
    _refuse_unwritable(chosen, by)
    already = set(
        node.enterprises.filter(pk__in=[e.pk for e in chosen]).values_list("pk", flat=True)
    )
    added = 0
    for enterprise in chosen:
        if enterprise.pk not in already:
            # From the enterprise's side, so that its history records the change.
            _with_history(enterprise, by).chain_nodes.add(node)
            added += 1
    return added


@transaction.atomic
def enterprises_take_off_node(
    *, enterprises: Iterable[Enterprise], node: ChainNode, by: User | None
) -> int:
    """Take these enterprises off the node. How many were on it."""
    chosen = list(enterprises)
    _refuse_unwritable(chosen, by)
    on = set(node.enterprises.filter(pk__in=[e.pk for e in chosen]).values_list("pk", flat=True))
    for enterprise in chosen:
        if enterprise.pk in on:
            _with_history(enterprise, by).chain_nodes.remove(node)
    return len(on)
