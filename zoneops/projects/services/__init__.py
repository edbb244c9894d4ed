"""Writes of the projects app, one module per area (pipeline, scheduling, problems)."""

from zoneops.projects.services.pipeline import (
    STAGE_DATE_FIELDS,
    project_code_numbered,
    project_create,
    project_move_stage,
    project_next_code,
    project_set_key_levels,
)

__all__ = [
    "STAGE_DATE_FIELDS",
    "project_code_numbered",
    "project_create",
    "project_move_stage",
    "project_next_code",
    "project_set_key_levels",
]
