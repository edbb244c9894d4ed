"""REST API of the projects app: one router; each area adds its routes in its own module."""

from zoneops.projects.api import pipeline, placement, problems, scheduling  # noqa: F401
from zoneops.projects.api.router import router

__all__ = ["router"]
