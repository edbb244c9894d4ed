from django.db import models
from django.utils.translation import gettext_lazy as _


class LiaisonKind(models.TextChoices):
    """Who stands for the committee towards an enterprise (包联)."""

    LEADER = "leader", _("领导包联")
    DEPARTMENT = "department", _("部门包联")
    INSPECTOR = "inspector", _("纪检包联")


class LiaisonLevel(models.TextChoices):
    """Whose list put the enterprise under liaison: the province's and city's, or the zone's."""

    PROVINCE_CITY = "province_city", _("省市确定")
    DISTRICT = "district", _("区级")


class Metric(models.TextChoices):
    """The periodic figures of an enterprise; `FLOW` ones add up over months, `STOCK` ones
    (employees) are the value at the end of the period."""

    REVENUE = "revenue", _("营业收入")
    OUTPUT_VALUE = "output_value", _("工业总产值")
    TAX = "tax", _("税收")
    EMPLOYEES = "employees", _("从业人员")
    RND_SPENDING = "rnd_spending", _("研发费用")
    EXPORTS = "exports", _("出口交货值")


FLOW_METRICS: tuple[str, ...] = (
    Metric.REVENUE,
    Metric.OUTPUT_VALUE,
    Metric.TAX,
    Metric.RND_SPENDING,
    Metric.EXPORTS,
)
STOCK_METRICS: tuple[str, ...] = (Metric.EMPLOYEES,)
METRICS: tuple[str, ...] = tuple(Metric.values)
