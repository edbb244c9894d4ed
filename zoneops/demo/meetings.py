"""The demo zone's meetings and ceremonies, written through the meetings services.

The article's two events are real records: the 2020-05-08 云签约 (56 projects, 83亿元, in 40
minutes) and the spring 2020 集中开工 (8 key projects, 9.76亿元), each with its projects from
`zoneops.demo.pipeline`; their totals are computed from those projects, never typed in.

The article names the cadence — 周对接, 月例会, 季观摩, and talks held online in the 线上会客厅 —
but no single meeting: the meetings of each kind here are illustrative, their titles end with
"（示例）". Their agendas are built from the records as of the meeting's date (red lights,
overdue problems, late milestones, as far as the other demo areas hold them) plus items added by
hand; their decisions have owners and deadlines, most of them done.

Idempotent: a meeting is found again by its natural key (kind, date, title) and then left alone,
whatever a user has done to it since.
"""

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from django.db import transaction

from zoneops.demo import pipeline
from zoneops.demo.data import ZONE
from zoneops.demo.supervision import decision_finish
from zoneops.meetings.enums import CEREMONIES, MeetingKind
from zoneops.meetings.models import AgendaItem, Decision, Meeting
from zoneops.meetings.selectors import ceremony_totals
from zoneops.meetings.services import (
    agenda_item_add,
    decision_create,
    meeting_build_agenda,
    meeting_cancel,
    meeting_hold,
    meeting_schedule,
)
from zoneops.orgs.models import Department, User
from zoneops.projects.models import Project

SAMPLE = pipeline.SAMPLE_SUFFIX
PREPARED_BY = "xmb_staff"  # the 项目专员 who prepares the key-project meetings
CEREMONY_BY = "zsj_staff"  # the 招商专员 who records the ceremonies
LEADERS = ("director", "leader", "leader2", "leader3")


@dataclass(frozen=True)
class DecisionSpec:
    text: str
    department: str  # code
    due_on: date
    owner: str | None = None  # username
    done_on: date | None = None
    item: int | None = None  # index of the hand-added agenda item it settles


@dataclass(frozen=True)
class MeetingSpec:
    kind: MeetingKind
    title: str
    held_on: date
    organiser: str  # department code
    host: str  # username
    attendees: tuple[str, ...] = ()
    location: str = ""
    starts_at: time | None = None
    duration_minutes: int | None = None
    external_attendees: str = ""
    projects: tuple[str, ...] = ()  # a ceremony's project codes
    items: tuple[tuple[str, str | None], ...] = ()  # (title, project code) added by hand
    build_agenda: bool = False
    decisions: tuple[DecisionSpec, ...] = ()
    minutes: str = ""  # the ceremony's totals line is put in front of a ceremony's minutes
    cancel_reason: str = ""  # set: the meeting was called off


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _name(code: str) -> str:
    return pipeline.BY_CODE[code].name


def _weekly(code: str, held_on: str, decision: DecisionSpec) -> MeetingSpec:
    """A weekly docking with a key project's investor, chaired by its liaison leader."""
    spec = pipeline.BY_CODE[code]
    investor = spec.investor or "项目单位"
    return MeetingSpec(
        kind=MeetingKind.WEEKLY_DOCKING,
        title=f"{spec.name}周对接会{SAMPLE}",
        held_on=_d(held_on),
        organiser=spec.department or "xmb",
        host=spec.leader or "leader",
        attendees=(spec.leader or "leader", PREPARED_BY),
        location="项目现场会议室",
        starts_at=time(9, 0),
        duration_minutes=60,
        external_attendees=f"{investor}项目负责人",
        items=((f"{spec.name}建设进展及需协调事项", code),),
        build_agenda=True,
        decisions=(decision,),
        minutes=f"与{investor}对接{spec.name}建设进展，逐项研究需协调解决的事项。",
    )


def _tour_items(held_on: date) -> tuple[tuple[str, str | None], ...]:
    """The key projects a quarterly tour visits: the year's key projects building by then."""
    visited = []
    for code in pipeline.KEY_2019_CODES:
        started = [on for stage, on in pipeline.BY_CODE[code].moves if stage == pipeline.ST]
        if started and started[0] <= held_on:
            visited.append((f"观摩：{_name(code)}", code))
    return tuple(visited)


