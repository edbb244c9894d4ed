"""Reads of the investment hall.

The public pages read the zone's figures with no user: each app's selector called without one
(`user=None`) counts the whole zone, and the hall shows only what is safe for anyone — counts,
sums and the catalogue (industries, chains and their gaps, parks and their free space), never
a person, an enterprise's figures or a project in talks. The news names projects that reached
签约 or 开工, as the zone announces them; sample projects of the demo say so on their badge.
Every page reads a fixed number of queries whatever the number of records.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.chains.selectors import ChainOpportunities, chains_opportunities
from zoneops.common.amounts import plain, wan_to_yi
from zoneops.common.scope import scope_queryset
from zoneops.enterprises.selectors import enterprises_zone_counts
from zoneops.indicators.selectors import economy_month, economy_overview
from zoneops.industry.selectors import categories_public
from zoneops.meetings.enums import MeetingStatus
from zoneops.parks.models import Park
from zoneops.parks.selectors import Occupancy, parks_occupancy, parks_visible
from zoneops.portal.enums import ACTIVE_BOOKINGS, BookingStatus, InquiryStatus
from zoneops.portal.models import HallSettings, Inquiry, MeetingBooking, MeetingSlot, Policy
from zoneops.projects.enums import ReportCategory, Stage
from zoneops.projects.selectors import pipeline_summary, stage_reached_moves

NEWS_STAGES = (Stage.SIGNED, Stage.STARTED)
ECONOMY_SHOWN = 6


@dataclass(frozen=True)
class HallFigure:
    label: str
    value: str
    unit: str
    note: str = ""


@dataclass
class HallProfile:
    year: int
    figures: list[HallFigure] = field(default_factory=list)
    economy_period: str = ""
    economy: list[HallFigure] = field(default_factory=list)


def _yi(amount_wan: Decimal) -> str:
    return plain(wan_to_yi(amount_wan))


def hall_profile(*, today: date, chains: list[ChainOpportunities] | None = None) -> HallProfile:
    """The zone's key figures today, live from the records: this year's projects, the
    enterprises, the parks' free space, the chains' gaps and the latest economic figures."""
    profile = HallProfile(year=today.year)
    summary = pipeline_summary(year=today.year, as_of=today)
    rows = {row.key: row for row in summary.rows}
    figures = profile.figures
    figures.append(
        HallFigure(
            _("%(year)d年招商项目") % {"year": today.year},
            str(summary.total.count),
            _("个"),
            _("总投资%(yi)s亿元") % {"yi": _yi(summary.total.investment)},
        )
    )
    started = rows.get(ReportCategory.NEWLY_STARTED.value)
    completed = rows.get(ReportCategory.COMPLETED.value)
    figures.append(
        HallFigure(
            _("今年新开工项目"),
            str(started.total.count if started else 0),
            _("个"),
            _("竣工%(n)d个") % {"n": completed.total.count if completed else 0},
        )
    )
    enterprises = enterprises_zone_counts()
    figures.append(
        HallFigure(
            _("入驻企业"),
            str(enterprises.total),
            _("家"),
            _("规上工业%(above)d家，高新技术%(tech)d家")
            % {"above": enterprises.above_scale, "tech": enterprises.high_tech},
        )
    )
    occupancy = parks_occupancy(on=today)
    free = sum((space.area_free_m2 for space in occupancy.values()), Decimal(0))
    units = sum(space.units_free for space in occupancy.values())
    figures.append(
        HallFigure(
            _("园区载体可招商面积"),
            plain(free / 10000, 2),
            _("万平方米"),
            _("空置%(units)d间") % {"units": units},
        )
    )
    chains = chains_opportunities() if chains is None else chains
    figures.append(
        HallFigure(
            _("产业链招商机会"),
            str(sum(len(chain.gaps) for chain in chains)),
            _("个环节"),
            _("%(n)d条产业链") % {"n": len(chains)},
        )
    )
    month = economy_month(year=today.year, today=today)
    economy = economy_overview(year=today.year, month=month)
    profile.economy_period = economy.period_label
    for row in economy.rows:
        if row.month is None or row.month.value is None:
            continue
        note = ""
        if row.month.yoy is not None:
            note = _("同比%(yoy)s%%") % {"yoy": row.month.yoy}
        profile.economy.append(
            HallFigure(
                row.indicator.name,
                plain(row.month.value, row.indicator.places),
                row.indicator.unit,
                note,
            )
        )
        if len(profile.economy) >= ECONOMY_SHOWN:
            break
    return profile


def hall_industries() -> QuerySet:
    """The zone's industries, its lead ones (主攻方向) first."""
    return categories_public().order_by("-is_lead", "order", "id")


@dataclass(frozen=True)
class ParkSpace:
    park: Park
    space: Occupancy


def hall_parks(*, today: date) -> list[ParkSpace]:
    """Every park and carrier with its free space today (two queries, and one for the
    industries each fits)."""
    parks = list(parks_visible().prefetch_related("industries").order_by("order", "id"))
    occupancy = parks_occupancy(on=today, parks=[park.pk for park in parks])
    return [ParkSpace(park=park, space=occupancy[park.pk]) for park in parks]


def policies_public(*, today: date) -> QuerySet[Policy]:
    """The policies on the hall: published, in force today, newest first."""
    return Policy.objects.in_force(on=today).select_related("department")


