"""Reads of meetings and ceremonies: lists with their counts, the agenda the records call for,
the ceremonies' totals, and the decisions still open.

Whose records a meeting's agenda is built from (the issue leaves it open; decided here):
- 月例会 and 季观摩 are the 管委会's meetings on the key projects: zone-wide, every red light,
  overdue problem, late milestone and overdue enterprise request (企业诉求) of the zone ("the
  monthly meeting's agenda is the zone's red/overdue list");
- 周对接 and 线上洽谈 are a department's or a leader's: the projects the organising department
  (and the departments below it) is responsible for, the departments the host is in charge of
  (分管, with theirs below), and the projects the host liaises with (包联) or owns; a problem also
  counts when it is routed to one of those departments, a milestone when one of them is
  responsible for it, a request when it is routed to one of them, concerns a project in scope,
  or comes from an enterprise the host or one of those departments liaises with on the day;
- a ceremony has no agenda built from the records.
Everything is read as of the meeting's date: the red lights from key-project scheduling
(`projects_with_red_light`), the overdue problems from the problem list (`overdue_problems`),
the late milestones from the projects' one rule (`milestones_overdue`: planned before the day,
not reached by it, of a project not dropped by then), the overdue requests from
the requests' list (`overdue_requests`, with each one's clock on the day for its days overdue).
That list reads a request's status as it stands now: on a past date it gives the requests still
running whose deadline had passed by then, not those answered since.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.amounts import (
    AmountSum,
    AmountTotalField,
    exact_wan,
    format_yi,
    wan_to_yi,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.periods import format_day
from zoneops.common.scope import scope_queryset
from zoneops.common.selectors import counts_by_department
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.enterprises.selectors.register import liaison_enterprise_ids
from zoneops.enterprises.selectors.requests import (
    CLOCK_ATTRIBUTE,
    overdue_requests,
    requests_with_clock,
)
from zoneops.meetings.enums import CEREMONIES, AgendaSource, MeetingKind, MeetingStatus
from zoneops.meetings.models import AgendaItem, Decision, Meeting
from zoneops.orgs.models import Department
from zoneops.orgs.selectors import department_descendant_ids, member_department_ids
from zoneops.projects.enums import PIPELINE, STAGE_ORDER, Stage
from zoneops.projects.models import Milestone, Problem, Project
from zoneops.projects.selectors import projects_with_stage_as_of
from zoneops.projects.selectors.problems import overdue_problems
from zoneops.projects.selectors.scheduling import milestones_overdue, projects_with_red_light

ZONE_WIDE_KINDS = frozenset({MeetingKind.MONTHLY, MeetingKind.QUARTERLY_TOUR})
SIGNING_KINDS = frozenset({MeetingKind.SIGNING, MeetingKind.CLOUD_SIGNING})
ZERO = Decimal(0)


def _today() -> date:
    return timezone.localdate()


# --- the agenda from the records ----------------------------------------------------------------


@dataclass(frozen=True)
class AgendaScope:
    """Whose records a meeting's agenda covers: the zone, or departments and a person."""

    zone_wide: bool
    department_ids: frozenset[int] = frozenset()
    user_id: int | None = None

    def projects(self, prefix: str = "") -> Q:
        """The projects in scope, as a filter (on a relation to Project with `prefix`)."""
        condition = Q(**{f"{prefix}responsible_department__in": self.department_ids})
        if self.user_id is not None:
            condition |= Q(**{f"{prefix}liaison_leader_id": self.user_id})
            condition |= Q(**{f"{prefix}owner_id": self.user_id})
        return condition

    def requests(self, *, as_of: date) -> Q:
        """The enterprise requests in scope, as a filter on EnterpriseRequest: about a project
        in scope, routed to one of the departments, or from an enterprise that the host or one
        of the departments liaises with (包联) on `as_of`."""
        enterprises = liaison_enterprise_ids(
            on=as_of, department_ids=self.department_ids, person_id=self.user_id
        )
        return (
            self.projects("project__")
            | Q(department__in=self.department_ids)
            | Q(enterprise__in=enterprises)
        )

    def covers(self, project: Project) -> bool:
        if self.zone_wide:
            return True
        if project.responsible_department_id in self.department_ids:
            return True
        return self.user_id is not None and self.user_id in (
            project.liaison_leader_id,
            project.owner_id,
        )


