"""REST API of the projects app: one router; each area adds its routes in its own module."""

from zoneops.projects.api import pipeline, problems, scheduling  # noqa: F401  registers routes
from zoneops.projects.api.router import router

__all__ = ["router"]
