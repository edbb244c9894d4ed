"""Reads of enterprise requests (诉求): each request's clock and warning level, what a user may
see of them and do with them, the overdue ones, and the statistics by topic, department,
category, kind or enterprise (on-time rate, working days used, satisfaction, reopen rate).

A request whose clock is suspended (暂停计时, waiting for the enterprise's materials) has no
warning level: it is neither yellow nor red, nor overdue anywhere, until its clock runs again.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.casework.selectors import CLOCK_ATTRIBUTE, records_with_clock
from zoneops.common.caching import cached_selector
from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import DataScope, can_see, scope_queryset
from zoneops.common.workcalendar import calendar_pinned, working_days_between, working_days_used
from zoneops.enterprises.enums import SATISFIED_SCORE, RequestKind, RequestStatus
from zoneops.enterprises.models import EnterpriseRequest, RequestEvent, RequestExtension
from zoneops.enterprises.models.requests import (
    ANSWERED_STATUSES,
    CLOCK_STATUSES,
    OPEN_STATUSES,
    EnterpriseRequestQuerySet,
    RequestClock,
)
from zoneops.enterprises.permissions import APPROVE_EXTENSION
from zoneops.orgs.models import Department
from zoneops.projects.enums import BlockerKind, BlockerTopic

Status = RequestStatus

OPEN = OPEN_STATUSES
RUNNING = CLOCK_STATUSES
ANSWERED = ANSWERED_STATUSES

# Every step a page may offer on a request (request_available_actions names a subset).
REQUEST_ACTIONS = (
    "accept",
    "reroute",
    "start",
    "note",
    "extend",
    "decide_extension",
    "suspend",
    "resume",
    "answer",
    "rate",
    "return",
)

CHANGE_PERMISSION = "enterprises.change_enterpriserequest"


def _today() -> date:
    return timezone.localdate()


def _scoped(queryset: QuerySet, user: Any) -> QuerySet:
    return queryset if user is None else scope_queryset(queryset, user)


def _is_enterprise_user(user: Any) -> bool:
    return getattr(user, "enterprise_id", None) is not None


# --- the clock ----------------------------------------------------------------------------------


def request_clock(request: EnterpriseRequest, *, on: date | None = None) -> RequestClock | None:
    """The request's clock on `on` (today by default): None before acceptance and for a
    returned request (the kernel's `ClockedRecord.clock`)."""
    clock: RequestClock | None = request.clock(on=on or _today())  # type: ignore[assignment]
    return clock


def requests_with_clock(
    requests: Iterable[EnterpriseRequest], *, on: date | None = None
) -> list[EnterpriseRequest]:
    """The requests of a list, each with its `clock` (`RequestClock` or None) set, reading the
    work calendar once for them all."""
    return records_with_clock(requests, on=on)


def requests_at_clock_level(
    queryset: EnterpriseRequestQuerySet, *, level: str, on: date | None = None
) -> EnterpriseRequestQuerySet:
    """The running, not suspended requests of `queryset` whose clock is at `level` (normal,
    yellow or red) on `on` (today by default).

    A running clock's level depends only on its start, its limit (with approved extension
    days) and the working days it stood, so the level is read with `request_clock` once per
    distinct start, limit and days stood among those requests (one query), and the queryset
    keeps the requests of those at the level asked for."""
    on = on or _today()
    running = queryset.running().filter(suspended_since__isnull=True)
    clocks = (
        running.order_by()
        .values_list("clock_from", "limit_days", "extension_days", "suspended_days")
        .distinct()
    )
    starts: dict[tuple[int, int], list[date]] = {}
    stubs = [
        EnterpriseRequest(
            status=RequestStatus.IN_PROGRESS,
            clock_from=start,
            limit_days=limit,
            extension_days=extension,
            suspended_days=stood,
        )
        for start, limit, extension, stood in clocks
        if start is not None and limit is not None
    ]
    for stub in requests_with_clock(stubs, on=on):
        clock = vars(stub)[CLOCK_ATTRIBUTE]
        if clock is not None and clock.level == level and stub.clock_from is not None:
            total = (stub.limit_days or 0) + stub.extension_days
            starts.setdefault((total, stub.suspended_days), []).append(stub.clock_from)
    if not starts:
        return queryset.none()
    matching = Q(pk__in=[])
    for (total, stood), days in starts.items():
        matching |= Q(clock_total=total, suspended_days=stood, clock_from__in=days)
    return running.alias(clock_total=F("limit_days") + F("extension_days")).filter(matching)


# --- lists and one request ----------------------------------------------------------------------


def intake_desk_scope(model: type[Model], scope: DataScope, write: bool) -> Q | None:
    """Scope provider: the staff of the request desk (a department that
    `receives_enterprise_requests`) follow every request — they accepted and routed it, and
    they take the return-visit ratings (回访) after the answer."""
    if model is not EnterpriseRequest or not scope.is_staff or not scope.department_ids:
        return None
    desk = Department.objects.filter(
        pk__in=scope.department_ids, receives_enterprise_requests=True, is_active=True
    )
    return Q(Exists(desk))


def requests_visible(*, user: Any) -> QuerySet[EnterpriseRequest]:
    """The requests a user may see (an enterprise user: its own enterprise's), with what a list
    shows of them. `user=None` is the system itself: every request."""
    return _scoped(EnterpriseRequest.objects.all(), user).select_related(
        "enterprise", "department", "project"
    )


def requests_latest_filed_on(*, user: Any) -> date | None:
    """The filing day of the newest request the user may see: where a statistics page opens
    when nothing was filed this year yet."""
    latest: date | None = _scoped(EnterpriseRequest.objects.all(), user).aggregate(
        latest=Max("filed_on")
    )["latest"]
    return latest


def request_overdue_q(*, on: date) -> Q:
    """A request whose clock runs with a deadline before `on`: what every overdue list and
    count of requests filters on. A suspended clock does not run: not overdue."""
    return EnterpriseRequest.overdue_q(on=on)


def request_suspended_q() -> Q:
    """A request whose clock stands while the enterprise supplies materials (待补充材料)."""
    return Q(status__in=RUNNING, suspended_since__isnull=False)


def overdue_requests(*, user: Any, on: date | None = None) -> QuerySet[EnterpriseRequest]:
    """Requests whose clock runs with a deadline before `on` (today), oldest deadline first."""
    on = on or _today()
    return requests_visible(user=user).filter(request_overdue_q(on=on)).order_by("due_on", "id")


def request_events_for(*, request: EnterpriseRequest, user: Any) -> list[RequestEvent]:
    """The request's steps in order; an enterprise user never sees the internal notes."""
    events = RequestEvent.objects.filter(request=request).select_related(
        "by", "from_department", "to_department"
    )
    if _is_enterprise_user(user):
        events = events.filter(internal=False)
    return list(events.order_by("on", "id"))


def request_suspension_ask(*, request: EnterpriseRequest) -> RequestEvent | None:
    """What the department asked the enterprise to supply while the clock stands (the step
    that suspended it); None when the clock runs."""
    if request.suspended_since is None or request.status not in RUNNING:
        return None
    return (
        RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.SUSPENDED)
        .select_related("by")
        .order_by("-on", "-id")
        .first()
    )


