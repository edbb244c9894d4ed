"""Reads of the systemic blockers (共性堵点): the register with its counts, a blocker's members,
and the candidates — open requests and problems not yet grouped that several enterprises or
projects report under the same topic and category, the issues the zone should handle as one.

Every list is set-based: counts are subqueries of the blocker's row, members and candidates are
read in one query per kind, whatever their number.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.blockers.models import SystemicBlocker
from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import scope_queryset
from zoneops.enterprises.models import Enterprise, EnterpriseRequest
from zoneops.enterprises.models.requests import OPEN_STATUSES
from zoneops.enterprises.selectors.requests import request_overdue_q
from zoneops.projects.enums import BlockerKind, BlockerTopic
from zoneops.projects.models import Problem

BLOCKER_ACTIONS = ("attach", "detach", "resolve")


def _today() -> date:
    return timezone.localdate()


def _scoped(queryset: QuerySet, user: Any) -> QuerySet:
    return queryset if user is None else scope_queryset(queryset, user)


def _count(queryset: QuerySet) -> Subquery:
    """How many rows `queryset` holds, as a subquery of the outer row (0 when none)."""
    counted = queryset.order_by().annotate(
        n=Func(F("pk"), function="COUNT", output_field=IntegerField())
    )
    return Subquery(counted.values("n"), output_field=IntegerField())


# --- the register -------------------------------------------------------------------------------


def blockers_visible(*, user: Any = None) -> QuerySet[SystemicBlocker]:
    """The blockers a user reaches (by department, as owner or creator; all for inspectors)."""
    return _scoped(SystemicBlocker.objects.all(), user).select_related("owner", "department")


def blockers_with_counts(
    queryset: QuerySet[SystemicBlocker], *, today: date | None = None
) -> QuerySet[SystemicBlocker]:
    """Each blocker with its members counted: `request_count`, `problem_count`,
    `enterprise_count` (distinct enterprises behind its requests and its projects' problems),
    `open_request_count`, `open_problem_count`, `open_count` and `overdue_count` (open members
    past their deadline on `today`)."""
    today = today or _today()
    requests = EnterpriseRequest.objects.filter(blocker=OuterRef("pk"))
    problems = Problem.objects.filter(blocker=OuterRef("pk"))
    enterprises = Enterprise.objects.filter(
        Q(
            pk__in=EnterpriseRequest.objects.filter(blocker=OuterRef(OuterRef("pk"))).values(
                "enterprise_id"
            )
        )
        | Q(
            pk__in=Problem.objects.filter(
                blocker=OuterRef(OuterRef("pk")), project__investor_enterprise__isnull=False
            ).values("project__investor_enterprise_id")
        )
    )
    return queryset.annotate(
        request_count=_count(requests),
        problem_count=_count(problems),
        enterprise_count=_count(enterprises),
        open_request_count=_count(requests.filter(status__in=OPEN_STATUSES)),
        open_problem_count=_count(problems.running()),
        overdue_count=_count(requests.filter(request_overdue_q(on=today)))
        + _count(problems.filter(Problem.overdue_q(on=today))),
    ).annotate(open_count=F("open_request_count") + F("open_problem_count"))


def blockers_list(*, user: Any, today: date | None = None) -> QuerySet[SystemicBlocker]:
    """The register as the user sees it, open ones first, counts and all."""
    queryset = blockers_with_counts(blockers_visible(user=user), today=today)
    return queryset.annotate(
        is_open=Case(
            When(status=SystemicBlocker.Status.OPEN, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("-is_open", "-opened_on", "-id")


def blocker_available_actions(*, blocker: SystemicBlocker) -> frozenset[str]:
    """The steps that make sense now: all three on an open blocker, none once resolved."""
    if blocker.status == SystemicBlocker.Status.RESOLVED:
        return frozenset()
    return frozenset(BLOCKER_ACTIONS)


# --- one blocker's members ----------------------------------------------------------------------


@dataclass(frozen=True)
class BlockerMembers:
    """A blocker's requests and problems, each with `is_overdue` (open past its deadline)."""

    requests: list[EnterpriseRequest]
    problems: list[Problem]

    @property
    def enterprises(self) -> list[Enterprise]:
        """The distinct enterprises behind the members, in the order they appear."""
        seen: dict[int, Enterprise] = {}
        for request in self.requests:
            seen.setdefault(request.enterprise_id, request.enterprise)
        for problem in self.problems:
            enterprise = problem.project.investor_enterprise
            if enterprise is not None:
                seen.setdefault(enterprise.pk, enterprise)
        return list(seen.values())


def member_requests(*, today: date | None = None) -> QuerySet[EnterpriseRequest]:
    """Requests as a blocker's page lists them, each with `is_overdue` on `today`."""
    today = today or _today()
    return (
        EnterpriseRequest.objects.select_related("enterprise", "department", "project")
        .annotate(is_overdue=_flag(request_overdue_q(on=today)))
        .order_by("filed_on", "id")
    )


def member_problems(*, today: date | None = None) -> QuerySet[Problem]:
    """Problems as a blocker's page lists them, each with `is_overdue` on `today`."""
    today = today or _today()
    return (
        Problem.objects.select_related("project", "project__investor_enterprise", "department")
        .annotate(is_overdue=_flag(Problem.overdue_q(on=today)))
        .order_by("raised_on", "id")
    )


def blocker_member_requests(
    *, blocker: SystemicBlocker, today: date | None = None
) -> QuerySet[EnterpriseRequest]:
    return member_requests(today=today).filter(blocker=blocker)


def blocker_member_problems(
    *, blocker: SystemicBlocker, today: date | None = None
) -> QuerySet[Problem]:
    return member_problems(today=today).filter(blocker=blocker)


def blocker_members_by_ids(
    *, blocker: SystemicBlocker, request_ids: list[int], problem_ids: list[int]
) -> dict[str, list[Any]]:
    """The blocker's members the ids name, in the given order (one query per kind), for a step
    that takes them out; an id that is not a member is refused naming its field (by number
    only: it may be a record the caller does not see)."""
    return {
        "requests": _members_named(
            blocker_member_requests(blocker=blocker), request_ids, field="request_ids"
        ),
        "problems": _members_named(
            blocker_member_problems(blocker=blocker), problem_ids, field="problem_ids"
        ),
    }


def _members_named(queryset: QuerySet, ids: list[int], *, field: str) -> list[Any]:
    wanted = list(dict.fromkeys(ids))
    found = {obj.pk: obj for obj in queryset.filter(pk__in=wanted)}
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ApplicationError(
            _("编号为%(pks)s的事项不在本共性堵点中。") % {"pks": "、".join(missing)}, field=field
        )
    return [found[pk] for pk in wanted]


def blocker_members(*, blocker: SystemicBlocker, today: date | None = None) -> BlockerMembers:
    """Everything grouped in the blocker (two queries). The blocker's lead coordinates them
    all, so its page lists every member, whichever department handles it."""
    return BlockerMembers(
        requests=list(blocker_member_requests(blocker=blocker, today=today)),
        problems=list(blocker_member_problems(blocker=blocker, today=today)),
    )


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


# --- candidates ---------------------------------------------------------------------------------


# _UNGROUPED: "in no blocker" is said as NOT (blocker IS NOT NULL), the same rows: SQLite takes
# `blocker_id IS NULL` for a seek on the blocker index, which holds every ungrouped row of the
# register (nearly all of them), and reads them all; the open ones are few, found by status.


def candidate_requests(*, user: Any) -> QuerySet[EnterpriseRequest]:
    """Open requests the user sees that are in no blocker yet: what he may group."""
    return (
        _scoped(EnterpriseRequest.objects.all(), user)
        .filter(status__in=OPEN_STATUSES)
        .exclude(blocker__isnull=False)  # see _UNGROUPED
        .select_related("enterprise", "department")
        .order_by("filed_on", "id")
    )


def candidate_problems(*, user: Any) -> QuerySet[Problem]:
    """Open project problems the user sees that are in no blocker yet."""
    return (
        _scoped(Problem.objects.running(), user)
        .exclude(blocker__isnull=False)  # see _UNGROUPED
        .select_related("project", "project__investor_enterprise", "department")
        .order_by("raised_on", "id")
    )


@dataclass
class CandidateGroup:
    """Open, ungrouped requests and problems of one topic and category, reported by
    `reporters` different enterprises (a problem's project counts when it names none)."""

    topic: str
    category: str
    requests: list[EnterpriseRequest] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    reporter_keys: set[tuple[str, int]] = field(default_factory=set)
    reporter_names: dict[tuple[str, int], str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.topic}-{self.category}"

    @property
    def topic_label(self) -> str:
        return str(BlockerTopic(self.topic).label)

    @property
    def category_label(self) -> str:
        return str(BlockerKind(self.category).label)

    @property
    def reporters(self) -> int:
        return len(self.reporter_keys)

    @property
    def items(self) -> int:
        return len(self.requests) + len(self.problems)

    @property
    def names(self) -> list[str]:
        return list(self.reporter_names.values())


def _reporter(item: EnterpriseRequest | Problem) -> tuple[tuple[str, int], str]:
    if isinstance(item, EnterpriseRequest):
        return ("enterprise", item.enterprise_id), item.enterprise.name
    enterprise = item.project.investor_enterprise
    if enterprise is not None:
        return ("enterprise", enterprise.pk), enterprise.name
    return ("project", item.project_id), item.project.name


def blocker_candidates(
    *,
    user: Any,
    topic: str | None = None,
    category: str | None = None,
    min_reporters: int = 2,
) -> list[CandidateGroup]:
    """Possible systemic blockers (候选共性问题): the user's open, ungrouped requests and
    problems by (topic, category), where at least `min_reporters` different enterprises or
    projects report it; most reporters first. Two queries whatever the number of items."""
    requests = candidate_requests(user=user)
    problems = candidate_problems(user=user)
    if topic:
        requests, problems = requests.filter(topic=topic), problems.filter(topic=topic)
    if category:
        requests, problems = requests.filter(category=category), problems.filter(kind=category)
    groups: dict[tuple[str, str], CandidateGroup] = {}

    def add(item: EnterpriseRequest | Problem, group_key: tuple[str, str]) -> CandidateGroup:
        group = groups.get(group_key)
        if group is None:
            group = groups[group_key] = CandidateGroup(topic=group_key[0], category=group_key[1])
        key, name = _reporter(item)
        group.reporter_keys.add(key)
        group.reporter_names.setdefault(key, name)
        return group

    for request in requests:
        add(request, (request.topic, request.category)).requests.append(request)
    for problem in problems:
        add(problem, (problem.topic, problem.kind)).problems.append(problem)
    topic_order = {value: index for index, value in enumerate(BlockerTopic.values)}
    kind_order = {value: index for index, value in enumerate(BlockerKind.values)}
    found = [group for group in groups.values() if group.reporters >= min_reporters]
    found.sort(
        key=lambda group: (
            -group.reporters,
            -group.items,
            topic_order.get(group.topic, 99),
            kind_order.get(group.category, 99),
        )
    )
    return found


def candidate_group(*, user: Any, topic: str, category: str) -> CandidateGroup | None:
    """One candidate group (None when it no longer qualifies)."""
    groups = blocker_candidates(user=user, topic=topic, category=category)
    return groups[0] if groups else None
