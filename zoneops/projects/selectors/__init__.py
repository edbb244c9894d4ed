"""Reads of the projects app, one module per area (pipeline, scheduling, problems)."""

from zoneops.projects.selectors.pipeline import (
    DIMENSIONS,
    BoardColumn,
    BoardFilters,
    Cell,
    FunnelStep,
    PipelineSummary,
    StageDuration,
    SummaryRow,
    pipeline_board,
    pipeline_funnel,
    pipeline_summary,
    projects_counted,
    projects_filtered,
    projects_with_stage_as_of,
    report_category_expression,
    stage_durations,
)

__all__ = [
    "DIMENSIONS",
    "BoardColumn",
    "BoardFilters",
    "Cell",
    "FunnelStep",
    "PipelineSummary",
    "StageDuration",
    "SummaryRow",
    "pipeline_board",
    "pipeline_funnel",
    "pipeline_summary",
    "projects_counted",
    "projects_filtered",
    "projects_with_stage_as_of",
    "report_category_expression",
    "stage_durations",
]
