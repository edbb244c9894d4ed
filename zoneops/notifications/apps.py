from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Reminders and notifications (see zoneops.notifications): on the kernel floor, beside
    casework; it reads the apps' work sources and names none of them."""

    name = "zoneops.notifications"
    label = "notifications"
    verbose_name = _("提醒与通知")
    nav_group = "system"
    nav_icons = {
        "notification": "notifications",
        "robotchannel": "smart_toy",
        "delivery": "outgoing_mail",
    }
    # Robots' webhook addresses and secrets, and every person's notices: administrators only.
    # (Everyone reads his own notices on his own page, which needs no model permission.)
    admin_only = True
