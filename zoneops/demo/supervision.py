"""The demo zone's supervision (督查督办): the tasks the meetings' decisions became, worked to
the end where the decision was done; leaders' instructions, tasks from above (上级交办) and
routine ones; the 7,030 tasks of 2019 handed over and closed the same day (日清日结, with the
approvals' same-day cases the article's 8000+); the inspectors' checklists of the 19
enterprises the 12 of them liaise with (纪检包联), with visits and follow-ups.

With `today` the zone goes on: a lighter flow of same-day tasks each month (marked sample), and
open tasks running up to today — some late, urged and escalated — so the day's page has work.

The many same-day rows go in with bulk_create (task, history and its two events); the tasks
worked step by step go through the services.
"""

from datetime import date, timedelta

from django.db import connection
from django.db.models import F
from django.utils import timezone

from zoneops.common.services import records_bulk_update
from zoneops.common.workcalendar import add_working_days, calendar_pinned, is_working_day
from zoneops.demo.enterprises_data import INSPECTORS_FROM
from zoneops.demo.problems import AS_OF
from zoneops.demo.results import DemoResult
from zoneops.enterprises.enums import LiaisonKind
from zoneops.enterprises.models import LiaisonAssignment
from zoneops.meetings.models import Decision
from zoneops.meetings.services import decision_done
from zoneops.orgs.models import Department, Membership, User
from zoneops.supervision.enums import TaskSource, TaskStatus
from zoneops.supervision.models import Checklist, SupervisionTask, TaskEvent
from zoneops.supervision.selectors import task_may_work
from zoneops.supervision.services import (
    checklist_create,
    checklist_follow_up,
    checklist_visit_record,
    task_assign,
    task_close,
    task_escalate,
    task_progress,
    task_report,
    task_review,
    task_sign,
    task_urge,
)

BATCH = 1000  # rows per INSERT of the bulk same-day tasks
SAME_DAY_2019 = 7030  # with the approvals' same-day cases: "日清日结8000余件"
SAMPLE = "（示例）"
# The departments the routine flow goes to.
DEPARTMENTS = ("zsj", "xmb", "spj", "jfj", "zrzyj", "zjj", "qyfwj", "xmfw-2")
SAME_DAY_TOPICS = (
    "协调{e}用电报装",
    "帮办{e}施工许可材料",
    "解决{e}员工通勤班车",
    "核实{e}反映的道路照明问题",
    "协调{e}临时用地手续",
    "落实{e}人才公寓申请",
    "对接{e}银行贷款需求",
    "处理{e}反映的园区排水问题",
)
FIRMS = ("现代汽车", "北汽新能源", "明珠塑料", "渤海新材料", "中商高科", "华北石化", "沧州机械")
INSTRUCTIONS: tuple[tuple[str, str, str, str, int, str, str | None], ...] = (
    # (source, title, department, supervisor, limit days, assigned, closed)
    (
        TaskSource.INSTRUCTION,
        "加快北汽新能源二期项目供地",
        "zrzyj",
        "director",
        20,
        "2019-03-11",
        "2019-04-08",
    ),
    (
        TaskSource.INSTRUCTION,
        "研究解决重点项目用工缺口",
        "qyfwj",
        "leader2",
        15,
        "2019-05-06",
        "2019-05-24",
    ),
    (
        TaskSource.ASSIGNED,
        "落实市委督查室交办的营商环境整改事项",
        "spj",
        "leader3",
        10,
        "2019-07-15",
        "2019-07-26",
    ),
    (
        TaskSource.ASSIGNED,
        "完成省级开发区综合考核材料",
        "jfj",
        "director",
        10,
        "2019-11-04",
        "2019-11-15",
    ),
    (TaskSource.ROUTINE, "清理园区闲置土地", "zrzyj", "leader3", 30, "2020-03-02", None),
    (TaskSource.INSTRUCTION, "推动线上招商签约项目开工", "zsj", "leader", 25, "2020-05-11", None),
    (TaskSource.ASSIGNED, "落实复工复产政策兑现", "qyfwj", "director", 10, "2020-06-01", None),
)
CHECK_ITEMS = ("安全生产", "工程质量与进度", "惠企政策落实", "干部作风")
FINDINGS = (
    "施工现场安全防护不到位，需督促整改。",
    "企业反映审批材料多次往返，需核实并督办。",
    "惠企政策资金尚未拨付到位。",
    "未发现问题，企业对服务评价满意。",
)


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _users() -> dict[str, User]:
    return {user.username: user for user in User.objects.filter(enterprise__isnull=True)}


