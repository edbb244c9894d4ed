"""The chain's tree under its page in the back office: segments, nodes under their parents,
what is on each node, with links to the filtered lists and to add or edit nodes."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from zoneops.common.panels import Panel
from zoneops.common.scope import can_write
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
