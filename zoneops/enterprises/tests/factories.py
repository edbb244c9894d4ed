"""Test data for the enterprise register: enterprises with valid credit codes, figures, liaison."""

from datetime import date
from decimal import Decimal
from itertools import count

from zoneops.enterprises.enums import LiaisonKind, LiaisonLevel
from zoneops.enterprises.models import Enterprise, LiaisonAssignment
from zoneops.enterprises.services import (
    FigureInput,
    enterprise_create,
    enterprise_figures_save,
    liaison_assign,
)
from zoneops.enterprises.validators import credit_code_compose

_sequence = count(1)


def valid_credit_code(number: int | None = None) -> str:
    return credit_code_compose(
        region="130971", organisation=f"{number or 10_000_000 + next(_sequence):08d}"
    )


def make_enterprise(name: str | None = None, *, by=None, **fields) -> Enterprise:
    fields.setdefault("credit_code", valid_credit_code())
    return enterprise_create(name=name or f"测试企业{next(_sequence)}", by=by, **fields)


def make_liaison(
    enterprise: Enterprise,
    *,
    kind: LiaisonKind = LiaisonKind.LEADER,
    level: LiaisonLevel = LiaisonLevel.DISTRICT,
    person=None,
    department=None,
    started_on: date = date(2019, 1, 1),
    by=None,
) -> LiaisonAssignment:
    return liaison_assign(
        enterprise=enterprise,
        kind=kind,
        level=level,
        person=person,
        department=department,
        started_on=started_on,
        by=by,
    )


def make_monthly_figures(
    enterprise: Enterprise, *, year: int, monthly_revenue: Decimal | int, months: int = 12, by=None
):
    """Months 1..`months` of a year with the same revenue each month, stored cumulatively."""
    rows = [
        FigureInput(
            enterprise.pk,
            year,
            month,
            {"revenue": Decimal(monthly_revenue) * month, "employees": 100 + month},
        )
        for month in range(1, months + 1)
    ]
    return enterprise_figures_save(rows=rows, by=by).records
