"""The whole API fuzzed from its OpenAPI schema (schemathesis), in process through the WSGI app.

Every operation is called with generated parameters and bodies — valid ones and invalid ones —
by an administrator, a staff member and an enterprise user, each with a real token, against a
small zone of real records (ids sent are steered onto them half of the time, so that reads and
writes reach records, not only 404). Writes run too, inside the test database. Each answer must
not be a server error, must have a status code and a content type the operation declares, and
must match the declared schema of that status.

How many examples per operation and role: `ZONEOPS_FUZZ_EXAMPLES` (default 3, for CI); the
nightly run takes a few hundred (`ZONEOPS_FUZZ_EXAMPLES=300`, see README). CI's examples are
derandomized (the same every run); set `ZONEOPS_FUZZ_SEED` to explore others.
"""

import os
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, seed
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from zoneops.api.api import api
from zoneops.api.services import api_token_create
from zoneops.approvals.tests.factories import make_case, make_item
from zoneops.common.inputs import MAX_ID
from zoneops.enterprises.tests.factories import make_enterprise, make_liaison, make_request
from zoneops.industry.tests.factories import make_chain, make_node
from zoneops.meetings.tests.factories import make_meeting, make_milestone, make_problem
from zoneops.orgs.enums import DepartmentKind, RoleCode
from zoneops.orgs.tests.factories import make_department, make_user
from zoneops.projects.tests.factories import make_project
from zoneops.supervision.enums import TaskSource
from zoneops.supervision.services import task_assign

pytestmark = pytest.mark.date_free  # CI runs it on today only

EXAMPLES = int(os.environ.get("ZONEOPS_FUZZ_EXAMPLES", "3"))
NIGHTLY = 100
# CI's run draws the same examples every time; the nightly one new ones (or those of a seed).
SEED = os.environ.get("ZONEOPS_FUZZ_SEED")
DERANDOMIZE = SEED is None and EXAMPLES < NIGHTLY
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
schema.app = get_wsgi_application()
schema.config.generation.update(max_examples=EXAMPLES)
# Schemathesis's coverage phase (every boundary of every field, some dozens of requests per
# operation whatever the count) belongs to the nightly run, not to every CI run.
schema.config.phases.coverage.enabled = EXAMPLES >= NIGHTLY

# The ids of the records made below; an id sent is one of them half of the time.
REAL_IDS: list[int] = []


def _steered(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or not REAL_IDS:
        return value
    if value < 1 or value > MAX_ID or value % 2:
        return value  # left as generated: a missing or impossible id
    return REAL_IDS[(value // 2) % len(REAL_IDS)]


def _steer(values: Any) -> Any:
    if isinstance(values, dict):
        return {
            key: (
                [_steered(item) for item in value]
                if key.endswith("_ids") and isinstance(value, list)
                else _steered(value)
                if key.endswith("_id")
                else _steer(value)
            )
            for key, value in values.items()
        }
    return values


@schema.hook
def map_path_parameters(context, path_parameters):
    return _steer(path_parameters)


@schema.hook
def map_query(context, query):
    return _steer(query)


@schema.hook
def map_body(context, body):
    return _steer(body)


def _zone() -> dict[str, Any]:
    """A small zone: departments, the three kinds of account, and a record of each kind."""
    city = make_department("沧州市", kind=DepartmentKind.CITY)
    zone = make_department("管委会", parent=city, kind=DepartmentKind.ZONE)
    investment = make_department("招商局", parent=zone)
    approvals = make_department("行政审批局", parent=zone)
    enterprise = make_enterprise("沧州测试制造有限公司")
    admin = make_user(RoleCode.ADMINISTRATOR, departments=[zone])
    staff = make_user(RoleCode.STAFF, departments=[investment])
    leader = make_user(RoleCode.LEADER, departments=[zone], in_charge_of=[investment])
    company = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    project = make_project("新能源汽车零部件项目", investor_enterprise=enterprise)
    make_liaison(enterprise, person=leader)
    make_request(enterprise, accepted=True, department=investment)
    make_problem(
        project, department=investment, routed_on=date(2026, 3, 2), due_on=date(2026, 3, 9)
    )
    make_milestone(project, planned_on=date(2026, 6, 30))
    make_meeting()
    make_case(make_item(approvals), enterprise=enterprise, project=project)
    make_node(make_chain(department=investment), "电池")
    task_assign(
        source=TaskSource.INSTRUCTION,
        title="推进园区供电扩容",
        department=investment,
        supervisor=leader,
        by=leader,
        limit_days=5,
    )
    # Systems hold tokens; an enterprise user has none and comes with the browser's session.
    headers = {
        name: {"Authorization": f"Bearer {api_token_create(user=user, name='fuzz', by=admin)[1]}"}
        for name, user in {"admin": admin, "staff": staff}.items()
    }
    browser = Client()
    browser.force_login(company)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = get_random_string(CSRF_SECRET_LENGTH)
    headers["enterprise"] = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
    }
    return headers


@pytest.fixture(scope="module")
def zone(django_db_setup, django_db_blocker):
    """Made once for the module inside a transaction rolled back at its end; each test's own
    writes roll back to a savepoint after it (pytest-django's `db`)."""
    # As Django's test client does: a request's end must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock(), transaction.atomic():
        made = _zone()
        from django.apps import apps

        REAL_IDS[:] = sorted(
            {
                pk
                for model in apps.get_models()
                if model.__module__.startswith("zoneops.")
                for pk in model._base_manager.values_list("pk", flat=True)[:50]
                if isinstance(pk, int)
            }
        )
        yield made
        REAL_IDS.clear()
        transaction.set_rollback(True)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["admin", "staff", "enterprise"])
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=list(HealthCheck),
)
@(seed(int(SEED)) if SEED else lambda test: test)
def test_api_answers_as_its_schema_says(case, role, zone, db):
    case.call_and_validate(headers=zone[role], checks=CHECKS)
