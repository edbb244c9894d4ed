"""Systemic blockers (共性堵点): one blocker behind several enterprises' requests and projects'
problems (and later approval cases and supervision tasks), handled as one issue by its owner.

A member points at its blocker (`blocker` on the member's model); how members are resolved with
the blocker each member app declares (zoneops.blockers.members).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.blockers.enums import BlockerStatus
from zoneops.common.models import BusinessModel
from zoneops.common.scope import ScopedQuerySet
from zoneops.orgs.people import STAFF_ONLY, STAFF_ONLY_MESSAGES
from zoneops.projects.enums import BlockerKind, BlockerTopic


class SystemicBlockerQuerySet(ScopedQuerySet):
    def open(self) -> "SystemicBlockerQuerySet":
        return self.filter(status=SystemicBlocker.Status.OPEN)


class SystemicBlocker(BusinessModel):
    """One blocker behind several requests and project problems, fixed once by its owner."""

    Status = BlockerStatus

    title = models.CharField(_("共性问题"), max_length=200)
    description = models.TextField(_("问题描述"), blank=True)
    category = models.CharField(_("类别"), max_length=20, choices=BlockerKind.choices)
    topic = models.CharField(_("领域"), max_length=20, choices=BlockerTopic.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("牵头人"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        related_name="owned_blockers",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        related_name="systemic_blockers",
    )
    opened_on = models.DateField(_("立项日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.OPEN, editable=False
    )
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True, editable=False)
    resolution = models.TextField(_("解决措施"), blank=True, editable=False)

    objects = SystemicBlockerQuerySet.as_manager()

    scope_department_fields = ("department",)
    scope_owner_fields = ("created_by", "owner")

    class Meta:
        verbose_name = _("共性堵点")
        verbose_name_plural = _("共性堵点")
        ordering = ["-opened_on", "-id"]
        # The table it had in the enterprises app, where it was born: its rows stay where they are.
        db_table = "enterprises_systemicblocker"

    def __str__(self) -> str:
        return self.title