def meeting_agenda_scope(*, meeting: Meeting) -> AgendaScope:
    """Whose red lights, problems, milestones and requests go on the meeting's agenda (see the
    module)."""
    if meeting.kind in CEREMONIES:
        raise ApplicationError(
            _("“%(kind)s”是仪式，没有议题。") % {"kind": meeting.get_kind_display()}, field="kind"
        )
    if meeting.kind in ZONE_WIDE_KINDS:
        return AgendaScope(zone_wide=True)
    if meeting.organiser_id is None and meeting.host_id is None:
        raise ApplicationError(
            _("请先填写承办部门或主持人：周对接、线上洽谈的议题按其负责的项目生成。"),
            field="organiser",
        )
    roots: list[int] = [meeting.organiser_id] if meeting.organiser_id else []
    if meeting.host_id:
        in_charge = Department.objects.filter(leaders_in_charge=meeting.host_id)
        roots += list(in_charge.values_list("pk", flat=True))
    return AgendaScope(
        zone_wide=False,
        department_ids=frozenset(department_descendant_ids(department_ids=roots)),
        user_id=meeting.host_id,
    )


def agenda_item_key(
    *,
    project_id: int | None,
    problem_id: int | None,
    milestone_id: int | None,
    request_id: int | None = None,
) -> tuple[str, int] | None:
    """What an agenda item is about, for not putting the same matter on twice: its problem, else
    its milestone, else its enterprise request, else its project as a whole; an item about none
    of them is its own."""
    if problem_id is not None:
        return ("problem", problem_id)
    if milestone_id is not None:
        return ("milestone", milestone_id)
    if request_id is not None:
        return ("request", request_id)
    if project_id is not None:
        return ("project", project_id)
    return None


@dataclass(frozen=True)
class AgendaCandidate:
    source: str
    title: str
    project_id: int | None  # None: a request about no project
    problem_id: int | None = None
    milestone_id: int | None = None
    request_id: int | None = None
    note: str = ""

    @property
    def key(self) -> tuple[str, int] | None:
        return agenda_item_key(
            project_id=self.project_id,
            problem_id=self.problem_id,
            milestone_id=self.milestone_id,
            request_id=self.request_id,
        )


def _red_light_candidate(project: Project) -> AgendaCandidate:
    light = getattr(project, "light", None)  # set by projects_with_red_light
    return AgendaCandidate(
        source=AgendaSource.RED_LIGHT,
        title=_("红灯项目：%(project)s") % {"project": project.name},
        project_id=project.pk,
        note="".join(light.reasons) if light is not None else "",
    )


def _problem_candidate(problem: Problem) -> AgendaCandidate:
    due = getattr(problem, "due_as_of", None) or problem.due_on
    return AgendaCandidate(
        source=AgendaSource.OVERDUE_PROBLEM,
        title=_("逾期问题：%(project)s——%(problem)s（%(department)s，%(due)s到期）")
        % {
            "project": problem.project.name,
            "problem": problem.title,
            "department": problem.department.name,
            "due": format_day(due),
        },
        project_id=problem.project_id,
        problem_id=problem.pk,
    )


def _milestone_candidate(milestone: Milestone) -> AgendaCandidate:
    responsible = milestone.responsible_department
    return AgendaCandidate(
        source=AgendaSource.LATE_MILESTONE,
        title=_("滞后节点：%(project)s——%(milestone)s（计划%(planned)s完成）")
        % {
            "project": milestone.project.name,
            "milestone": milestone.name,
            "planned": format_day(milestone.planned_on),
        },
        project_id=milestone.project_id,
        milestone_id=milestone.pk,
        note=_("责任部门：%(department)s") % {"department": responsible.name}
        if responsible
        else "",
    )


