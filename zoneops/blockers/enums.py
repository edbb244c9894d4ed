from django.db import models
from django.utils.translation import gettext_lazy as _


class BlockerStatus(models.TextChoices):
    OPEN = "open", _("协调中")
    RESOLVED = "resolved", _("已解决")
