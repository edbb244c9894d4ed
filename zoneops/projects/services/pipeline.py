"""Writes of the investment pipeline: creating projects and moving them along the stages."""

import re
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.caching import models_changed
from zoneops.common.exceptions import ApplicationError
from zoneops.common.services import (
    acting_user,
    check_happened,
    record_check_version,
    record_save,
)
from zoneops.orgs.models import User
from zoneops.parks.models import Park
from zoneops.projects.enums import STAGE_ORDER, TERMINABLE, KeyLevel, Stage
from zoneops.projects.models import KeyDesignation, Project, StageMove
from zoneops.projects.selectors.placement import project_suggestion
from zoneops.projects.services.placement import placement_check, placement_record

# The date a stage was first reached is kept on the project for lists and filters.
STAGE_DATE_FIELDS = {
    Stage.SIGNED: "signed_on",
    Stage.STARTED: "started_on",
    Stage.COMPLETED: "completed_on",
    Stage.IN_PRODUCTION: "production_on",
}


def _today() -> date:
    return timezone.localdate()


CODE_PREFIX = "XM"  # a project's number: XM, the year of its registration, 0001 on
_NUMBERED = re.compile(rf"^{CODE_PREFIX}\d{{4}}\d{{4,}}$")


def project_code_numbered(code: str) -> bool:
    """Whether a code has the shape `project_next_code` gives."""
    return _NUMBERED.match(code) is not None


def project_next_code(*, year: int) -> str:
    prefix = f"{CODE_PREFIX}{year}"
    last = (
        Project.objects.filter(code__startswith=prefix, code__regex=rf"^{prefix}\d{{4,}}$")
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:04d}"


@transaction.atomic
def project_create(
    *,
    name: str,
    by: User | None,
    on: date | None = None,
    stage: Stage | str = Stage.LEAD,
    code: str = "",
    note: str = "",
    backdate_reason: str = "",
    key_levels: dict[int, list[str]] | None = None,
    placement_reason: str = "",
    **fields: Any,
) -> Project:
    """Register a project at a stage (a lead by default); the entry is its first stage move.
    A park or own site given at registration is placed by the rule as `project_place` places
    it (the suggestion recorded; a departure from it needs `placement_reason`)."""
    on = on or _today()
    park = fields.pop("park", None)
    park_id = fields.pop("park_id", None)
    if park is None and park_id is not None:
        park = Park.objects.filter(pk=park_id).first()
        if park is None:
            raise ApplicationError(_("所选园区不存在。"), field="park_id")
    own_site = bool(fields.pop("own_site", False))
    stage = Stage(stage)
    if stage == Stage.TERMINATED:
        raise ApplicationError(_("新项目不能直接登记为“终止”。"), field="stage")
    check_move_date(on=on, backdate_reason=backdate_reason, after=None)
    project = Project(name=name.strip(), code=code.strip(), park=park, own_site=own_site, **fields)
    placement = None
    if park is not None or own_site:
        try:
            placement = placement_check(
                suggestion=project_suggestion(project=project, on=on),
                park=park,
                own_site=own_site,
                reason=placement_reason,
            )
        except ApplicationError as error:
            if error.field == "reason":
                error.field = "placement_reason"
            raise
    if not project.code:
        project.code = project_next_code(year=on.year)
    project.stage = stage
    project.stage_since = on
    fill_stage_dates(project, stage=stage, on=on)
    try:
        with transaction.atomic():
            record_save(instance=project, by=by, exclude_validation=["code"] if not code else None)
    except IntegrityError as error:
        raise ApplicationError(
            _("项目编号“%(code)s”已被使用。") % {"code": project.code}, field="code"
        ) from error
    StageMove.objects.create(
        project=project,
        from_stage="",
        to_stage=stage,
        moved_on=on,
        by=acting_user(by),
        note=note or _("登记项目"),
        backdate_reason=backdate_reason,
    )
    for year, levels in (key_levels or {}).items():
        project_set_key_levels(project=project, year=year, levels=levels)
    if placement is not None:
        placement_record(project=project, check=placement, on=on, by=by)
    return project