def requests_awaiting_materials(*, user: Any) -> QuerySet[EnterpriseRequest]:
    """The suspended requests the user may see (待补充材料), the longest waiting first, each
    with what was asked (`materials_asked`, the note of the step that suspended it)."""
    asked = RequestEvent.objects.filter(
        request=OuterRef("pk"), kind=RequestEvent.Kind.SUSPENDED
    ).order_by("-on", "-id")
    return (
        requests_visible(user=user)
        .filter(request_suspended_q())
        .annotate(materials_asked=Subquery(asked.values("note")[:1]))
        .order_by("suspended_since", "id")
    )


def request_pending_extension(*, request: EnterpriseRequest) -> RequestExtension | None:
    """The extension waiting for a decision, if any (there is at most one)."""
    return (
        RequestExtension.objects.filter(request=request, decision=RequestExtension.Decision.PENDING)
        .select_related("asked_by")
        .first()
    )


def request_available_actions(*, request: EnterpriseRequest, user: Any) -> set[str]:
    """The steps the user may take on the request now (names from REQUEST_ACTIONS).

    An enterprise user may only rate its own enterprise's answered requests and supply the
    materials its own suspended requests wait for (resume). Staff need the request in their
    data scope; the work needs the change permission, deciding an extension needs
    `enterprises.approve_extension` and someone else's ask.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    status = request.status
    suspended = status in RUNNING and request.suspended_since is not None
    if _is_enterprise_user(user):
        if user.enterprise_id != request.enterprise_id:
            return set()
        if status == Status.ANSWERED:
            return {"rate"}
        return {"resume"} if suspended else set()
    if not can_see(user, request):
        return set()
    actions: set[str] = set()
    if user.has_perm(CHANGE_PERMISSION):
        if status == Status.SUBMITTED:
            actions |= {"accept", "note", "return"}
        elif status in RUNNING:
            actions |= {"reroute", "note", "answer", "return"}
            if suspended:
                actions.add("resume")  # materials received by mail or at the desk
            elif request.due_on is None or _today() <= request.due_on:
                # by the deadline only (request_ask_extension, request_suspend)
                actions |= {"extend", "suspend"}
            if status == Status.ACCEPTED:
                actions.add("start")
        elif status == Status.ANSWERED:
            actions.add("rate")  # a rating taken on a return visit (回访)
    if status in RUNNING:
        pending = RequestExtension.objects.filter(
            request=request, decision=RequestExtension.Decision.PENDING
        ).values_list("asked_by_id", flat=True)
        asked_by = next(iter(pending), None)
        if asked_by is not None:
            actions.discard("extend")  # one pending ask at a time
            if asked_by != user.pk and user.has_perm(APPROVE_EXTENSION):
                actions.add("decide_extension")
    return actions


# --- statistics ---------------------------------------------------------------------------------

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")

# What the statistics may be grouped by, with its label.
STATISTICS_BY: dict[str, Any] = {
    "topic": gettext_lazy("领域"),
    "department": gettext_lazy("承办部门"),
    "category": gettext_lazy("类别"),
    "kind": gettext_lazy("诉求类型"),
    "enterprise": gettext_lazy("企业"),
}

# The grouping's column on EnterpriseRequest, and the choices that label it (None: a relation).
_GROUP_COLUMNS: dict[str, tuple[str, Any]] = {
    "topic": ("topic", BlockerTopic),
    "category": ("category", BlockerKind),
    "kind": ("kind", RequestKind),
    "department": ("department_id", None),
    "enterprise": ("enterprise_id", None),
}
_RELATION_LABEL = {"department": "department__name", "enterprise": "enterprise__name"}
_RELATION_ORDER = {"department": "department__order", "enterprise": "enterprise__name"}


def _one_place(numerator: int | Decimal, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / denominator).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass
class RequestStatisticsRow:
    """The figures of one group of requests (or of all of them: `key` None).

    Counts are of the requests filed in the period, as they stand on the statistics day:
    `answered` are answered or rated now; `overdue` are open with their deadline passed;
    `reopened` were reopened at least once and `ever_answered` were answered at least once
    (a reopened request counts there even while it is worked on again). Ratings are every
    rating given, including the unsatisfied ones that reopened a request.
    """

    key: Any
    label: str
    filed: int = 0
    open: int = 0
    overdue: int = 0
    answered: int = 0
    answered_on_time: int = 0
    returned: int = 0
    reopened: int = 0
    ever_answered: int = 0
    # summed over the answered ones: clock start → answer, less the days the clock stood
    working_days_used: int = 0
    ratings: int = 0
    score_total: int = 0
    satisfied_ratings: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        """按时答复率: answered by the deadline / answered, in per cent; None before any answer."""
        return _one_place(HUNDRED * self.answered_on_time, self.answered)

    @property
    def average_working_days(self) -> Decimal | None:
        """平均办理用时: working days from the clock's start to the answer, not counting the
        working days the clock stood while the enterprise supplied materials."""
        return _one_place(self.working_days_used, self.answered)

    @property
    def average_score(self) -> Decimal | None:
        return _one_place(self.score_total, self.ratings)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        """满意率: ratings of SATISFIED_SCORE or more / ratings, in per cent."""
        return _one_place(HUNDRED * self.satisfied_ratings, self.ratings)

    @property
    def reopen_rate(self) -> Decimal | None:
        """重办率: requests reopened at least once / requests answered at least once."""
        return _one_place(HUNDRED * self.reopened, self.ever_answered)

    def add(self, other: "RequestStatisticsRow") -> None:
        for name in _COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


# The counters the first query fills; the ratings and working days come from their own.
_COUNTED_IN_SQL = (
    "filed",
    "open",
    "overdue",
    "answered",
    "answered_on_time",
    "returned",
    "reopened",
    "ever_answered",
)
_COUNTERS = (
    "filed",
    "open",
    "overdue",
    "answered",
    "answered_on_time",
    "returned",
    "reopened",
    "ever_answered",
    "working_days_used",
    "ratings",
    "score_total",
    "satisfied_ratings",
)


@dataclass
class RequestStatistics:
    by: str
    start: date
    end: date
    on: date
    rows: list[RequestStatisticsRow] = field(default_factory=list)
    total: RequestStatisticsRow = field(default_factory=lambda: RequestStatisticsRow(None, ""))


def request_working_days_used(*, clock_from: date, answered_on: date, suspended_days: int) -> int:
    """用时: the working days from the start of the clock's round (受理, or the last reopening)
    to the answer, less those it stood while the enterprise supplied materials."""
    return working_days_used(clock_from, answered_on, suspended_days=suspended_days)


@cached_selector("enterprises", "projects", "blockers", "industry")
def requests_statistics(
    *, user: Any, start: date, end: date, by: str, on: date | None = None
) -> RequestStatistics:
    """The requests filed from `start` to `end` (inclusive) that the user may see, grouped
    `by` topic, department, category, kind or enterprise, as they stand on `on` (today).

    Four queries whatever the number of requests (besides the data scope's and the
    calendar's): the counts, the ratings, and the answered requests' clock spans in two
    (`_working_days_used`), counted in working days from one reading of the calendar, less
    the days the clock stood.
    """
    if by not in _GROUP_COLUMNS:
        raise ApplicationError(
            _("统计维度“%(by)s”无效，可选：%(choices)s。")
            % {"by": by, "choices": "、".join(str(label) for label in STATISTICS_BY.values())},
            field="by",
        )
    if start > end:
        raise ApplicationError(
            _("结束日期（%(end)s）不能早于开始日期（%(start)s）。") % {"start": start, "end": end},
            field="end",
        )
    on = on or _today()
    column, choices = _GROUP_COLUMNS[by]
    requests = _scoped(EnterpriseRequest.objects.all(), user).filter(filed_on__range=(start, end))
    grouped = requests.order_by()

    answered = Q(status__in=ANSWERED)
    names = [column]
    if by in _RELATION_LABEL:
        names += [_RELATION_LABEL[by], _RELATION_ORDER[by]]
    count_rows = grouped.values(*names).annotate(
        filed=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN)),
        overdue=Count("pk", filter=request_overdue_q(on=on)),
        answered=Count("pk", filter=answered),
        answered_on_time=Count("pk", filter=answered & Q(answered_on__lte=F("due_on"))),
        returned=Count("pk", filter=Q(status=Status.RETURNED)),
        reopened=Count("pk", filter=Q(reopen_count__gt=0)),
        ever_answered=Count("pk", filter=answered | Q(reopen_count__gt=0)),
    )
    rows: dict[Any, RequestStatisticsRow] = {}
    sort_keys: dict[Any, tuple] = {}
    for values in count_rows:
        key = values[column]
        row = RequestStatisticsRow(key=key, label=_group_label(by, key, values, choices))
        for name in _COUNTED_IN_SQL:
            setattr(row, name, values[name])
        rows[key] = row
        sort_keys[key] = _sort_key(by, key, values, choices)

    # From the period's requests to their ratings (the filter before the counts keeps only
    # the ratings in them): each request's rated steps by index, not every step of the zone.
    rating_rows = (
        grouped.filter(events__kind=RequestEvent.Kind.RATED)
        .values(column)
        .annotate(
            ratings=Count("events"),
            score_total=Sum("events__score"),
            satisfied=Count("events", filter=Q(events__score__gte=SATISFIED_SCORE)),
        )
    )
    for values in rating_rows:
        row = rows[values[column]]
        row.ratings, row.score_total = values["ratings"], values["score_total"] or 0
        row.satisfied_ratings = values["satisfied"]

    used = _working_days_used(
        grouped.filter(answered, clock_from__isnull=False, answered_on__isnull=False), column
    )
    for key, days in used.items():
        rows[key].working_days_used = days

    ordered = sorted(rows.values(), key=lambda row: sort_keys[row.key])
    total = RequestStatisticsRow(key=None, label=_("合计"))
    for row in ordered:
        total.add(row)
    return RequestStatistics(by=by, start=start, end=end, on=on, rows=ordered, total=total)


def _working_days_used(spans: QuerySet, column: str) -> dict[Any, int]:
    """The working days the answered requests used, summed by `column`, in two queries.

    Working days are counted in (start, answer], so a request's are W(answer) - W(start), W
    counting them from any fixed day. The requests whose clock never stood (answered on or
    after its start) are summed from how many start and how many end on each day: a few
    hundred rows, not one per request. The others (days suspended, which may not take a span
    below zero) are grouped by (start, answer, days suspended) as before.
    """
    plain = Q(suspended_days=0, answered_on__gte=F("clock_from"))
    by_day = [
        spans.filter(plain)
        .order_by()
        .values_list(column, day)
        .annotate(requests=Count("pk"), sign=Value(sign, output_field=IntegerField()))
        for day, sign in (("answered_on", 1), ("clock_from", -1))
    ]
    days = list(by_day[0].union(by_day[1], all=True))
    others = (
        spans.exclude(plain)
        .order_by()
        .values_list(column, "clock_from", "answered_on", "suspended_days")
        .annotate(requests=Count("pk"))
    )
    used: dict[Any, int] = defaultdict(int)
    with calendar_pinned():
        if days:
            first = min(day for _key, day, _n, _sign in days)
            counted = {
                day: working_days_between(first, day).days for day in {row[1] for row in days}
            }
            for key, day, requests, sign in days:
                used[key] += sign * counted[day] * requests
        for key, clock_from, answered_on, suspended_days, requests in others:
            days_used = request_working_days_used(
                clock_from=clock_from, answered_on=answered_on, suspended_days=suspended_days
            )
            used[key] += days_used * requests
    return used


def _group_label(by: str, key: Any, values: dict[str, Any], choices: Any) -> str:
    if choices is not None:
        return str(choices(key).label) if key in choices.values else str(key)
    if key is None:
        return _("未受理") if by == "department" else _("未知")
    return str(values[_RELATION_LABEL[by]])


def _sort_key(by: str, key: Any, values: dict[str, Any], choices: Any) -> tuple:
    """Choices in their own order; departments in the organisation's order, the requests not
    yet routed last; enterprises by name."""
    if choices is not None:
        members = list(choices.values)
        return (members.index(key) if key in members else len(members), str(key))
    if key is None:
        return (1, "", 0)
    return (0, values[_RELATION_ORDER[by]], key)
