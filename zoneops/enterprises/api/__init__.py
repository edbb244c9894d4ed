"""REST API of the enterprises app: one router; each area adds its routes in its own module."""

from zoneops.enterprises.api import plans, register, requests  # noqa: F401  routes
from zoneops.enterprises.api.router import router

__all__ = ["router"]