def check_move_date(*, on: date, backdate_reason: str, after: date | None) -> None:
    """A move happened on a day that has come (`check_happened`), not before the previous
    move; a day before today is a backdated entry and says why."""
    check_happened(on, field="on")
    if after is not None and on < after:
        raise ApplicationError(
            _("发生日期 %(on)s 早于上一次阶段变更（%(after)s）。") % {"on": on, "after": after},
            field="on",
        )
    if on < _today() and not backdate_reason.strip():
        raise ApplicationError(
            _("补登 %(on)s 发生的阶段变更须填写补登原因。") % {"on": on}, field="backdate_reason"
        )


def fill_stage_dates(project: Project, *, stage: Stage, on: date) -> None:
    """Reaching a stage reaches every stage before it: their dates are set if still empty."""
    if stage == Stage.TERMINATED:
        return
    for reached, field in STAGE_DATE_FIELDS.items():
        if STAGE_ORDER[reached] <= STAGE_ORDER[stage] and getattr(project, field) is None:
            setattr(project, field, on)


@transaction.atomic
def project_move_stage(
    *,
    project: Project,
    to_stage: Stage | str,
    on: date,
    by: User | None,
    note: str = "",
    backdate_reason: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> StageMove:
    """Move a project forward along the pipeline, or drop it (终止) with a reason.

    Every move is a StageMove row written in the same transaction; a move backwards, out of
    终止 or into the past before the previous move is refused.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    # A writer who read an older version is told so first, not that the stage he saw is gone.
    record_check_version(instance=project, expected_version=expected_version)
    to_stage = Stage(to_stage)
    from_stage = Stage(project.stage)
    if from_stage == Stage.TERMINATED:
        raise ApplicationError(_("项目已终止，不能再变更阶段。"), field="to_stage")
    if to_stage == Stage.TERMINATED:
        if from_stage not in TERMINABLE:
            raise ApplicationError(
                _("“%(stage)s”阶段的项目不能终止。") % {"stage": from_stage.label}, field="to_stage"
            )
        if not reason.strip():
            raise ApplicationError(_("终止项目须填写终止原因。"), field="reason")
    elif STAGE_ORDER[to_stage] <= STAGE_ORDER[from_stage]:
        raise ApplicationError(
            _("项目只能沿招商流程向前推进：不能从“%(from)s”变更为“%(to)s”。")
            % {"from": from_stage.label, "to": to_stage.label},
            field="to_stage",
        )
    check_move_date(on=on, backdate_reason=backdate_reason, after=project.stage_since)

    project.stage = to_stage
    project.stage_since = on
    if to_stage == Stage.TERMINATED:
        project.terminated_on = on
        project.termination_reason = reason.strip()
    fill_stage_dates(project, stage=to_stage, on=on)
    record_save(
        instance=project,
        by=by,
        expected_version=expected_version,
        reason=_("阶段：%(from)s → %(to)s") % {"from": from_stage.label, "to": to_stage.label},
    )
    # The stay in the stage it leaves ends today (moves only go forward in time).
    StageMove.objects.filter(project=project, left_on__isnull=True).update(left_on=on)
    return StageMove.objects.create(
        project=project,
        from_stage=from_stage,
        to_stage=to_stage,
        moved_on=on,
        by=acting_user(by),
        note=(note or reason).strip(),
        backdate_reason=backdate_reason.strip(),
    )


@transaction.atomic
def project_set_key_levels(*, project: Project, year: int, levels: list[str]) -> list[str]:
    """The key-project levels of a project in a year (both 省 and 市 make it 省市双重点)."""
    wanted = {KeyLevel(level) for level in levels}
    KeyDesignation.objects.filter(project=project, year=year).exclude(level__in=wanted).delete()
    have = set(
        KeyDesignation.objects.filter(project=project, year=year).values_list("level", flat=True)
    )
    KeyDesignation.objects.bulk_create(
        [KeyDesignation(project=project, year=year, level=level) for level in wanted - have]
    )
    models_changed([KeyDesignation])  # bulk_create sends no signal
    return sorted(wanted)
