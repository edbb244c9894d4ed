"""Where a project was placed (落地选址), against the rule's suggestion at the time."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.parks.placement import PlacementKind


class ProjectPlacement(models.Model):
    """One placement of a project (a park or its own site), written by `project_place` with
    the rule's suggestion of the day; a departure from it says why. The latest is the
    project's current placement; the earlier ones are its history."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="placements",
    )
    suggested_kind = models.CharField(_("规则建议"), max_length=16, choices=PlacementKind.choices)
    suggestion = models.CharField(_("建议依据"), max_length=300, blank=True)
    park = models.ForeignKey(
        "parks.Park",
        verbose_name=_("落地园区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
    )
    own_site = models.BooleanField(_("独立选址"), default=False)
    followed = models.BooleanField(_("符合建议"), default=True)
    reason = models.TextField(_("偏离原因"), blank=True)
    placed_on = models.DateField(_("选址日期"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("落地选址记录")
        verbose_name_plural = _("落地选址记录")
        ordering = ["-placed_on", "-id"]
        indexes = [
            models.Index(fields=["project", "placed_on", "id"], name="projects_placement_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(own_site=True, park__isnull=False),
                name="projects_placement_park_or_own_site",
            ),
        ]

    def __str__(self) -> str:
        where = self.park if self.park_id else _("独立选址")
        return f"{self.project} → {where}"
