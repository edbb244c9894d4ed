from datetime import date
from itertools import count
from typing import Any

from zoneops.approvals.enums import ItemKind
from zoneops.approvals.models import Case, ServiceItem
from zoneops.approvals.services import Applicant, case_receive, service_item_save

_codes = count(1)
# A valid resident identity number (check character 0 by GB 11643).
ID_NUMBER = "130902199001011230"


def make_item(department: Any, **values: Any) -> ServiceItem:
    fields: dict[str, Any] = {
        "code": f"SX{next(_codes):04d}",
        "name": "建设工程规划许可证核发",
        "department": department,
        "kind": ItemKind.LICENCE,
        "statutory_days": 20,
        "promised_days": 10,
        "listed_on": date(2018, 1, 1),
    }
    fields.update(values)
    return service_item_save(values=fields, by=None)


def make_case(
    item: ServiceItem,
    *,
    enterprise: Any = None,
    received_on: date = date(2019, 9, 2),
    project: Any = None,
    handler: Any = None,
    by: Any = None,
) -> Case:
    applicant = (
        Applicant(enterprise=enterprise)
        if enterprise
        else Applicant(name="张三", id_number=ID_NUMBER)
    )
    return case_receive(
        item=item,
        applicant=applicant,
        project=project,
        handler=handler,
        received_on=received_on,
        by=by,
    )
