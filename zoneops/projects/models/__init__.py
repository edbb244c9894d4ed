"""Models of the projects app, one module per area: the pipeline, key-project scheduling,
problems. Importing them here keeps `zoneops.projects.models.X` the one place to look."""

from zoneops.projects.models.pipeline import KeyDesignation, Project, ProjectQuerySet, StageMove
from zoneops.projects.models.placement import ProjectPlacement
from zoneops.projects.models.problems import Problem, ProblemEvent
from zoneops.projects.models.scheduling import (
    AnnualPlan,
    CommandHQ,
    Milestone,
    ProgressPhoto,
    ProgressReport,
)

__all__ = [
    "AnnualPlan",
    "CommandHQ",
    "KeyDesignation",
    "Milestone",
    "Problem",
    "ProblemEvent",
    "ProgressPhoto",
    "ProgressReport",
    "Project",
    "ProjectPlacement",
    "ProjectQuerySet",
    "StageMove",
]
