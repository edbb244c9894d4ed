"""Writes of the enterprises app, one module per area: the register and liaison, requests and
systemic blockers, one-enterprise-one-policy plans."""

from zoneops.enterprises.services.register import (
    ENTERPRISE_FIELDS,
    EnterpriseRow,
    FigureInput,
    FiguresSaved,
    enterprise_create,
    enterprise_figure_save,
    enterprise_figures_save,
    enterprise_keeping_problem,
    enterprise_normalise,
    enterprise_save,
    enterprise_update,
    enterprises_import,
    enterprises_import_problems,
    figure_problems,
    liaison_assign,
    liaison_check_arrangement,
    liaison_end,
    liaison_save,
)

__all__ = [
    "ENTERPRISE_FIELDS",
    "EnterpriseRow",
    "FigureInput",
    "FiguresSaved",
    "enterprise_create",
    "enterprise_figure_save",
    "enterprise_figures_save",
    "enterprise_keeping_problem",
    "enterprise_normalise",
    "enterprise_save",
    "enterprise_update",
    "enterprises_import",
    "enterprises_import_problems",
    "figure_problems",
    "liaison_assign",
    "liaison_check_arrangement",
    "liaison_end",
    "liaison_save",
]