def _request_candidate(request: EnterpriseRequest) -> AgendaCandidate:
    clock = getattr(request, CLOCK_ATTRIBUTE, None)  # set by requests_with_clock
    names = {"enterprise": request.enterprise.name, "request": request.title}
    if clock is not None and clock.level == "red":
        title = _("逾期诉求：%(enterprise)s——%(request)s（%(overdue)s）") % {
            **names,
            "overdue": clock.label,
        }
    else:  # the stored deadline has passed but the clock reads otherwise (calendar changed)
        title = _("逾期诉求：%(enterprise)s——%(request)s") % names
    department = request.department.name if request.department else _("未交办")
    due = format_day(request.due_on) if request.due_on else "—"
    return AgendaCandidate(
        source=AgendaSource.OVERDUE_REQUEST,
        title=title,
        project_id=request.project_id,
        request_id=request.pk,
        note=_("承办部门：%(department)s；办结期限：%(due)s")
        % {"department": department, "due": due},
    )


def agenda_candidates(*, meeting: Meeting) -> list[AgendaCandidate]:
    """The items the records put on the meeting's agenda as of its date, in this order: red-light
    key projects, overdue problems (oldest deadline first), late milestones (oldest first),
    overdue enterprise requests (oldest deadline first).

    Whose records: `meeting_agenda_scope`. Reads in a fixed number of queries.
    """
    scope = meeting_agenda_scope(meeting=meeting)
    as_of = meeting.held_on
    candidates = [
        _red_light_candidate(project)
        for project in projects_with_red_light(as_of=as_of)
        if scope.covers(project)
    ]
    problems = overdue_problems(as_of=as_of)
    milestones = milestones_overdue(as_of=as_of)
    requests = overdue_requests(user=None, on=as_of)
    if not scope.zone_wide:
        problems = problems.filter(
            scope.projects("project__") | Q(department__in=scope.department_ids)
        )
        milestones = milestones.filter(
            scope.projects("project__") | Q(responsible_department__in=scope.department_ids)
        )
        requests = requests.filter(scope.requests(as_of=as_of))
    candidates += [_problem_candidate(problem) for problem in problems]
    candidates += [_milestone_candidate(milestone) for milestone in milestones]
    candidates += [
        _request_candidate(request) for request in requests_with_clock(requests, on=as_of)
    ]
    return candidates


def agenda_missing(*, meeting: Meeting) -> list[AgendaCandidate]:
    """The candidates not yet on the agenda: what building it would add (a record already on it,
    built or added by hand, is not added again)."""
    present = {
        agenda_item_key(
            project_id=project_id,
            problem_id=problem_id,
            milestone_id=milestone_id,
            request_id=request_id,
        )
        for project_id, problem_id, milestone_id, request_id in AgendaItem.objects.filter(
            meeting=meeting
        ).values_list("project_id", "problem_id", "milestone_id", "request_id")
    }
    missing = []
    for candidate in agenda_candidates(meeting=meeting):
        if candidate.key not in present:
            present.add(candidate.key)
            missing.append(candidate)
    return missing


def meeting_available_actions(*, meeting: Meeting) -> frozenset[str]:
    """The steps that fit the meeting's state: build its agenda, hold it, cancel it."""
    if meeting.status != MeetingStatus.PLANNED:
        return frozenset()
    if meeting.kind in CEREMONIES:
        return frozenset({"hold", "cancel"})
    return frozenset({"build_agenda", "hold", "cancel"})


def decision_available_actions(*, decision: Decision) -> frozenset[str]:
    """The steps that fit the decision's state: mark it done once its meeting is held."""
    if decision.done_on is not None or decision.meeting.status != MeetingStatus.HELD:
        return frozenset()
    return frozenset({"done"})


# --- ceremonies ---------------------------------------------------------------------------------


def _required_stage(kind: str) -> Stage:
    return Stage.SIGNED if kind in SIGNING_KINDS else Stage.STARTED


