"""The day's carry-overs (日清日结: 顺延). An item due today that is not finished by the day's end
is carried over with a reason, or shows as not cleared (未清). The item itself belongs to its app;
a carry-over names it by its source's key and its id, and never changes it: a clocked record's
deadline moves only by its own extension step."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.common.models import BusinessModel

REASON_MAX_LENGTH = 500


class CarryOver(BusinessModel):
    """An item due on `day` carried over (顺延) by the person who answers for it, with why, and
    the day by which he now means to finish it (his word, not the record's deadline)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("顺延人"),
        on_delete=models.PROTECT,
        related_name="carry_overs",
        editable=False,
    )
    day = models.DateField(_("到期日期"), editable=False)
    source = models.CharField(_("事项类别"), max_length=30, editable=False)
    record_pk = models.PositiveBigIntegerField(_("事项编号"), editable=False)
    title = models.CharField(_("事项"), max_length=300, editable=False)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    reason = models.TextField(_("顺延理由"), max_length=REASON_MAX_LENGTH)
    new_date = models.DateField(_("预计完成日期"), null=True, blank=True)

    scope_department_fields = ("department",)
    scope_owner_fields = ("user", "created_by")
    # Written once by its service; nobody edits it afterwards.
    scope_write_owner_fields = ("user",)

    class Meta:
        verbose_name = _("顺延记录")
        verbose_name_plural = _("顺延记录")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "source", "record_pk"], name="workbench_carryover_once_a_day"
            ),
        ]
        indexes = [models.Index(fields=["source", "record_pk"], name="workbench_carryover_item")]

    def __str__(self) -> str:
        return f"{self.title}（{self.day}）"
