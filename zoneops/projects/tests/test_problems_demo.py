"""The demo zone's problem list: a dozen problems of its key and large projects, 2019–2020.

The zone is loaded once for the module and rolled back after it (as in the demo's own tests);
each test runs in its own savepoint on top of it.
"""

from collections import Counter
from datetime import date

import pytest
from django.db import transaction

from zoneops.demo import pipeline
from zoneops.demo.loader import load_demo_zone
from zoneops.demo.problems import AS_OF, PROBLEMS, load_problems
from zoneops.demo.results import DemoResult
from zoneops.projects.enums import BlockerTopic
from zoneops.projects.models import Problem, ProblemEvent
from zoneops.projects.selectors.problems import (
    department_problem_counts,
    overdue_problems,
    problems_open_as_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = load_demo_zone(password="demo-Pass-2020")
        load_problems(result=result)  # creates nothing once the demo loader calls it itself
        yield result
        transaction.set_rollback(True)


def test_a_dozen_problems_on_key_and_large_projects():
    problems = Problem.objects.select_related("project")

    assert problems.count() == len(PROBLEMS) == 12
    for problem in problems:
        spec = pipeline.BY_CODE[problem.project.code]
        assert spec.key_levels or spec.leader or spec.investment >= 10000, problem.project
        assert not problem.project.is_sample
    assert len({p.project_id for p in problems}) >= 9
    assert len({p.department_id for p in problems}) >= 5
    topics = Counter(problems.values_list("topic", flat=True))
    assert set(topics) == {
        BlockerTopic.LAND,
        BlockerTopic.APPROVALS,
        BlockerTopic.UTILITIES,
        BlockerTopic.LABOUR,
        BlockerTopic.FINANCE,
        BlockerTopic.LOGISTICS,
    }


def test_every_step_lies_in_2019_and_2020_up_to_the_demos_today():
    days = list(ProblemEvent.objects.values_list("on", flat=True))

    assert min(days) >= date(2019, 1, 1)
    assert max(days) <= AS_OF
    assert {d.year for d in days} == {2019, 2020}


def test_most_are_resolved_on_time_some_late_and_two_still_open_and_overdue():
    resolved = Problem.objects.filter(status=Problem.Status.RESOLVED)
    on_time = [p for p in resolved if p.resolved_on <= p.due_on]

    assert (resolved.count(), len(on_time)) == (10, 7)
    overdue = overdue_problems(as_of=AS_OF)
    assert {p.project.code for p in overdue} == {"DEMO-ZSHK-2", "DEMO-ZXWB"}
    assert problems_open_as_of(as_of=AS_OF).count() == 2  # nothing else is still open


def test_two_problems_were_escalated_to_their_projects_liaison_leader():
    escalated = Problem.objects.filter(escalated_to__isnull=False).select_related("project")

    assert escalated.count() == 2
    for problem in escalated:
        assert problem.escalated_to_id == problem.project.liaison_leader_id
        assert problem.events.filter(kind=ProblemEvent.Kind.ESCALATED).count() == 1


def test_a_reroute_and_a_reopening_are_on_record():
    kinds = Counter(ProblemEvent.objects.values_list("kind", flat=True))

    assert kinds[ProblemEvent.Kind.RAISED] == 12
    assert kinds[ProblemEvent.Kind.REROUTED] == 1
    assert kinds[ProblemEvent.Kind.REOPENED] == 1
    assert kinds[ProblemEvent.Kind.RESOLVED] == 11  # the reopened one was resolved twice


def test_as_of_the_end_of_2019_nothing_was_open():
    assert not problems_open_as_of(as_of=date(2019, 12, 31)).exists()
    assert [p.title for p in overdue_problems(as_of=date(2019, 3, 15))] == [
        "一期地块民房及养殖棚征收拆迁"
    ]


def test_the_department_counts_add_up():
    counts = department_problem_counts(today=AS_OF)

    assert sum(row.resolved for row in counts) == 10
    assert sum(row.overdue for row in counts) == 2
    assert {row.department for row in counts if row.overdue} == {
        "自然资源和规划局",
        "住房和城乡建设局",
    }


def test_loading_again_creates_nothing():
    again = DemoResult(password="x")

    load_problems(result=again)

    assert again.created["problems"] == 0
    assert Problem.objects.count() == 12
