"""The one write of the chain map: a gap starts a lead (补链招商) in one step."""

from decimal import Decimal

from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.inputs import text_error
from zoneops.industry.models import ChainNode
from zoneops.orgs.models import User
from zoneops.projects.enums import PIPELINE
from zoneops.projects.models import Project
from zoneops.projects.services import project_create

ADD_PROJECT = "projects.add_project"


def gap_start_lead(
    *,
    node: ChainNode,
    name: str,
    by: User,
    investor_name: str = "",
    total_investment: Decimal | int = 0,
    owner: User | None = None,
) -> Project:
    """Register a project at the pipeline's first stage on the node it would fill: its chain's
    industry, the given investor and investment (万元), its owner (the one who starts it unless
    told). Only whoever may add projects starts one."""
    if not by.has_perm(ADD_PROJECT):
        raise PermissionDeniedError(_("您没有登记招商项目的权限。"))
    for field_name, value in (("name", name), ("investor_name", investor_name)):
        message = text_error(value)
        if message:
            raise ApplicationError(message, field=field_name)
    if not name.strip():
        raise ApplicationError(_("请填写项目名称。"), field="name")
    return project_create(
        name=name,
        by=by,
        stage=PIPELINE[0],
        note=_("由产业链缺链环节“%(node)s”发起招商") % {"node": node},
        chain_node=node,
        industry=node.chain.industry,
        investor_name=investor_name.strip(),
        total_investment=Decimal(total_investment),
        owner=owner or by,
    )
