"""The placement rule (落地选址): 重大项目独立选址、中小项目进产业园、小微科技项目进孵化器.

It takes plain values (investment, land, industry, a tech flag) and knows nothing of the
projects app above it: projects calls it for a project's page, its placement service, the
yearly table and the demo. The thresholds are settings (zoneops/config/settings.py):

- a project is major (重大项目) and takes its own site when its total investment reaches
  ZONEOPS_MAJOR_PROJECT_THRESHOLD 万元 or its land reaches ZONEOPS_MAJOR_PROJECT_LAND_MU 亩;
  a project of an industry in ZONEOPS_OWN_SITE_INDUSTRIES (e.g. a 商业综合体) takes its own
  site whatever its size: it is not an industrial project for a park;
- a project is small tech (小微科技) when its investment is below
  ZONEOPS_SMALL_PROJECT_THRESHOLD 万元 and it is marked as a tech project or its industry is
  one of ZONEOPS_TECH_INDUSTRIES (industry codes): it goes into an incubator, accelerator or
  centre;
- every other project goes into an industrial park (产业园).

The carriers that fit are the parks of the right kind whose fitting industries include the
project's industry (or that have none set: open to every industry), which have room on the
day (free area from `parks_occupancy`), best first: an explicit industry fit before an open
park, known free space before unknown, then the larger free area. A project's land need
against a park's free land is not known, so free floor area ranks them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from zoneops.common.amounts import WAN_PER_YI, AmountWords
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Park
from zoneops.parks.selectors import Occupancy, parks_occupancy


class PlacementKind(models.TextChoices):
    OWN_SITE = "own_site", gettext_lazy("独立选址")
    PARK = "park", gettext_lazy("进产业园")
    INCUBATOR = "incubator", gettext_lazy("进孵化器")


# The carriers of each kind of placement; a 研究院 or 测试区 is not a carrier of projects.
KIND_CARRIERS: dict[str, tuple[str, ...]] = {
    PlacementKind.PARK: (CarrierKind.PARK,),
    PlacementKind.INCUBATOR: (CarrierKind.INCUBATOR, CarrierKind.ACCELERATOR, CarrierKind.CENTRE),
}


def placement_kind_of(*, park_kind: str | None, own_site: bool) -> PlacementKind | None:
    """The kind of an actual placement: own site, a park's kind, or None (not placed, or
    placed in a carrier that takes no projects by the rule, such as a 研究院)."""
    if own_site:
        return PlacementKind.OWN_SITE
    for kind, carriers in KIND_CARRIERS.items():
        if park_kind in carriers:
            return PlacementKind(kind)
    return None


@dataclass(frozen=True)
class PlacementThresholds:
    major_wan: Decimal
    small_wan: Decimal
    major_land_mu: Decimal
    tech_industries: frozenset[str]
    own_site_industries: frozenset[str]


def placement_thresholds() -> PlacementThresholds:
    """The thresholds as the settings hold them now (read each time: tests change them)."""
    return PlacementThresholds(
        major_wan=Decimal(settings.ZONEOPS_MAJOR_PROJECT_THRESHOLD),
        small_wan=Decimal(settings.ZONEOPS_SMALL_PROJECT_THRESHOLD),
        major_land_mu=Decimal(settings.ZONEOPS_MAJOR_PROJECT_LAND_MU),
        tech_industries=frozenset(settings.ZONEOPS_TECH_INDUSTRIES),
        own_site_industries=frozenset(settings.ZONEOPS_OWN_SITE_INDUSTRIES),
    )


def _mu(value: Decimal) -> str:
    return f"{value.normalize():f}"


def placement_kind(
    *,
    investment: Decimal | int | None,
    land_mu: Decimal | int | None,
    industry_code: str | None,
    is_tech: bool,
    thresholds: PlacementThresholds | None = None,
) -> tuple[PlacementKind, str]:
    """The kind of placement the rule gives, with the reason in words. No database access."""
    return PlacementRule(thresholds)(
        investment=investment, land_mu=land_mu, industry_code=industry_code, is_tech=is_tech
    )


DECIDED_KEPT = 10_000  # distinct sets of values a PlacementRule remembers


class PlacementRule:
    """The rule (`placement_kind`) for many projects at once — an import's rows: the thresholds
    read and the sentences translated once, each distinct set of values decided once."""

    def __init__(self, thresholds: PlacementThresholds | None = None) -> None:
        self.thresholds = thresholds or placement_thresholds()
        self._amounts = AmountWords()
        self._decided: dict[tuple[Any, ...], tuple[PlacementKind, Callable[[], str]]] = {}
        self._words: dict[str, str] = {}

    def _amount(self, value: Decimal) -> str:
        """An amount the Chinese way: 亿元 from one 亿 up, else 万元."""
        return self._amounts.yi(value) if value >= WAN_PER_YI else self._amounts.wan(value)

    @cached_property
    def _small_text(self) -> str:  # the thresholds in words: once, not in every row's reason
        return self._amount(self.thresholds.small_wan)

    @cached_property
    def _major_text(self) -> str:
        return self._amount(self.thresholds.major_wan)

    def _word(self, text: str) -> str:
        if text not in self._words:
            self._words[text] = _(text)
        return self._words[text]

    def __call__(
        self,
        *,
        investment: Decimal | int | None,
        land_mu: Decimal | int | None,
        industry_code: str | None,
        is_tech: bool,
    ) -> tuple[PlacementKind, str]:
        kind, words = self.decide(
            investment=investment, land_mu=land_mu, industry_code=industry_code, is_tech=is_tech
        )
        return kind, words()

    def decide(
        self,
        *,
        investment: Decimal | int | None,
        land_mu: Decimal | int | None,
        industry_code: str | None,
        is_tech: bool,
    ) -> tuple[PlacementKind, Callable[[], str]]:
        """The kind, and the reason in words when asked: a preview needs only the kind, and
        putting an amount in words costs more than deciding."""
        key = (investment, land_mu, industry_code, bool(is_tech))
        decided = self._decided.get(key)
        if decided is None:
            decided = self._decide(investment, land_mu, industry_code, is_tech)
            # Remembered up to a bound: amounts rarely repeat in a large file, and every row's
            # decision kept would grow an import's memory with its rows.
            if len(self._decided) < DECIDED_KEPT:
                self._decided[key] = decided
        return decided

    def _decide(
        self,
        investment: Decimal | int | None,
        land_mu: Decimal | int | None,
        industry_code: str | None,
        is_tech: bool,
    ) -> tuple[PlacementKind, Callable[[], str]]:
        t, word, amount_text = self.thresholds, self._word, self._amount
        amount = Decimal(investment or 0)
        land = Decimal(land_mu) if land_mu is not None else None
        if amount >= t.major_wan:
            return (
                PlacementKind.OWN_SITE,
                lambda: (
                    word(
                        gettext_noop(
                            "总投资%(amount)s达到重大项目标准（%(major)s及以上），独立选址。"
                        )
                    )
                    % {"amount": amount_text(amount), "major": self._major_text}
                ),
            )
        if land is not None and land >= t.major_land_mu:
            return (
                PlacementKind.OWN_SITE,
                lambda: (
                    word(
                        gettext_noop(
                            "用地%(land)s亩达到重大项目标准（%(major)s亩及以上），独立选址。"
                        )
                    )
                    % {"land": _mu(land), "major": _mu(t.major_land_mu)}
                ),
            )
        if industry_code and industry_code in t.own_site_industries:
            return PlacementKind.OWN_SITE, lambda: word(
                gettext_noop("该产业的项目（如商业综合体）不进产业园，独立选址。")
            )
        tech_industry = bool(industry_code) and industry_code in t.tech_industries
        if amount < t.small_wan and (is_tech or tech_industry):
            why = (
                word(gettext_noop("科技型项目")) if is_tech else word(gettext_noop("属科技类产业"))
            )
            return (
                PlacementKind.INCUBATOR,
                lambda: (
                    word(
                        gettext_noop(
                            "总投资%(amount)s低于%(small)s且%(why)s，属小微科技项目，进孵化器。"
                        )
                    )
                    % {"amount": amount_text(amount), "small": self._small_text, "why": why}
                ),
            )
        if amount < t.small_wan:
            return (
                PlacementKind.PARK,
                lambda: (
                    word(
                        gettext_noop(
                            "总投资%(amount)s低于%(small)s但不属科技项目，按中小项目进产业园。"
                        )
                    )
                    % {"amount": amount_text(amount), "small": self._small_text}
                ),
            )
        return (
            PlacementKind.PARK,
            lambda: (
                word(
                    gettext_noop(
                        "总投资%(amount)s在%(small)s至%(major)s之间，属中小项目，进产业园。"
                    )
                )
                % {
                    "amount": amount_text(amount),
                    "small": self._small_text,
                    "major": self._major_text,
                }
            ),
        )


def placement_kind_case(
    *, prefix: str = "", thresholds: PlacementThresholds | None = None
) -> models.Case:
    """The rule (`PlacementRule._decide`, in the same order) as an expression on a project's
    columns, for a table that counts thousands of projects in the database (a project's
    investment is never missing). test_placement checks both agree on every branch."""
    t = thresholds or placement_thresholds()
    investment, code = f"{prefix}total_investment", f"{prefix}industry__code"

    def of_industries(codes: frozenset[str]) -> Q:
        return Q(**{f"{code}__in": sorted(c for c in codes if c)})

    return models.Case(
        models.When(
            Q(**{f"{investment}__gte": t.major_wan}), then=Value(PlacementKind.OWN_SITE.value)
        ),
        models.When(
            Q(**{f"{prefix}land_mu__gte": t.major_land_mu}),
            then=Value(PlacementKind.OWN_SITE.value),
        ),
        models.When(of_industries(t.own_site_industries), then=Value(PlacementKind.OWN_SITE.value)),
        models.When(
            Q(**{f"{investment}__lt": t.small_wan})
            & (Q(**{f"{prefix}is_tech": True}) | of_industries(t.tech_industries)),
            then=Value(PlacementKind.INCUBATOR.value),
        ),
        default=Value(PlacementKind.PARK.value),
        output_field=models.CharField(),
    )


def placement_kind_of_case(*, prefix: str = "") -> models.Case:
    """`placement_kind_of` as an expression on a project's own site and park (None: not
    placed, or in a carrier that takes no projects)."""
    return models.Case(
        models.When(Q(**{f"{prefix}own_site": True}), then=Value(PlacementKind.OWN_SITE.value)),
        *(
            models.When(Q(**{f"{prefix}park__kind__in": carriers}), then=Value(str(kind)))
            for kind, carriers in KIND_CARRIERS.items()
        ),
        default=Value(None),
        output_field=models.CharField(),
    )


@dataclass(frozen=True)
class CarrierFit:
    """A carrier that could take the project, with how it fits and its room on the day."""

    park_id: int
    name: str
    kind: str
    kind_label: str
    industry_listed: bool  # the project's industry is one of the park's fitting industries
    open_to_all: bool  # the park has no fitting industries set
    occupancy: Occupancy

    @property
    def room_known(self) -> bool:
        return self.occupancy.units > 0

    @property
    def fit_label(self) -> str:
        if self.industry_listed:
            return _("产业匹配")
        if self.open_to_all:
            return _("未设适配产业（不限）")
        return _("产业未知")


@dataclass(frozen=True)
class PlacementSuggestion:
    kind: PlacementKind
    reason: str
    carriers: list[CarrierFit] = field(default_factory=list)
    # Carriers of the kind that fit the industry but have no free unit on the day.
    full: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(self.kind.label)


def placement_suggest(
    *,
    investment: Decimal | int | None,
    land_mu: Decimal | int | None,
    industry_id: int | None,
    is_tech: bool,
    on: date,
) -> PlacementSuggestion:
    """The rule's suggestion for a project of these values on a day, with the carriers that
    fit and have room, best first (three queries whatever the number of parks)."""
    industry_model = Park._meta.get_field("industries").related_model
    code = None
    if industry_id is not None:
        code = industry_model.objects.filter(pk=industry_id).values_list("code", flat=True).first()
    kind, reason = placement_kind(
        investment=investment, land_mu=land_mu, industry_code=code, is_tech=is_tech
    )
    if kind == PlacementKind.OWN_SITE:
        return PlacementSuggestion(kind=kind, reason=reason)
    return _with_carriers(kind=kind, reason=reason, industry_id=industry_id, on=on)


def _with_carriers(
    *, kind: PlacementKind, reason: str, industry_id: int | None, on: date
) -> PlacementSuggestion:
    through = Park.industries.through
    parks = Park.objects.filter(kind__in=KIND_CARRIERS[kind]).annotate(
        open_to_all=~Exists(through.objects.filter(park=OuterRef("pk"))),
        listed=Exists(through.objects.filter(park=OuterRef("pk"), industrycategory=industry_id))
        if industry_id is not None
        else Value(False),
    )
    notes: list[str] = []
    if industry_id is None:
        notes.append(_("项目未填产业，无法按产业匹配载体：列出该类全部载体。"))
    else:
        parks = parks.filter(Q(open_to_all=True) | Q(listed=True))
    rows = list(parks.values("pk", "name", "kind", "open_to_all", "listed", "order"))
    occupancy = parks_occupancy(on=on, parks=[row["pk"] for row in rows])
    labels = dict(CarrierKind.choices)
    carriers: list[CarrierFit] = []
    full: list[str] = []
    for row in rows:
        fit = CarrierFit(
            park_id=row["pk"],
            name=row["name"],
            kind=row["kind"],
            kind_label=str(labels.get(row["kind"], row["kind"])),
            industry_listed=bool(row["listed"]),
            open_to_all=bool(row["open_to_all"]),
            occupancy=occupancy[row["pk"]],
        )
        if fit.room_known and fit.occupancy.units_free <= 0:
            full.append(fit.name)
            continue
        carriers.append(fit)
    carriers.sort(
        key=lambda c: (
            not c.industry_listed,
            not c.room_known,
            -c.occupancy.area_free_m2,
            c.park_id,
        )
    )
    if any(c.open_to_all for c in carriers):
        notes.append(_("未设适配产业的载体视为不限产业。"))
    if any(not c.room_known for c in carriers):
        notes.append(_("部分载体未登记楼宇单元，空余面积未知。"))
    if not carriers:
        notes.append(_("没有产业匹配且有空余的载体。"))
    return PlacementSuggestion(kind=kind, reason=reason, carriers=carriers, full=full, notes=notes)
