"""Reads of the reminders: what each person is to hear on a day (from every work source the
apps declare), his notices and how many are unread, and the deliveries due to be sent.

Who hears of an item. Whoever has it on his own day (casework.workbench: the owners — the
department it is routed to, the project's owner — and its supervisors — the liaison leader,
the leader it was escalated to, the task's supervisor, whoever liaises with the enterprise):
each source says who that is for its records. People outside the staff (an enterprise's own
users) hear what a source's optional `notices_beyond_staff` says. Nothing here names an app.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zoneops.casework.workbench import WorkItem, soon_until, work_sources
from zoneops.common.periods import format_day
from zoneops.notifications.enums import DeliveryStatus, NoticeKind
from zoneops.notifications.models import Delivery, Notification
from zoneops.orgs.models import User

# How many of his notices the list page shows at once.
PAGE_SIZE = 30


@dataclass(frozen=True)
class NoticeDraft:
    """A notice to be written (services.notifications_create writes it once)."""

    recipient_id: int
    kind: str
    source: str
    object_id: int
    title: str
    text: str
    link: str
    due_on: date | None
    department_id: int | None
    dedup_key: str


def _kind(item: WorkItem, on: date) -> str:
    return NoticeKind.OVERDUE if item.due_on < on else NoticeKind.DUE_SOON


def _staff_draft(*, user_id: int, item: WorkItem, label: Any, on: date) -> NoticeDraft:
    kind = _kind(item, on)
    if kind == NoticeKind.OVERDUE:
        title = _("【已逾期】%(label)s：%(title)s") % {"label": label, "title": item.title}
        when = _("期限 %(day)s，已逾期 %(days)s 天") % {
            "day": format_day(item.due_on),
            "days": (on - item.due_on).days,
        }
    elif item.due_on == on:
        title = _("【今日到期】%(label)s：%(title)s") % {"label": label, "title": item.title}
        when = _("期限 %(day)s（今天）") % {"day": format_day(item.due_on)}
    else:
        title = _("【即将到期】%(label)s：%(title)s") % {"label": label, "title": item.title}
        when = _("期限 %(day)s") % {"day": format_day(item.due_on)}
    parts = [when]
    if item.department:
        parts.append(_("责任部门 %(department)s") % {"department": item.department})
    if item.status:
        parts.append(_("状态 %(status)s") % {"status": item.status})
    if item.supervised:
        parts.append(_("您督办或包联此事项"))
    return NoticeDraft(
        recipient_id=user_id,
        kind=kind,
        source=item.source,
        object_id=item.pk,
        title=title[:300],
        text="；".join(str(part) for part in parts)[:1000],
        link=item.url,
        due_on=item.due_on,
        department_id=item.department_id,
        # Once per item, deadline and standing: an extended deadline is a new notice.
        dedup_key=f"{item.source}:{item.pk}:{kind}:{item.due_on.isoformat()}",
    )


def staff_recipients() -> QuerySet[User]:
    """The people who work items: active back-office users."""
    return User.objects.filter(is_active=True, is_staff=True).order_by("pk")


def notice_drafts(*, on: date) -> list[NoticeDraft]:
    """Every notice due on the day `on`: each person's open items due within three working
    days or late, from each work source, and what the sources tell people outside the staff.

    Asks each source once per person (its `items`, one or two queries each): the count grows
    with the people, never with their items."""
    until = soon_until(on)
    sources = work_sources()
    drafts: list[NoticeDraft] = []
    for user in staff_recipients().prefetch_related("roles"):
        for source in sources:
            for item in source.items(user=user, on=on, until=until, departments=None):
                drafts.append(_staff_draft(user_id=user.pk, item=item, label=source.label, on=on))
    for source in sources:
        beyond = getattr(source, "notices_beyond_staff", None)
        if beyond is None:
            continue
        for notice in beyond(on=on, until=until):
            due = notice.due_on.isoformat() if notice.due_on else ""
            for user_id in notice.user_ids:
                drafts.append(
                    NoticeDraft(
                        recipient_id=user_id,
                        kind=NoticeKind.OVERDUE if notice.late else NoticeKind.OTHER,
                        source=notice.source,
                        object_id=notice.pk,
                        title=notice.title[:300],
                        text=notice.text[:1000],
                        link=notice.url,
                        due_on=notice.due_on,
                        department_id=None,
                        dedup_key=f"{notice.source}:{notice.pk}:{notice.reason}:{due}",
                    )
                )
    return drafts


def notifications_of(*, user: Any) -> QuerySet[Notification]:
    """The user's notices, newest first (nobody else's)."""
    return Notification.objects.of(user).order_by("-created_at", "-id")


def notifications_unread_count(*, user: Any) -> int:
    """How many of his notices the user has not read (the bell's number): one query."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.of(user).unread().count()


def deliveries_due(*, now: datetime) -> QuerySet[Delivery]:
    """The sends to try now: new ones, and failed ones whose backoff has passed."""
    waiting = Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.RETRYING)
    return (
        Delivery.objects.filter(waiting)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .select_related("digest", "robot")
        .order_by("next_attempt_at", "id")
    )