def ceremony_stage_refusals(*, kind: str, on: date, projects: Any) -> list[str]:
    """Why each project may not be on a ceremony of `kind` held on `on` (empty: all may).

    A 签约仪式/云签约 lists projects signed that day or at 签约 or a later stage on that day; a
    集中开工 lists projects started (在建 or later) on or by that day. The stage on the day is
    read from the stage moves, in one query.
    """
    ids = [project.pk for project in projects]
    if not ids:
        return []
    required = _required_stage(kind)
    date_field = "signed_on" if required == Stage.SIGNED else "started_on"
    rows = projects_with_stage_as_of(as_of=on).filter(pk__in=ids)
    refusals = []
    for project in rows.order_by("code"):
        stage = project.stage_at
        reached = stage in PIPELINE and STAGE_ORDER[Stage(stage)] >= STAGE_ORDER[required]
        if reached or getattr(project, date_field) == on:
            continue
        if stage is None:
            where = _("尚未登记")
        else:
            where = _("处于“%(stage)s”阶段") % {"stage": Stage(stage).label}
        need = _("尚未签约") if required == Stage.SIGNED else _("尚未开工")
        refusals.append(
            _("“%(project)s”在%(on)s%(where)s，%(need)s，不能列入%(kind)s。")
            % {
                "project": project.name,
                "on": format_day(on),
                "where": where,
                "need": need,
                "kind": MeetingKind(kind).label,
            }
        )
    return refusals


@dataclass(frozen=True)
class CeremonyTotals:
    kind: str
    count: int
    investment_wan: Decimal
    investment_yi: Decimal
    duration_minutes: int | None
    line: str  # "签约项目56个，总投资83亿元，用时40分钟"


def ceremony_line(
    *, kind: str, count: int, investment_wan: Decimal | None, duration_minutes: int | None
) -> str:
    """A ceremony's totals as the zone writes them: "签约项目56个，总投资83亿元，用时40分钟"."""
    what = _("签约项目") if kind in SIGNING_KINDS else _("开工项目")
    line = _("%(what)s%(count)d个，总投资%(amount)s") % {
        "what": what,
        "count": count,
        "amount": format_yi(investment_wan),
    }
    if duration_minutes:
        line += _("，用时%(minutes)d分钟") % {"minutes": duration_minutes}
    return line


def ceremony_totals(meeting: Meeting) -> CeremonyTotals:
    """How many projects a ceremony signed or started, their total investment and its length."""
    if meeting.kind not in CEREMONIES:
        raise ApplicationError(
            _("“%(kind)s”不是仪式，没有签约/开工统计。") % {"kind": meeting.get_kind_display()},
            field="kind",
        )
    totals = meeting.projects.aggregate(count=Count("pk"), investment=AmountSum("total_investment"))
    investment = exact_wan(totals["investment"])
    return CeremonyTotals(
        kind=meeting.kind,
        count=totals["count"],
        investment_wan=investment,
        investment_yi=wan_to_yi(investment),
        duration_minutes=meeting.duration_minutes,
        line=ceremony_line(
            kind=meeting.kind,
            count=totals["count"],
            investment_wan=investment,
            duration_minutes=meeting.duration_minutes,
        ),
    )


def meetings_held_by_kind(*, start: date, end: date, user: Any = None) -> dict[str, int]:
    """How many meetings and ceremonies of each kind were held from `start` to `end`, in the
    user's scope (one query): kind → count, the kinds held at least once."""
    queryset: QuerySet = Meeting.objects.filter(
        status=MeetingStatus.HELD, held_on__range=(start, end)
    )
    if user is not None:
        queryset = scope_queryset(queryset, user)
    rows = queryset.order_by().values("kind").annotate(n=Count("pk"))
    return {row["kind"]: row["n"] for row in rows}


# --- lists --------------------------------------------------------------------------------------


