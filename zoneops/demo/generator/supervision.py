"""Supervision tasks (督办) with their events, in the shape `supervision.services` writes them:
assigned (交办) to a department with a limit in working days counted from the day after,
signed, worked, reported, reviewed and closed (销号) by the supervisor; a step whose day has not
come does not happen."""

import random
from datetime import date, timedelta
from typing import Any

from zoneops.common.workcalendar import calendar_pinned
from zoneops.demo.generator.base import Context, next_id, weighted
from zoneops.supervision.enums import TaskSource, TaskStatus
from zoneops.supervision.models import SupervisionTask, TaskEvent

Kind = TaskEvent.Kind
DEPARTMENTS = ("zsj", "xmb", "spj", "jfj", "czj", "zrzyj", "zjj", "qyfwj", "xmfw-1", "xmfw-2")
SUPERVISORS = ("inspector", "leader", "director", "leader2", "leader3")
TITLES = (
    "落实领导批示，加快项目前期手续办理",
    "推进重点项目征地拆迁",
    "整改营商环境问题",
    "完成上级交办的统计数据核查",
    "督促惠企政策兑现",
)
FEEDBACK = "已按要求办结，佐证材料已上传。"


def generate(ctx: Context) -> None:
    assert ctx.org is not None
    org = ctx.org
    rng = ctx.rng("supervision")
    departments = [org.departments[code] for code in DEPARTMENTS]
    supervisors = [org.users[name] for name in SUPERVISORS]
    days = sorted(ctx.day(rng) for _index in range(ctx.scale.tasks))
    first = next_id(SupervisionTask)
    records: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    with calendar_pinned():
        for index, assigned in enumerate(days):
            pk = first + index
            department = rng.choice(departments)
            supervisor = rng.choice(supervisors)
            limit = rng.choice((5, 10, 15, 20, 30))
            record, steps = _task(ctx, rng, assigned, limit, department)
            source = weighted(
                rng,
                (
                    (TaskSource.INSTRUCTION, 3),
                    (TaskSource.ASSIGNED, 2),
                    (TaskSource.ROUTINE, 5),
                ),
            )
            record.update(
                id=pk,
                source=source,
                title=rng.choice(TITLES),
                content="",
                department_id=department,
                owner_id=None,
                supervisor_id=supervisor,
                assigned_on=assigned,
                limit_days=limit,
            )
            records.append(record)
            for step in steps:
                events.append(
                    {
                        "task_id": pk,
                        "by_id": supervisor,
                        "from_department_id": None,
                        "to_department_id": None,
                        **step,
                    }
                )
            if len(records) >= 20_000:
                ctx.write(SupervisionTask, records)
                ctx.write(TaskEvent, events)
                records, events = [], []
        ctx.write(SupervisionTask, records)
        ctx.write(TaskEvent, events)


def _task(
    ctx: Context, rng: random.Random, assigned: date, limit: int, department: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    today = ctx.today
    due = ctx.deadline(assigned, limit)
    record: dict[str, Any] = {
        "due_on": due.date,
        "due_provisional": due.provisional,
        "status": TaskStatus.ASSIGNED,
        "signed_on": None,
        "reported_on": None,
        "feedback": "",
        "reviewed_on": None,
        "closed_on": None,
    }
    steps: list[dict[str, Any]] = [
        {
            "kind": Kind.ASSIGNED,
            "on": assigned,
            "to_department_id": department,
            "note": ctx.deadline_note(limit, due),
        }
    ]
    on = assigned + timedelta(days=rng.randint(0, 2))
    if on > today:
        return record, steps
    record.update(status=TaskStatus.SIGNED, signed_on=on)
    steps.append({"kind": Kind.SIGNED, "on": on, "note": ""})
    if rng.random() < 0.5:
        on = on + timedelta(days=rng.randint(1, 5))
        if on > today:
            return record, steps
        record["status"] = TaskStatus.IN_PROGRESS
        steps.append({"kind": Kind.PROGRESS, "on": on, "note": "正在推进。"})
    # One in ten reports after the deadline.
    if rng.random() < 0.1:
        reported = due.date + timedelta(days=rng.randint(1, 20))
    else:
        reported = on + timedelta(days=rng.randint(0, max(0, (due.date - on).days)))
    if reported > today:
        return record, steps
    record.update(status=TaskStatus.REPORTED, reported_on=reported, feedback=FEEDBACK)
    steps.append({"kind": Kind.REPORTED, "on": reported, "note": FEEDBACK})
    reviewed = reported + timedelta(days=rng.randint(0, 3))
    if reviewed > today:
        return record, steps
    record.update(status=TaskStatus.REVIEWED, reviewed_on=reviewed)
    steps.append({"kind": Kind.REVIEWED, "on": reviewed, "note": ""})
    closed = reviewed + timedelta(days=rng.randint(0, 3))
    if closed > today:
        return record, steps
    record.update(status=TaskStatus.CLOSED, closed_on=closed)
    steps.append({"kind": Kind.CLOSED, "on": closed, "note": ""})
    return record, steps
