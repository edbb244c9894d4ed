"""Models of the enterprises app, one module per area: the register with its figures and
liaison, enterprise requests (诉求), and one-enterprise-one-policy plans."""

from zoneops.enterprises.models.plans import EnterprisePlan, PlanMeasure
from zoneops.enterprises.models.register import (
    Enterprise,
    EnterpriseFigure,
    EnterpriseFigureQuerySet,
    LiaisonAssignment,
    LiaisonQuerySet,
    period_label,
)
from zoneops.enterprises.models.requests import (
    EnterpriseRequest,
    RequestEvent,
    RequestExtension,
    RequestKindLimit,
)

__all__ = [
    "Enterprise",
    "EnterpriseFigure",
    "EnterpriseFigureQuerySet",
    "EnterprisePlan",
    "EnterpriseRequest",
    "LiaisonAssignment",
    "LiaisonQuerySet",
    "PlanMeasure",
    "RequestEvent",
    "RequestExtension",
    "RequestKindLimit",
    "period_label",
]
