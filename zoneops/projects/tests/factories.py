from datetime import date
from decimal import Decimal

from zoneops.projects.enums import Stage
from zoneops.projects.models import Project
from zoneops.projects.services import project_create, project_move_stage

HISTORY = "历史数据补登"


def make_project(
    name: str = "测试项目",
    *,
    moves: list[tuple[Stage, date]] | None = None,
    investment: Decimal | int = 10000,
    by=None,
    **fields,
) -> Project:
    """A project registered at the first (stage, date) and moved through the rest."""
    moves = moves or [(Stage.LEAD, date(2019, 1, 10))]
    first_stage, first_on = moves[0]
    project = project_create(
        name=name,
        by=by,
        on=first_on,
        stage=first_stage,
        total_investment=Decimal(investment),
        backdate_reason=HISTORY,
        **fields,
    )
    for stage, on in moves[1:]:
        reason = "测试终止" if stage == Stage.TERMINATED else ""
        project_move_stage(
            project=project, to_stage=stage, on=on, by=by, backdate_reason=HISTORY, reason=reason
        )
    project.refresh_from_db()
    return project
