import pytest

from zoneops.approvals.tests.factories import make_case, make_item
from zoneops.enterprises.tests.factories import make_enterprise, make_request, valid_credit_code
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.tests.factories import make_project
from zoneops.supervision.enums import TaskSource
from zoneops.supervision.services import task_assign

HUAWEI_CODE = valid_credit_code(12345678)


@pytest.fixture
def zone(org):
    """One record of each kind, the ones of 招商局 and of 行政审批局, and a user per reach."""
    huawei = make_enterprise(
        "沧州华为智能科技有限公司",
        former_names="沧州华威电子有限公司\n渤海新区智造中心",
        credit_code=HUAWEI_CODE,
    )
    other = make_enterprise("渤海精细化工股份公司")
    supervisor = make_user(RoleCode.LEADER, departments=[org["zone"]])
    people = {
        "zone_wide": make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]]),
        "investment": make_user(RoleCode.STAFF, departments=[org["investment"]]),
        "approvals": make_user(RoleCode.STAFF, departments=[org["approvals"]]),
        "huawei_user": make_user(RoleCode.ENTERPRISE, enterprise=huawei),
        "supervisor": supervisor,
    }
    project = make_project(
        "新能源汽车零部件产业园项目",
        code="XM2020-0815",
        investor_name="华为投资控股",
        responsible_department=org["investment"],
        investor_enterprise=huawei,
    )
    request = make_request(
        huawei, title="原材料运输车辆进园受限", accepted=True, department=org["investment"]
    )
    other_request = make_request(
        other, title="精细化工园区蒸汽管网改造", accepted=True, department=org["approvals"]
    )
    case = make_case(make_item(org["approvals"]))  # applicant 张三
    task = task_assign(
        source=TaskSource.INSTRUCTION,
        title="推进园区供电扩容",
        department=org["investment"],
        supervisor=supervisor,
        by=supervisor,
        limit_days=5,
    )
    return {
        "huawei": huawei,
        "other": other,
        "project": project,
        "request": request,
        "other_request": other_request,
        "case": case,
        "task": task,
        **people,
    }