def _tour(quarter: str, held_on: str, *decisions: DecisionSpec) -> MeetingSpec:
    day = _d(held_on)
    return MeetingSpec(
        kind=MeetingKind.QUARTERLY_TOUR,
        title=f"2019年{quarter}重点项目观摩{SAMPLE}",
        held_on=day,
        organiser="xmb",
        host="director",
        attendees=(*LEADERS, "zsj_head", PREPARED_BY),
        location="各重点项目现场",
        starts_at=time(8, 30),
        duration_minutes=240,
        items=_tour_items(day),
        build_agenda=True,
        decisions=decisions,
        minutes="管委会领导带队逐一观摩重点项目现场，听取项目单位汇报，现场协调推进中的问题。",
    )


def _monthly(month: str, held_on: str, *decisions: DecisionSpec, **extra: Any) -> MeetingSpec:
    return MeetingSpec(
        kind=MeetingKind.MONTHLY,
        title=f"{month}重点项目调度月例会{SAMPLE}",
        held_on=_d(held_on),
        organiser=ZONE,
        host="director",
        attendees=(*LEADERS, "zsj_head", PREPARED_BY),
        location="管委会第一会议室",
        starts_at=time(15, 0),
        duration_minutes=120,
        items=((f"{month}重点项目投资完成情况通报", None),),
        build_agenda=True,
        decisions=decisions,
        minutes="管委会月例会听取重点项目调度情况汇报，逐项研究红灯项目、逾期问题和滞后节点。",
        **extra,
    )


CLOUD_SIGNING = MeetingSpec(
    kind=MeetingKind.CLOUD_SIGNING,
    title="沧州经济开发区2020年重点项目云签约仪式",
    held_on=pipeline.CLOUD_SIGNING_ON,
    organiser="zsj",
    host="director",
    attendees=(*LEADERS, "zsj_head", CEREMONY_BY),
    location="管委会主会场（视频连线）",
    starts_at=time(9, 30),
    duration_minutes=40,
    external_attendees="56个签约项目的企业代表（视频连线）",
    projects=pipeline.CLOUD_SIGNING_CODES,
    minutes="签约项目涉及汽车零部件制造、生物医药、新材料、高新技术研发、商业综合体、产业基金"
    "等领域；客商不见面，招商不断线。",
)

SPRING_START = MeetingSpec(
    kind=MeetingKind.GROUNDBREAKING,
    title="沧州市2020年春季项目集中开工活动（开发区分会场）",
    held_on=pipeline.SPRING_START_ON,
    organiser="xmb",
    host="director",
    attendees=(*LEADERS, PREPARED_BY),
    location="新材料产业园",
    starts_at=time(9, 0),
    projects=pipeline.SPRING_START_CODES,
    minutes="亚超特铝复合材料、国工恒昌新型高强高导铜合金引线框架材料、联之捷国防军工特种焊材"
    "及工艺等掌握行业领先技术的高端新材料项目集中开工。",
)

# The first project registered in 2020 and signed at the 云签约 whose investor is abroad: its
# talks went on in the online hall during the epidemic.
ONLINE_PROJECT = next(
    code
    for code in pipeline.CLOUD_SIGNING_CODES
    if pipeline.BY_CODE[code].moves[0][1].year == 2020 and pipeline.BY_CODE[code].country != "中国"
)


def _online_talks(code: str, held_on: date, decision: DecisionSpec) -> MeetingSpec:
    spec = pipeline.BY_CODE[code]
    investor = spec.investor or f"{spec.name}投资方"
    return MeetingSpec(
        kind=MeetingKind.ONLINE_TALKS,
        title=f"{spec.name}线上洽谈{SAMPLE}",
        held_on=held_on,
        organiser="zsj-2" if spec.industry == "new-materials" else "zsj-1",
        host="zsj_head",
        attendees=("zsj_head", CEREMONY_BY),
        starts_at=time(10, 0),
        duration_minutes=90,
        external_attendees=f"{investor}（视频连线）",
        items=((f"{spec.name}合作条件洽谈", code),),
        decisions=(decision,),
        minutes=f"通过线上会客厅与{investor}视频洽谈{spec.name}的投资规模、选址和合作条件。"
        "客商不见面，招商不断线。",
    )


