"""Placing a project (落地选址): a park or its own site, by the rule or against it with a
reason. The rule itself is zoneops.parks.placement; this is the one write that sets a project's
park and own site after its registration."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.inputs import text_error
from zoneops.common.scope import can_write
from zoneops.common.services import acting_user, check_happened, record_save
from zoneops.orgs.models import User
from zoneops.parks.models import Park
from zoneops.parks.placement import PlacementSuggestion, placement_kind_of
from zoneops.projects.models import Project, ProjectPlacement
from zoneops.projects.selectors.placement import project_suggestion

REASON_MAX = 2000


@dataclass(frozen=True, slots=True)  # one per row of an import
class PlacementCheck:
    suggestion: PlacementSuggestion
    followed: bool
    reason: str


def placement_check(
    *,
    suggestion: PlacementSuggestion,
    park: Park | None,
    own_site: bool,
    reason: str,
) -> PlacementCheck:
    """Whether a placement follows the suggestion; one that departs from it needs a reason
    (field `reason`). Raises ApplicationError naming the field at fault."""
    if own_site and park is not None:
        raise ApplicationError(_("不能既进园区又独立选址：请只选其一。"), field="own_site")
    if not own_site and park is None:
        raise ApplicationError(_("请选择落地园区，或选择独立选址。"), field="park")
    reason = (reason or "").strip()
    problem = text_error(reason, multiline=True)
    if problem:
        raise ApplicationError(problem, field="reason")
    if len(reason) > REASON_MAX:
        raise ApplicationError(_("偏离原因最多%(max)d个字。") % {"max": REASON_MAX}, field="reason")
    chosen = placement_kind_of(park_kind=park.kind if park else None, own_site=own_site)
    followed = chosen == suggestion.kind
    if not followed and not reason:
        where = _("独立选址") if own_site else f"{park}（{park.get_kind_display()}）"  # type: ignore[union-attr]
        raise ApplicationError(
            _("所选落地“%(where)s”不符合选址规则的建议“%(kind)s”，须在“偏离原因”中说明理由。")
            % {"where": where, "kind": suggestion.kind.label},
            field="reason",
        )
    return PlacementCheck(suggestion=suggestion, followed=followed, reason=reason)


def check_may_place(*, by: Any, project: Project) -> None:
    """Whoever may change the project may place it; nobody else (None: the system)."""
    if by is None:
        return
    if not by.has_perm("projects.change_project") or not can_write(by, project):
        raise PermissionDeniedError(_("您不能为该项目选址：它不在您可修改的范围内。"))


@transaction.atomic
def project_place(
    *,
    project: Project,
    by: User | None,
    park: Park | None = None,
    own_site: bool = False,
    reason: str = "",
    on: date | None = None,
    expected_version: int | None = None,
) -> ProjectPlacement:
    """Place a project in a park or on its own site: the rule's suggestion of the day is
    recorded with the placement, and a departure from it needs a reason. Sets the project's
    park and own site (version and history) and writes the placement in the same transaction."""
    check_may_place(by=by, project=project)
    on = on or timezone.localdate()
    check_happened(on, field="on")
    project = Project.objects.select_for_update().get(pk=project.pk)
    check = placement_check(
        suggestion=project_suggestion(project=project, on=on),
        park=park,
        own_site=own_site,
        reason=reason,
    )
    project.park = park
    project.own_site = own_site
    where = _("独立选址") if own_site else str(park)
    record_save(
        instance=project,
        by=by,
        expected_version=expected_version,
        reason=_("落地选址：%(where)s") % {"where": where},
    )
    return placement_record(project=project, check=check, on=on, by=by)


def placement_record(
    *, project: Project, check: PlacementCheck, on: date, by: User | None
) -> ProjectPlacement:
    """The placement record of a project whose park and own site are set (by `project_place`,
    or by `project_create` for a project placed at its registration)."""
    return ProjectPlacement.objects.create(
        project=project,
        suggested_kind=check.suggestion.kind,
        suggestion=check.suggestion.reason[:300],
        park=project.park,
        own_site=project.own_site,
        followed=check.followed,
        reason=check.reason,
        placed_on=on,
        by=acting_user(by),
    )
