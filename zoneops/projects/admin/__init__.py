"""Back office of the projects app, one module per area."""

from zoneops.projects.admin import pipeline, placement, problems, scheduling  # noqa: F401
