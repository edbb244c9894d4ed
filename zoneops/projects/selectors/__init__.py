"""Reads of the projects app, one module per area (pipeline, scheduling, problems)."""

from zoneops.projects.selectors.pipeline import (
    DIMENSIONS,
    Cell,
    FunnelStep,
    PipelineSummary,
    StageDuration,
    SummaryRow,
    pipeline_funnel,
    pipeline_summary,
    projects_counted,
    projects_with_stage_as_of,
    report_category_expression,
    stage_durations,
)

__all__ = [
    "DIMENSIONS",
    "Cell",
    "FunnelStep",
    "PipelineSummary",
    "StageDuration",
    "SummaryRow",
    "pipeline_funnel",
    "pipeline_summary",
    "projects_counted",
    "projects_with_stage_as_of",
    "report_category_expression",
    "stage_durations",
]