def _count_of(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("meeting").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _sum_of(queryset: QuerySet, field: str) -> Coalesce:
    summed = queryset.order_by().values("meeting").annotate(total=AmountSum(field)).values("total")
    amount = AmountTotalField()
    return Coalesce(Subquery(summed, output_field=amount), ZERO, output_field=amount)


def meetings_with_counts(queryset: QuerySet[Meeting], *, as_of: date | None = None) -> QuerySet:
    """Meetings with their host and organiser and, per row, `agenda_count`, `decision_count`,
    `open_decision_count`, `overdue_decision_count`, `project_count` and `project_investment`
    (万元) — one query for the whole list."""
    as_of = as_of or _today()
    links: QuerySet = Meeting.projects.through.objects.filter(meeting=OuterRef("pk"))
    decisions = Decision.objects.filter(meeting=OuterRef("pk"))
    return queryset.select_related("host", "organiser").annotate(
        agenda_count=_count_of(AgendaItem.objects.filter(meeting=OuterRef("pk"))),
        decision_count=_count_of(decisions),
        open_decision_count=_count_of(decisions.filter(done_on__isnull=True)),
        overdue_decision_count=_count_of(decisions.filter(done_on__isnull=True, due_on__lt=as_of)),
        project_count=_count_of(links),
        project_investment=_sum_of(links, "project__total_investment"),
    )


def meetings_list(
    *,
    user: Any,
    kind: str | None = None,
    status: str | None = None,
    held_from: date | None = None,
    held_to: date | None = None,
    q: str | None = None,
) -> QuerySet:
    """The meetings and ceremonies the user may see, latest first, with their counts."""
    queryset: QuerySet = scope_queryset(Meeting.objects.all(), user)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if held_from:
        queryset = queryset.filter(held_on__gte=held_from)
    if held_to:
        queryset = queryset.filter(held_on__lte=held_to)
    if q:
        queryset = queryset.filter(title__icontains=q)
    return meetings_with_counts(queryset).order_by("-held_on", "-id")


def meeting_detail_queryset(*, user: Any) -> QuerySet[Meeting]:
    """Meetings the user may see, each with its agenda, decisions, attendees and projects."""
    return (
        scope_queryset(Meeting.objects.all(), user)
        .select_related("host", "organiser")
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.select_related(
                    "project", "problem", "milestone", "request"
                ),
            ),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("owner", "owner_department"),
            ),
            "attendees",
            Prefetch("projects", queryset=Project.objects.order_by("code")),
        )
    )


class DecisionState:
    OPEN = "open"
    OVERDUE = "overdue"
    DONE = "done"
    CHOICES = (OPEN, OVERDUE, DONE)


def decision_overdue_q(*, as_of: date) -> Q:
    """A decision of a meeting held, not done by `as_of`, whose deadline was before it."""
    not_done = Q(done_on__isnull=True) | Q(done_on__gt=as_of)
    return Q(meeting__status=MeetingStatus.HELD, due_on__lt=as_of) & not_done


def decisions_list(
    *,
    user: Any,
    state: str | None = None,
    as_of: date | None = None,
    meeting_id: int | None = None,
    owner_department_id: int | None = None,
) -> QuerySet[Decision]:
    """Decisions the user may see, earliest deadline first: all, open (not done), overdue (see
    `decision_overdue_q`; on `as_of`, today by default) or done."""
    as_of = as_of or _today()
    queryset = scope_queryset(Decision.objects.all(), user).select_related(
        "meeting", "owner", "owner_department"
    )
    if state == DecisionState.OPEN:
        queryset = queryset.filter(done_on__isnull=True)
    elif state == DecisionState.OVERDUE:
        queryset = queryset.filter(decision_overdue_q(as_of=as_of))
    elif state == DecisionState.DONE:
        queryset = queryset.filter(done_on__isnull=False)
    if meeting_id:
        queryset = queryset.filter(meeting_id=meeting_id)
    if owner_department_id:
        queryset = queryset.filter(owner_department_id=owner_department_id)
    return queryset.order_by("due_on", "id")


