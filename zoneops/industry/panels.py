"""The chain's tree under its page in the back office: segments, nodes under their parents,
what is on each node, with links to the filtered lists and to add or edit nodes."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from zoneops.common.panels import Panel
from zoneops.common.scope import can_write, scope_queryset
from zoneops.industry.selectors import chain_tree


def chain_nodes_tree(*, request: HttpRequest, obj: Any) -> Panel | None:
    user: Any = request.user
    return Panel(
        title=_("产业链环节"),
        template="industry/chain_tree.html",
        context={
            "chain": obj,
            "segments": chain_tree(chain=obj),
            "can_edit": user.has_perm("industry.change_chainnode") and can_write(user, obj),
            "can_add": user.has_perm("industry.add_chainnode") and can_write(user, obj),
        },
        order=10,
    )


SHOWN = 20


def node_members(*, request: HttpRequest, obj: Any) -> Panel | None:
    """The enterprises and projects on a node (those the user may see), linked; the whole lists
    are the enterprise and project lists filtered by the node."""
    user: Any = request.user
    enterprises = list(scope_queryset(obj.enterprises.order_by("name"), user)[: SHOWN + 1])
    projects = list(scope_queryset(obj.projects.order_by("name"), user)[: SHOWN + 1])
    return Panel(
        title=_("该环节的企业和项目"),
        template="industry/node_members.html",
        context={
            "node": obj,
            "enterprises": enterprises[:SHOWN],
            "projects": projects[:SHOWN],
            "more_enterprises": len(enterprises) > SHOWN,
            "more_projects": len(projects) > SHOWN,
        },
        order=10,
    )
