"""A process killed (SIGKILL) in the middle of a stage move or an import leaves the records as
they were, and the next process carries on (zoneops.common.tests.crashes)."""

from datetime import date

import pytest

from zoneops.common.tests.crashes import (
    changed_tables,
    database_for_child,
    run_child,
    run_killed,
    tables,
)
from zoneops.projects.enums import Stage
from zoneops.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db(transaction=True)

MOVE = """
from datetime import date
from zoneops.projects.models import Project
from zoneops.projects.services import project_move_stage
project_move_stage(
    project=Project.objects.get(pk={pk}), to_stage="talks", on=date(2019, 3, 1), by=None,
    backdate_reason="历史数据补登",
)
project = Project.objects.get(pk={pk})
print(project.stage, project.version, project.stage_moves.count())
"""


def test_a_stage_move_killed_halfway_leaves_the_project_as_it_was(tmp_path):
    project = make_project("氟化锂晶体项目", moves=[(Stage.LEAD, date(2019, 1, 10))])
    with database_for_child(tmp_path) as env:
        before = tables(env)

        # Killed once the project's row and its history are written, the move's row not yet.
        run_killed(
            env,
            'pause_after("zoneops.projects.services.pipeline", "record_save")\n'
            + MOVE.format(pk=project.pk),
        )

        assert changed_tables(before, tables(env)) == {}
        # The next process moves it as if nothing had happened.
        moved = run_child(env, MOVE.format(pk=project.pk))
        assert moved.split() == ["talks", str(project.version + 1), "2"]