def _departments() -> dict[str, Department]:
    return {d.code: d for d in Department.objects.all()}


def _worker(task: SupervisionTask, users: dict[str, User], members: dict[int, User]) -> User:
    """Who works the task in the demo: its owner, a member of its department, or the leader
    in charge of it."""
    if task.owner is not None:
        return task.owner
    member = members.get(task.department_id)
    if member is not None:
        return member
    for user in users.values():
        if task_may_work(user=user, task=task):
            return user
    raise LookupError(task.department)


def _members() -> dict[int, User]:
    found: dict[int, User] = {}
    for membership in Membership.objects.select_related("user").order_by("pk"):
        if membership.user.enterprise_id is None and membership.user.is_active:
            found.setdefault(membership.department_id, membership.user)
    return found


def _work(task: SupervisionTask, *, worker: User, done: date, close: bool = True) -> None:
    """Sign, progress, report, review and (with `close`) close, the steps spread before `done`."""
    start = task.assigned_on
    span = max((done - start).days, 0)
    days = [start + timedelta(days=span * share // 4) for share in (1, 2, 3)]
    if task.status == TaskStatus.ASSIGNED:
        task = task_sign(task=task, by=worker, on=days[0])
    task = task_progress(task=task, text="已制定工作方案，正在推进。", by=worker, on=days[1])
    task = task_report(task=task, feedback="已按要求办结。", by=worker, on=days[2])
    supervisor = task.supervisor
    task = task_review(task=task, by=supervisor, on=done)
    if close:
        task_close(task=task, by=supervisor, on=done)


def load_supervision(*, result: DemoResult, today: date | None) -> None:
    users, departments, members = _users(), _departments(), _members()
    if not SupervisionTask.objects.filter(
        source=TaskSource.ROUTINE, assigned_on__year=2019
    ).exists():
        _instructions(users=users, departments=departments, members=members, result=result)
        _same_day(
            days=_working_days(date(2019, 1, 1), date(2019, 12, 31)),
            total=SAME_DAY_2019,
            users=users,
            departments=departments,
            sample=False,
            result=result,
        )
        _checklists(users=users, departments=departments, members=members, result=result)
    if today is not None and today > AS_OF:
        _living(today=today, users=users, departments=departments, members=members, result=result)


def decision_finish(*, decision: Decision, done_on: date, by: User | None) -> None:
    """Mark a demo decision done on its day (the meetings' and the living loaders call this for
    the decisions their story has done). A decision that became a task is finished by its task,
    as in the application: the task signed, reported, reviewed and closed (销号) on that day —
    written directly, its row (with history) and four events, not five services a decision —
    and then the decision marked done as the task's 销号 does."""
    task = (
        SupervisionTask.objects.filter(decision=decision)
        .exclude(status=TaskStatus.CLOSED)
        .select_related("supervisor")
        .first()
    )
    if task is not None:
        worker = task.owner_id or (
            Membership.objects.filter(
                department_id=task.department_id,
                user__enterprise__isnull=True,
                user__is_active=True,
            )
            .order_by("pk")
            .values_list("user_id", flat=True)
            .first()
        )
        task.status = TaskStatus.CLOSED
        task.signed_on = task.reported_on = task.reviewed_on = task.closed_on = done_on
        task.feedback = "已按会议要求办结。"
        fields = ["status", "signed_on", "reported_on", "reviewed_on", "closed_on", "feedback"]
        records_bulk_update(model=SupervisionTask, instances=[task], fields=fields, by=None)
        steps = (
            (TaskEvent.Kind.SIGNED, worker, ""),
            (TaskEvent.Kind.REPORTED, worker, task.feedback),
            (TaskEvent.Kind.REVIEWED, task.supervisor_id, ""),
            (TaskEvent.Kind.CLOSED, task.supervisor_id, "议定事项已完成，销号。"),
        )
        TaskEvent.objects.bulk_create(
            TaskEvent(task=task, kind=kind, on=done_on, by_id=by_id, note=note)
            for kind, by_id, note in steps
        )
    decision_done(decision=decision, done_on=done_on, by=by)


def _instructions(
    *,
    users: dict[str, User],
    departments: dict[str, Department],
    members: dict[int, User],
    result: DemoResult,
) -> None:
    for source, title, code, supervisor, limit, assigned, closed in INSTRUCTIONS:
        task = task_assign(
            source=source,
            title=title,
            department=departments[code],
            supervisor=users[supervisor],
            by=users[supervisor],
            assigned_on=_d(assigned),
            limit_days=limit,
        )
        worker = _worker(task, users, members)
        if closed is not None:
            _work(task, worker=worker, done=_d(closed))
        else:
            task_sign(task=task, by=worker, on=task.assigned_on)
        result.created["supervision_tasks"] += 1


def _working_days(first: date, last: date) -> list[date]:
    with calendar_pinned():
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return [day for day in days if is_working_day(day)]


def _same_day(
    *,
    days: list[date],
    total: int,
    users: dict[str, User],
    departments: dict[str, Department],
    sample: bool,
    result: DemoResult,
) -> None:
    """`total` routine tasks over the days, each handed over and closed the same day."""
    if not days or total <= 0:
        return
    supervisor = users["inspector"]
    codes = [code for code in DEPARTMENTS if code in departments]
    base, extra = divmod(total, len(days))
    rows: list[dict[str, object]] = []
    with calendar_pinned():
        for index, day in enumerate(days):
            due = add_working_days(day, 1)
            for n in range(base + (1 if index < extra else 0)):
                topic = SAME_DAY_TOPICS[(index + n) % len(SAME_DAY_TOPICS)]
                firm = FIRMS[(index * 7 + n) % len(FIRMS)]
                rows.append(
                    {
                        "title": topic.format(e=firm) + (SAMPLE if sample else ""),
                        "department": departments[codes[(index + n) % len(codes)]].pk,
                        "assigned_on": day,
                        "due_on": due.date,
                        "due_provisional": due.provisional,
                        "signed_on": day,
                        "reported_on": day,
                        "reviewed_on": day,
                        "closed_on": day,
                    }
                )
    template = SupervisionTask(
        source=TaskSource.ROUTINE,
        supervisor=supervisor,
        created_by=supervisor,
        updated_by=supervisor,
        limit_days=1,
        status=TaskStatus.CLOSED,
        feedback="当日办结。",
    )
    # Their events are their record (handed over, closed); no history row for each of them.
    first, last = _rows_insert(template=template, rows=rows)
    for kind, note in (
        (TaskEvent.Kind.ASSIGNED, "日清日结：当日交办。"),
        (TaskEvent.Kind.CLOSED, "当日办结销号。"),
    ):
        _events_of(first=first, last=last, kind=kind, note=note, by=supervisor)
    result.created["supervision_tasks"] += len(rows)


def _rows_insert(*, template: SupervisionTask, rows: list[dict[str, object]]) -> tuple[int, int]:
    """Insert a task for each row: the template's values, the row's in its own fields. One
    prepared statement run over plain tuples (thousands of rows without a model instance and
    its per-field preparation each); returns the first and last id written."""
    fields = [field for field in SupervisionTask._meta.concrete_fields if not field.primary_key]
    base = [field.get_db_prep_save(field.pre_save(template, True), connection) for field in fields]
    varying = [(i, field) for i, field in enumerate(fields) if field.name in rows[0]]
    q = connection.ops.quote_name
    values = []
    for row in rows:
        value = list(base)
        for i, field in varying:
            value[i] = field.get_db_prep_save(row[field.name], connection)
        values.append(value)
    table, pk = q(SupervisionTask._meta.db_table), q(SupervisionTask._meta.pk.column)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # nosec B608 # noqa: S608  names from the model
        table, ", ".join(q(field.column) for field in fields), ", ".join(["%s"] * len(fields))
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({pk}) FROM {table}")  # nosec B608 # noqa: S608  names from the model
        before = cursor.fetchone()[0] or 0
        for start in range(0, len(values), BATCH):
            cursor.executemany(sql, values[start : start + BATCH])
        cursor.execute(f"SELECT MIN({pk}), MAX({pk}) FROM {table} WHERE {pk} > %s", [before])  # nosec B608 # noqa: S608  names from the model
        first, last = cursor.fetchone()
    return first, last


def _events_of(*, first: int, last: int, kind: str, note: str, by: User) -> None:
    """One event of `kind` on its day for each task of ids first..last, written by the
    database from the task rows (INSERT … SELECT): thousands of rows without a Python object
    each. Plain SQL that SQLite and PostgreSQL both read."""
    task, event = SupervisionTask._meta, TaskEvent._meta
    q = connection.ops.quote_name
    columns = ", ".join(
        q(event.get_field(name).column)
        for name in ("task", "kind", "on", "at", "by", "to_department", "note")
    )
    sql = (  # names from the models, values as parameters
        f"INSERT INTO {q(event.db_table)} ({columns}) "  # nosec B608 # noqa: S608  names from the models
        f"SELECT {q(task.pk.column)}, %s, {q(task.get_field('assigned_on').column)}, %s, %s, "
        f"{q(task.get_field('department').column)}, %s FROM {q(task.db_table)} "
        f"WHERE {q(task.pk.column)} BETWEEN %s AND %s ORDER BY {q(task.pk.column)}"
    )
    with connection.cursor() as cursor:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(sql, [kind, now, by.pk, note, first, last])


def _checklists(
    *,
    users: dict[str, User],
    departments: dict[str, Department],
    members: dict[int, User],
    result: DemoResult,
) -> None:
    """A checklist for each enterprise an inspector liaises with, two visits, and a follow-up
    task for a visit that found something."""
    assignments = (
        LiaisonAssignment.objects.active(on=AS_OF)
        .filter(kind=LiaisonKind.INSPECTOR, person__isnull=False)
        .select_related("enterprise", "person")
        .order_by("enterprise__name", "pk")
    )
    for index, assignment in enumerate(assignments):
        if Checklist.objects.filter(enterprise=assignment.enterprise).exists():
            continue
        inspector = assignment.person
        assert inspector is not None
        started = max(assignment.started_on, INSPECTORS_FROM)
        checklist = checklist_create(
            enterprise=assignment.enterprise,
            inspector=inspector,
            by=inspector,
            items=CHECK_ITEMS[: 2 + index % 3],
            started_on=started,
        )
        result.created["supervision_checklists"] += 1
        for visit_no, visited in enumerate(
            (started + timedelta(days=30 + index), started + timedelta(days=200 + index * 3))
        ):
            findings = FINDINGS[(index + visit_no) % len(FINDINGS)]
            visit = checklist_visit_record(
                checklist=checklist, findings=findings, by=inspector, visited_on=visited
            )
            result.created["supervision_visits"] += 1
            if findings != FINDINGS[-1] and visit_no == 0:
                task = checklist_follow_up(
                    visit=visit,
                    title=f"{assignment.enterprise}：{findings[:20]}",
                    department=departments[DEPARTMENTS[index % len(DEPARTMENTS)]],
                    by=inspector,
                    limit_days=10,
                    assigned_on=visited,
                )
                worker = _worker(task, users, members)
                _work(task, worker=worker, done=visited + timedelta(days=12))
                result.created["supervision_tasks"] += 1


# --- going on to today -------------------------------------------------------------------------


def _living(
    *,
    today: date,
    users: dict[str, User],
    departments: dict[str, Department],
    members: dict[int, User],
    result: DemoResult,
) -> None:
    """A lighter flow of same-day tasks each month after the article's zone (one a working
    day), and open tasks running up to today."""
    done = set(
        SupervisionTask.objects.filter(
            assigned_on__gt=AS_OF, source=TaskSource.ROUTINE, closed_on=F("assigned_on")
        )
        .values_list("assigned_on", flat=True)
        .distinct()
    )
    first = AS_OF + timedelta(days=1)
    days = [day for day in _working_days(first, today - timedelta(days=1)) if day not in done]
    _same_day(
        days=days,
        total=len(days),
        users=users,
        departments=departments,
        sample=True,
        result=result,
    )
    _finish_the_articles_tasks(today=today, users=users, members=members)
    _open_tasks(today=today, users=users, departments=departments, members=members, result=result)


def _finish_the_articles_tasks(
    *, today: date, users: dict[str, User], members: dict[int, User]
) -> None:
    """The instructions still open when the article's zone ends (mid-2020) are worked to the end
    in the weeks after it, late as they were: a zone that lived on does not keep them open."""
    still_open = SupervisionTask.objects.filter(assigned_on__lte=AS_OF).exclude(
        status=TaskStatus.CLOSED
    )
    for index, task in enumerate(still_open.select_related("supervisor", "owner").order_by("pk")):
        done = min(_workday(AS_OF + timedelta(days=10 + 7 * index)), today)
        _work(task, worker=_worker(task, users, members), done=done)


def _workday(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


OPEN_TASKS: tuple[tuple[str, str, str, str | None, int, int], ...] = (
    # (title, department, supervisor, owner, working days ago assigned, limit)
    ("督促重点项目月度调度数据报送", "zsj", "leader", "zsj_staff", 12, 5),
    ("协调汽车产业园污水管网接驳", "xmb", "leader", "xmb_staff", 8, 5),
    ("核实企业反映的审批超时问题", "spj", "leader3", "spj_staff", 4, 3),
    ("落实新引进企业人才公寓分配", "qyfwj", "leader2", "qyfwj_staff", 2, 2),
    ("梳理年度招商引资任务完成情况", "zsj", "director", "zsj_head", 1, 10),
    ("推进园区道路提升工程", "zjj", "leader3", None, 20, 10),
)


def _open_tasks(
    *,
    today: date,
    users: dict[str, User],
    departments: dict[str, Department],
    members: dict[int, User],
    result: DemoResult,
) -> None:
    """Open tasks handed over in the last weeks: some due today or soon, some late, urged and
    escalated (the later ones sample)."""
    recent = _working_days(today - timedelta(days=40), today)
    for index, (title, code, supervisor, owner, ago, limit) in enumerate(OPEN_TASKS):
        if code not in departments or supervisor not in users:
            continue
        assigned = recent[max(len(recent) - 1 - ago, 0)]
        title = title + SAMPLE
        if SupervisionTask.objects.filter(title=title, assigned_on=assigned).exists():
            continue
        task = task_assign(
            source=(TaskSource.INSTRUCTION, TaskSource.ROUTINE, TaskSource.ASSIGNED)[index % 3],
            title=title,
            department=departments[code],
            owner=users.get(owner) if owner else None,
            supervisor=users[supervisor],
            by=users[supervisor],
            assigned_on=assigned,
            limit_days=limit,
        )
        worker = _worker(task, users, members)
        if index % 2 == 0:
            task = task_sign(task=task, by=worker, on=assigned)
        if task.due_on < today:
            task = task_urge(task=task, by=users["inspector"], on=today)
            if ago >= 10:
                task_escalate(task=task, by=users["inspector"], on=today)
        result.created["supervision_tasks"] += 1
