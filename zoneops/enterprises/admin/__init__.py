"""Back office of the enterprises app, one module per area."""

from zoneops.enterprises.admin import register  # noqa: F401
