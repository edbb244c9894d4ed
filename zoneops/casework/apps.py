from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    """The clocked-record kernel: abstract models and helpers only, no table and no page of
    its own (see zoneops.casework)."""

    name = "zoneops.casework"
    label = "casework"
    verbose_name = _("办件计时")
