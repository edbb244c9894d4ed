"""The zone's own list of industries and its industry chains (chain → segment → node)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.common.models import BusinessModel
from zoneops.common.scope import ScopedQuerySet
from zoneops.industry.enums import Segment, StrategicEmergingCategory
from zoneops.industry.gb4754 import GbSection, gb_codes_problem, split_gb_codes


class IndustryCategoryQuerySet(ScopedQuerySet):
    def strategic_emerging(self) -> "IndustryCategoryQuerySet":
        """The categories of 战略性新兴产业 (those with a category of the 2018 list)."""
        return self.exclude(sei_category="")


class IndustryCategory(BusinessModel):
    name = models.CharField(_("产业名称"), max_length=50, unique=True)
    code = models.SlugField(_("产业编码"), max_length=30, unique=True)
    gb_section = models.CharField(
        _("国民经济行业门类"),
        max_length=1,
        choices=GbSection.choices,
        blank=True,
        help_text=_("GB/T 4754-2017 门类，如 C 制造业；跨门类的产业留空。"),
    )
    gb_codes = models.CharField(
        _("国民经济行业代码"),
        max_length=300,
        blank=True,
        help_text=_("GB/T 4754-2017 的大类、中类或小类代码，逗号分隔，如 C36,C3670。"),
    )
    sei_category = models.CharField(
        _("战略性新兴产业分类"),
        max_length=2,
        choices=StrategicEmergingCategory.choices,
        blank=True,
        help_text=_("《战略性新兴产业分类（2018）》的一级分类；不属于则留空。"),
    )
    is_lead = models.BooleanField(_("主攻方向"), default=False, help_text=_("如 汽车、新材料"))
    order = models.PositiveIntegerField(_("排序"), default=0)

    # A dictionary every colleague reads and administrators keep (granted like 系统管理).
    scope_public = True
    scope_write_owner_fields = ()
    system_setting = True

    objects = IndustryCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("产业分类")
        verbose_name_plural = _("产业分类")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_strategic_emerging(self) -> bool:
        """战略性新兴产业: one fact, read from the 2018 category it is mapped to."""
        return bool(self.sei_category)

    @property
    def gb_code_list(self) -> list[str]:
        return split_gb_codes(self.gb_codes)

    def clean(self) -> None:
        super().clean()
        # Stored as typed once normalised: "c36， C3670" → "C36,C3670".
        self.gb_codes = ",".join(split_gb_codes(self.gb_codes))
        problem = gb_codes_problem(self.gb_codes, section=self.gb_section)
        if problem:
            raise ValidationError({"gb_codes": problem})


class IndustryChain(BusinessModel):
    """An industry chain the zone builds (汽车产业链, 新材料产业链), kept by one department."""

    name = models.CharField(_("产业链名称"), max_length=50, unique=True)
    industry = models.ForeignKey(
        IndustryCategory,
        verbose_name=_("所属产业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chains",
    )
    description = models.TextField(_("简介"), blank=True)
    managing_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="industry_chains",
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    # Every colleague reads the chains; the leading department (and the zone-wide) change them.
    scope_public = True
    scope_write_department_fields = ("managing_department",)
    scope_write_owner_fields = ()

    class Meta:
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class ChainNode(BusinessModel):
    """A link (环节) of a chain, in a segment, under a parent node or at the top of its segment.
    Enterprises and projects are put on nodes (their apps hold that mapping)."""

    chain = models.ForeignKey(
        IndustryChain, verbose_name=_("产业链"), on_delete=models.CASCADE, related_name="nodes"
    )
    segment = models.CharField(_("环节位置"), max_length=10, choices=Segment.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级环节"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("环节名称"), max_length=50)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    scope_public = True
    scope_write_parent = "chain"

    class Meta:
        verbose_name = _("产业链环节")
        verbose_name_plural = _("产业链环节")
        ordering = ["chain", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "name"], name="industry_node_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.chain} · {self.name}"

    @property
    def path_label(self) -> str:
        """How a register names the node: 链名/环节名 (the chain is read, no query when the
        chain is loaded with it)."""
        return node_path_label(self.chain.name, self.name)


def node_path_label(chain_name: str, node_name: str) -> str:
    return f"{chain_name}/{node_name}"
