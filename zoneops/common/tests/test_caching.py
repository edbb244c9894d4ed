"""Cached figures (zoneops.common.caching): a write shows at once, one scope's figures never reach
another, a hit costs no query, and the bulk writers invalidate too."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from zoneops.common.caching import (
    area_changed,
    area_generations,
    cached_figure,
    models_changed,
    scope_key,
)
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in
from zoneops.projects.enums import Stage
from zoneops.projects.models import Project
from zoneops.projects.selectors.pipeline import pipeline_summary
from zoneops.projects.tests.factories import make_project

TODAY = date(2020, 7, 10)


@pytest.fixture(autouse=True)
def _frozen():
    moment = datetime.combine(TODAY, time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


def _projects(department, count, start=0):
    for number in range(start, start + count):
        make_project(
            f"项目{number}",
            investment=10000,
            moves=[(Stage.LEAD, date(2020, 2, 3)), (Stage.STARTED, date(2020, 5, 6))],
            responsible_department=department,
        )


def _count(user):
    return pipeline_summary(year=2020, as_of=TODAY, user=user).total.count


def test_a_new_project_shows_in_the_summary_at_once(org):
    director = make_user(RoleCode.PRINCIPAL, departments=[org["zone"]])
    _projects(org["investment"], 2)
    assert _count(director) == 2

    _projects(org["investment"], 1, start=2)

    assert _count(director) == 3


def test_a_cached_summary_costs_no_query(org, django_assert_num_queries):
    director = make_user(RoleCode.PRINCIPAL, departments=[org["zone"]])
    _projects(org["investment"], 2)
    _count(director)

    with django_assert_num_queries(0):
        assert _count(director) == 2


def test_two_scopes_never_share_a_figure(org):
    _projects(org["investment"], 2)
    _projects(org["approvals"], 3, start=2)
    director = make_user(RoleCode.PRINCIPAL, departments=[org["zone"]])
    investment = make_user(RoleCode.STAFF, departments=[org["investment"]])
    approvals = make_user(RoleCode.STAFF, departments=[org["approvals"]])

    # Asked in both orders: whoever asks first, each sees his own.
    assert [_count(investment), _count(approvals), _count(director)] == [2, 3, 5]
    assert [_count(director), _count(approvals), _count(investment)] == [5, 3, 2]
    assert len({scope_key(investment), scope_key(approvals), scope_key(director)}) == 3


def test_zone_wide_viewers_share_one_entry_and_others_each_their_own(org):
    director = make_user(RoleCode.PRINCIPAL, departments=[org["zone"]])
    inspector = make_user(RoleCode.INSPECTOR, departments=[org["zone"]])
    one = make_user(RoleCode.STAFF, departments=[org["investment"]])
    other = make_user(RoleCode.STAFF, departments=[org["investment"]])

    assert scope_key(director) == scope_key(inspector) == "all"
    # The same department, but each may liaise with his own projects and enterprises.
    assert scope_key(one) != scope_key(other)


def test_the_cockpit_shows_a_new_project_at_once_and_only_to_its_scope(org):
    _projects(org["investment"], 2)
    director = signed_in(make_user(RoleCode.PRINCIPAL, departments=[org["zone"]]))
    staff = signed_in(make_user(RoleCode.STAFF, departments=[org["approvals"]]))
    panel = reverse("cockpit:panel", args=["pipeline"])
    assert ">2<" in director.get(panel).content.decode().replace(" ", "")
    assert ">0<" in staff.get(panel).content.decode().replace(" ", "")

    _projects(org["approvals"], 1, start=2)

    assert ">3<" in director.get(panel).content.decode().replace(" ", "")
    assert ">1<" in staff.get(panel).content.decode().replace(" ", "")


def test_a_write_replaces_the_areas_generation_again_when_it_commits(
    db, django_capture_on_commit_callbacks
):
    before = area_generations(["projects"])["projects"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        area_changed("projects")
    during = area_generations(["projects"])["projects"]
    for callback in callbacks:
        callback()

    after = area_generations(["projects"])["projects"]
    assert len({before, during, after}) == 3


def test_a_bulk_write_replaces_the_generation(org):
    before = area_generations(["projects"])
    models_changed([Project])

    assert area_generations(["projects"]) != before


def test_a_lost_generation_makes_every_figure_anew(db):
    computed = []

    def figure():
        computed.append(1)
        return len(computed)

    def read():
        return cached_figure(name="test", areas=["projects"], user=None, parts={}, compute=figure)

    assert [read(), read()] == [1, 1]
    cache.delete("zoneops:generation:projects")  # evicted, or the cache restarted

    assert read() == 2


def test_the_figures_cache_can_be_turned_off(db, settings):
    settings.ZONEOPS_CACHE_SECONDS = 0
    computed = []

    def figure():
        computed.append(1)
        return len(computed)

    values = [
        cached_figure(name="test", areas=[], user=None, parts={}, compute=figure) for _ in "ab"
    ]

    assert values == [1, 2]


def test_an_argument_with_no_stable_key_is_refused(db):
    with pytest.raises(TypeError):
        cached_figure(name="test", areas=[], user=None, parts={"x": object()}, compute=int)


def test_a_transaction_of_many_writes_replaces_each_generation_once_at_commit(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _write in range(50):
            area_changed("projects")
        area_changed("enterprises")
    committed = area_generations(["projects", "enterprises"])

    assert len(callbacks) == 1
    area_changed("projects")  # the next transaction has a commit hook of its own
    assert area_generations(["projects"])["projects"] != committed["projects"]