def _after_talks(code: str, days: int) -> date:
    """A weekday `days` after the project's talks began (before its signing)."""
    day = pipeline.BY_CODE[code].moves[0][1] + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


MEETINGS: tuple[MeetingSpec, ...] = (
    CLOUD_SIGNING,
    SPRING_START,
    _weekly(
        "DEMO-ZSHK-1",
        "2019-09-02",
        DecisionSpec(
            "自然资源和规划局加快中商高科二期用地规划条件核定",
            "zrzyj",
            _d("2019-09-30"),
            done_on=_d("2019-09-26"),
            item=0,
        ),
    ),
    _weekly(
        "DEMO-MBSHF",
        "2019-11-04",
        DecisionSpec(
            "项目办协调供电公司，完成摩比斯北方基地双回路供电方案",
            "xmb",
            _d("2019-11-29"),
            owner=PREPARED_BY,
            done_on=_d("2019-11-25"),
            item=0,
        ),
    ),
    _weekly(
        "DEMO-JJJWL",
        "2020-03-09",
        DecisionSpec(
            "企业服务局协助项目单位解决复工复产用工和防疫物资",
            "qyfwj",
            _d("2020-03-20"),
            done_on=_d("2020-03-18"),
            item=0,
        ),
    ),
    _monthly(
        "2019年11月",
        "2019-11-28",
        DecisionSpec(
            "项目办牵头，对红灯项目逐一制定整改措施，倒排工期",
            "xmb",
            _d("2019-12-13"),
            owner=PREPARED_BY,
            done_on=_d("2019-12-12"),
        ),
    ),
    _monthly(
        "2019年12月",
        "2019-12-27",
        DecisionSpec(
            "招商局梳理2020年产业谋划项目，明确包联领导和责任部门",
            "zsj",
            _d("2020-01-17"),
            owner="zsj_head",
            done_on=_d("2020-01-15"),
        ),
        DecisionSpec(
            "经济发展局汇总2019年主要经济指标，形成全年工作总结",
            "jfj",
            _d("2020-01-10"),
            done_on=_d("2020-01-09"),
            item=0,
        ),
    ),
    _monthly(
        "2020年2月",
        "2020-02-27",
        cancel_reason="受新冠肺炎疫情影响，改为各项目服务办线上调度",
    ),
    _monthly(
        "2020年6月",
        "2020-06-29",
        DecisionSpec(
            "各项目服务办督促在建项目按月报送调度数据，确保序时进度",
            "xmb",
            _d("2020-07-10"),
            owner=PREPARED_BY,
            done_on=_d("2020-07-08"),
        ),
        DecisionSpec(
            "自然资源和规划局加快钛合金新材料项目用地组卷报批",
            "zrzyj",
            _d("2020-07-31"),
        ),
    ),
    _tour("第二季度", "2019-06-27"),
    _tour("第三季度", "2019-09-26"),
    _tour(
        "第四季度",
        "2019-12-19",
        DecisionSpec(
            "项目办总结全年观摩情况，评选观摩先进项目",
            "xmb",
            _d("2019-12-31"),
            owner=PREPARED_BY,
            done_on=_d("2019-12-30"),
        ),
    ),
    _online_talks(
        "DEMO-TAHJ",
        _d("2020-04-14"),
        DecisionSpec(
            "招商二科于4月底前报送钛合金新材料项目合作协议草案",
            "zsj",
            _d("2020-04-30"),
            owner="zsj_head",
            done_on=_d("2020-04-28"),
            item=0,
        ),
    ),
    _online_talks(
        ONLINE_PROJECT,
        _after_talks(ONLINE_PROJECT, 7),
        DecisionSpec(
            "招商一科落实项目选址，列入5月云签约项目",
            "zsj",
            pipeline.CLOUD_SIGNING_ON,
            owner="zsj_head",
            done_on=pipeline.CLOUD_SIGNING_ON,
            item=0,
        ),
    ),
)


@dataclass
class _Refs:
    users: dict[str, User]
    departments: dict[str, Department]
    projects: dict[str, Project] = field(default_factory=dict)