def policy_public(*, pk: int, today: date) -> Policy | None:
    return policies_public(today=today).filter(pk=pk).first()


@dataclass(frozen=True)
class NewsItem:
    day: date
    kind: str  # "signed" or "started"
    headline: str
    project: Any


NEWS_SHOWN = 30


def hall_news(*, today: date, limit: int = NEWS_SHOWN) -> list[NewsItem]:
    """Signings and starts of projects, newest first, written from the stage moves."""
    items = []
    for move in stage_reached_moves(stages=NEWS_STAGES, until=today, limit=limit):
        project = move.project
        if move.to_stage == Stage.SIGNED:
            headline = _("%(name)s签约落户") % {"name": project.name}
        else:
            headline = _("%(name)s开工建设") % {"name": project.name}
        items.append(
            NewsItem(day=move.moved_on, kind=move.to_stage, headline=headline, project=project)
        )
    return items


# --- the staff side -----------------------------------------------------------------------------


def inquiries_visible(*, user: Any) -> QuerySet[Inquiry]:
    """The inquiries whose lead the user may read (their contact's data with them)."""
    return scope_queryset(
        Inquiry.objects.select_related("industry", "project", "project__owner", "replied_by"),
        user,
    )


def inquiry_of_project(*, project: Any, user: Any) -> Inquiry | None:
    """The hall inquiry that started a project, if the user may read it, with its bookings
    and their meetings (the outcome of a held one)."""
    bookings = MeetingBooking.objects.select_related("slot", "meeting", "decided_by").order_by(
        "-id"
    )
    return (
        inquiries_visible(user=user)
        .prefetch_related(Prefetch("bookings", queryset=bookings))
        .filter(project=project)
        .first()
    )


def bookings_visible(*, user: Any) -> QuerySet[MeetingBooking]:
    """The meeting bookings whose inquiry's lead the user may read."""
    return scope_queryset(
        MeetingBooking.objects.select_related(
            "inquiry", "inquiry__project", "slot", "slot__officer", "meeting", "decided_by"
        ),
        user,
    )


DEFAULT_FIRST_RESPONSE_DAYS = 1


def hall_first_response_days() -> int:
    """The first-response limit in working days administrators set (1 when not set)."""
    days = HallSettings.objects.order_by("pk").values_list("first_response_days", flat=True)
    stored = days.first()
    return int(stored) if stored is not None else DEFAULT_FIRST_RESPONSE_DAYS


# --- online meetings and the public status ------------------------------------------------------

SLOTS_SHOWN = 40


def slots_open(*, at: datetime, limit: int = SLOTS_SHOWN) -> list[MeetingSlot]:
    """The slots an investor may book: starting after `at`, held by no active booking, soonest
    first (one query)."""
    booked = MeetingBooking.objects.filter(slot=OuterRef("pk"), status__in=ACTIVE_BOOKINGS)
    return list(
        MeetingSlot.objects.filter(starts_at__gt=at)
        .exclude(Exists(booked))
        .select_related("department")
        .order_by("starts_at", "id")[:limit]
    )


@dataclass(frozen=True)
class PublicStatus:
    """What the status page shows an investor: no name, no mobile, no company — the reference,
    the day sent, where it stands, staff's reply and the meeting."""

    reference: str
    submitted_on: date
    key: str  # submitted, replied, pending, confirmed, held, cancelled, declined
    label: str
    reply: str = ""
    meeting_start: datetime | None = None
    duration_minutes: int | None = None
    link: str = ""
    decline_reason: str = ""
    may_book: bool = False


_LABELS = {
    "submitted": lambda: _("已提交，等待招商人员回复"),
    "replied": lambda: _("已回复"),
    "pending": lambda: _("洽谈待确认"),
    "confirmed": lambda: _("洽谈已确认"),
    "held": lambda: _("已洽谈"),
    "cancelled": lambda: _("洽谈已取消"),
    "declined": lambda: _("洽谈未能安排"),
}


def inquiry_public_status(*, inquiry: Inquiry) -> PublicStatus:
    """Where an inquiry stands for its investor: its latest booking's state first (confirmed
    with its time and link, held once the meeting took place), else whether staff replied."""
    booking = (
        MeetingBooking.objects.filter(inquiry=inquiry)
        .select_related("slot", "meeting")
        .order_by("-id")
        .first()
    )
    key = "replied" if inquiry.status == InquiryStatus.REPLIED else "submitted"
    values: dict[str, Any] = {}
    if booking is not None:
        meeting = booking.meeting
        if booking.status == BookingStatus.PENDING:
            key = "pending"
        elif booking.status == BookingStatus.DECLINED:
            key = "declined"
            values["decline_reason"] = booking.decline_reason
        elif meeting is not None and meeting.status == MeetingStatus.HELD:
            key = "held"
        elif meeting is not None and meeting.status == MeetingStatus.CANCELLED:
            key = "cancelled"
        else:
            key = "confirmed"
            values["link"] = booking.link
        values["meeting_start"] = timezone.localtime(booking.slot.starts_at)
        values["duration_minutes"] = booking.slot.duration_minutes
    return PublicStatus(
        reference=inquiry.reference,
        submitted_on=timezone.localdate(inquiry.created_at),
        key=key,
        label=_LABELS[key](),
        reply=inquiry.reply,
        may_book=booking is None or key == "declined",
        **values,
    )