def decisions_overdue(*, as_of: date, user: Any = None) -> QuerySet[Decision]:
    """Decisions not done by `as_of` whose deadline was before it (done later counts as open
    then); zone-wide, or in the user's scope."""
    queryset = Decision.objects.filter(decision_overdue_q(as_of=as_of))
    if user is not None:
        queryset = scope_queryset(queryset, user)
    return queryset.select_related("meeting", "owner", "owner_department").order_by("due_on", "id")


@dataclass(frozen=True)
class SupervisionDraft:
    """What a supervised task made from a decision starts with (for the supervision issue)."""

    source: str  # "meeting_decision"
    decision_id: int
    meeting_id: int
    title: str
    description: str
    department_id: int
    assignee_id: int | None
    assigned_on: date
    due_on: date


def decision_supervision_draft(*, decision: Decision) -> SupervisionDraft:
    """The fields of the supervised task a decision becomes (see
    `services.decision_to_supervision_task`)."""
    meeting = decision.meeting
    return SupervisionDraft(
        source="meeting_decision",
        decision_id=decision.pk,
        meeting_id=meeting.pk,
        title=decision.text[:100],
        description=_("%(on)s%(meeting)s议定：%(text)s")
        % {"on": format_day(meeting.held_on), "meeting": meeting.title, "text": decision.text},
        department_id=decision.owner_department_id,
        assignee_id=decision.owner_id,
        assigned_on=meeting.held_on,
        due_on=decision.due_on,
    )


# --- the day's page (今日事项, 日清日结) ----------------------------------------------------
# A decision is its owner's, or, when it names none, its responsible department's members'; the
# meeting's host supervises it. It arrives on the day of its meeting (议定之日).


def _decisions_of(
    *, user: Any, departments: Collection[int] | None, queryset: QuerySet
) -> QuerySet[Decision]:
    if departments is not None:
        own, supervised = Q(owner_department_id__in=list(departments)), Q(pk__in=[])
    else:
        own = Q(owner=user) | Q(
            owner__isnull=True, owner_department_id__in=member_department_ids(user_id=user.pk)
        )
        supervised = Q(meeting__host=user)
    return (
        scope_queryset(queryset, user)
        .filter(own | supervised)
        .annotate(owned=ExpressionWrapper(own, output_field=BooleanField()))
        .select_related("meeting", "owner", "owner_department")
        .order_by("due_on", "id")
    )


def decisions_due_by(
    *, user: Any, until: date, departments: Collection[int] | None = None
) -> QuerySet[Decision]:
    """Decisions of meetings held, not done, due on or before `until`, within the user's scope,
    that he owns or supervises (or, with `departments`, those departments'); each with
    `owned`."""
    open_ = Decision.objects.filter(
        meeting__status=MeetingStatus.HELD, done_on__isnull=True, due_on__lte=until
    )
    return _decisions_of(user=user, departments=departments, queryset=open_)


def decisions_done_on(
    *, user: Any, on: date, departments: Collection[int] | None = None
) -> QuerySet[Decision]:
    """The decisions done on the day, same reach as `decisions_due_by`."""
    done = Decision.objects.filter(meeting__status=MeetingStatus.HELD, done_on=on)
    return _decisions_of(user=user, departments=departments, queryset=done)


def decisions_done_on_meeting_day(
    *, start: date, end: date, departments: Collection[int] | None = None
) -> int:
    """How many decisions of meetings held between `start` and `end` were done on the day of
    the meeting (议定当日办结)."""
    decisions = _decisions_done_at_meeting(start=start, end=end)
    if departments is not None:
        decisions = decisions.filter(owner_department_id__in=list(departments))
    return decisions.count()


def decisions_done_on_meeting_day_by_department(*, start: date, end: date) -> dict[int | None, int]:
    """`decisions_done_on_meeting_day` per owner department, in one query."""
    decisions = _decisions_done_at_meeting(start=start, end=end)
    return counts_by_department(decisions, "owner_department_id")


def _decisions_done_at_meeting(*, start: date, end: date) -> QuerySet[Decision]:
    return Decision.objects.filter(
        meeting__status=MeetingStatus.HELD,
        meeting__held_on__range=(start, end),
        done_on=F("meeting__held_on"),
    )