def _refs(specs: tuple[MeetingSpec, ...] = MEETINGS) -> _Refs:
    usernames = {PREPARED_BY, CEREMONY_BY}
    codes: set[str] = set()
    departments: set[str] = set()
    for spec in specs:
        usernames |= {spec.host, *spec.attendees}
        usernames |= {d.owner for d in spec.decisions if d.owner}
        departments |= {spec.organiser, *(d.department for d in spec.decisions)}
        codes |= set(spec.projects) | {code for _title, code in spec.items if code}
    refs = _Refs(
        users={u.username: u for u in User.objects.filter(username__in=usernames)},
        departments={d.code: d for d in Department.objects.filter(code__in=departments)},
        projects={p.code: p for p in Project.objects.filter(code__in=codes)},
    )
    missing = (
        (usernames - set(refs.users))
        | (departments - set(refs.departments))
        | (codes - set(refs.projects))
    )
    if missing:
        raise RuntimeError(
            "演示会议需要先加载组织、账号和项目 / load the organisation, accounts and projects "
            f"first: {', '.join(sorted(missing))}"
        )
    return refs


@transaction.atomic
def load_meetings(*, result: Any, specs: tuple[MeetingSpec, ...] = MEETINGS) -> list[Meeting]:
    """Create the demo meetings and ceremonies (or the later years' `specs`) that are
    missing; returns every one of them.

    `result` is the loader's DemoResult: `result.created` counts meetings, agenda items and
    decisions created.
    """
    refs = _refs(specs)
    existing = {
        (m.kind, m.held_on, m.title): m
        for m in Meeting.objects.filter(title__in=[spec.title for spec in specs])
    }
    meetings = []
    for spec in specs:
        meeting = existing.get((spec.kind, spec.held_on, spec.title))
        if meeting is None:
            meeting = _create(spec, refs=refs, result=result)
        meetings.append(meeting)
    return meetings


def _create(spec: MeetingSpec, *, refs: _Refs, result: Any) -> Meeting:
    by = refs.users[CEREMONY_BY if spec.kind in CEREMONIES else PREPARED_BY]
    meeting = meeting_schedule(
        kind=spec.kind,
        title=spec.title,
        held_on=spec.held_on,
        starts_at=spec.starts_at,
        duration_minutes=spec.duration_minutes,
        location=spec.location,
        host=refs.users[spec.host],
        organiser=refs.departments[spec.organiser],
        attendees=[refs.users[name] for name in spec.attendees],
        external_attendees=spec.external_attendees,
        projects=[refs.projects[code] for code in spec.projects],
        by=by,
    )
    result.created["meetings"] += 1
    if spec.cancel_reason:
        meeting_cancel(meeting=meeting, reason=spec.cancel_reason, by=by)
        return meeting
    items: list[AgendaItem] = [
        agenda_item_add(
            meeting=meeting,
            title=title,
            project=refs.projects[code] if code else None,
            by=by,
        )
        for title, code in spec.items
    ]
    if spec.build_agenda:
        meeting_build_agenda(meeting=meeting, by=by)
    result.created["agenda_items"] += meeting.agenda_items.count()
    decisions: list[tuple[Decision, date | None]] = []
    for decision in spec.decisions:
        created = decision_create(
            meeting=meeting,
            text=decision.text,
            due_on=decision.due_on,
            owner=refs.users[decision.owner] if decision.owner else None,
            owner_department=refs.departments[decision.department],
            agenda_item=items[decision.item] if decision.item is not None else None,
            by=by,
        )
        decisions.append((created, decision.done_on))
    result.created["decisions"] += len(decisions)
    meeting = meeting_hold(meeting=meeting, minutes=_minutes(spec, meeting), by=by)
    for decision, done_on in decisions:
        if done_on is not None:
            decision_finish(decision=decision, done_on=done_on, by=by)
    return meeting


def _minutes(spec: MeetingSpec, meeting: Meeting) -> str:
    """The minutes; every figure in them is read from the records."""
    if spec.kind in CEREMONIES:
        return f"{ceremony_totals(meeting).line}。{spec.minutes}"
    agenda = meeting.agenda_items.count()
    return f"{spec.minutes}会议研究议题{agenda}项，议定事项{len(spec.decisions)}项。"
