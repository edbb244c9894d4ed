"""Projects on the nodes of the industry chains (产业链环节): the node a project lands on or
fills. Who may set it: who may change the project."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.scope import can_write
from zoneops.common.services import record_save
from zoneops.industry.models import ChainNode
from zoneops.orgs.models import User
from zoneops.projects.models import Project


@transaction.atomic
def project_chain_node_set(
    *,
    project: Project,
    node: ChainNode | None,
    by: User | None,
    expected_version: int | None = None,
) -> Project:
    """Put the project on a node (None: on none)."""
    if getattr(by, "pk", None) and not can_write(by, project):
        raise PermissionDeniedError(
            _("项目“%(project)s”不由您或您的部门负责，不能调整其产业链环节。")
            % {"project": project}
        )
    if project.chain_node_id == (node.pk if node else None):
        return project
    project.chain_node = node
    return record_save(
        instance=project, by=by, expected_version=expected_version, reason=_("调整产业链环节")
    )


@transaction.atomic
def projects_put_on_node(*, projects: Iterable[Project], node: ChainNode, by: User | None) -> int:
    """Put these projects on the node; all or none. How many changed."""
    chosen = list(projects)
    if not chosen:
        raise ApplicationError(_("请选择要归入该环节的项目。"), field="projects")
    changed = 0
    for project in chosen:
        if project.chain_node_id != node.pk:
            project_chain_node_set(project=project, node=node, by=by)
            changed += 1
    return changed
