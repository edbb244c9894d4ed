"""Approval cases (办件) with their events, in the shape `approvals.services` writes them:
received for an item in the catalogue that day, accepted with the item's promised limit (or
refused), reviewed, sometimes suspended for materials (补正) and resumed (the working days it
stood move the deadline), decided and concluded; a step whose day has not come does not
happen."""

import random
from datetime import date, timedelta
from typing import Any

from zoneops.approvals.enums import CaseStatus, Decision, SuspensionKind
from zoneops.approvals.models import Case, CaseEvent
from zoneops.common.periods import format_day
from zoneops.common.workcalendar import calendar_pinned
from zoneops.demo.generator.base import Context, next_id

Kind = CaseEvent.Kind
REFUSAL = "申请事项不属于本机关职权范围，已告知向有关机关申请。"
SURNAMES = "王李张刘陈杨赵黄周吴"


def generate(ctx: Context) -> None:
    assert ctx.org is not None
    org = ctx.org
    rng = ctx.rng("approvals")
    items = org.items
    enterprises: list[int] = ctx.shared["enterprise_ids"]
    clerk = org.users["spj_staff"]
    spj = org.departments["spj"]
    days = sorted(ctx.day(rng) for _index in range(ctx.scale.cases))
    first = next_id(Case)
    records: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    with calendar_pinned():
        for index, received in enumerate(days):
            pk = first + index
            item_id, department, promised, listed_on = rng.choice(items)
            received = max(received, listed_on)
            record, steps = _case(ctx, rng, received, promised)
            by_enterprise = rng.random() < 0.7
            record.update(
                id=pk,
                item_id=item_id,
                department_id=department,
                enterprise_id=(
                    org.anchor_enterprise if index % 200 == 0 else rng.choice(enterprises)
                )
                if by_enterprise
                else None,
                applicant_name="" if by_enterprise else rng.choice(SURNAMES) + "先生",
                applicant_phone="" if by_enterprise else f"139{rng.randrange(10**8):08d}",
                handler_id=clerk if department == spj else None,
                received_on=received,
                is_sample=True,
            )
            records.append(record)
            for step in steps:
                events.append(
                    {
                        "case_id": pk,
                        "by_id": clerk,
                        "from_department_id": None,
                        "to_department_id": None,
                        **step,
                    }
                )
            if len(records) >= 20_000:
                ctx.write(Case, records)
                ctx.write(CaseEvent, events)
                records, events = [], []
        ctx.write(Case, records)
        ctx.write(CaseEvent, events)


def _case(
    ctx: Context, rng: random.Random, received: date, promised: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    today = ctx.today
    record: dict[str, Any] = {
        "status": CaseStatus.RECEIVED,
        "accepted_on": None,
        "refused_on": None,
        "refusal_reason": "",
        "clock_from": None,
        "limit_days": None,
        "due_on": None,
        "due_provisional": False,
        "suspended_since": None,
        "suspended_days": 0,
        "materials_asked_on": None,
        "suspension_kind": "",
        "decision": "",
        "decision_reason": "",
        "decided_on": None,
        "concluded_on": None,
    }
    steps: list[dict[str, Any]] = [{"kind": Kind.RECEIVED, "on": received, "note": ""}]
    on = received + timedelta(days=rng.randint(0, 2))
    if on > today:
        return record, steps
    if rng.random() < 0.04:
        record.update(status=CaseStatus.REFUSED, refused_on=on, refusal_reason=REFUSAL)
        steps.append({"kind": Kind.REFUSED, "on": on, "note": REFUSAL})
        return record, steps
    due = ctx.deadline(on, promised)
    record.update(
        status=CaseStatus.ACCEPTED,
        accepted_on=on,
        clock_from=on,
        limit_days=promised,
        due_on=due.date,
        due_provisional=due.provisional,
    )
    steps.append({"kind": Kind.ACCEPTED, "on": on, "note": ctx.deadline_note(promised, due)})
    if rng.random() < 0.5:
        on = on + timedelta(days=rng.randint(0, 2))
        if on > today:
            return record, steps
        record["status"] = CaseStatus.REVIEWING
        steps.append({"kind": Kind.REVIEWING, "on": on, "note": ""})
    if rng.random() < 0.1:
        on = on + timedelta(days=rng.randint(0, 3))
        if on > today:
            return record, steps
        record.update(
            suspended_since=on, materials_asked_on=on, suspension_kind=SuspensionKind.MATERIALS
        )
        label = SuspensionKind.MATERIALS.label
        steps.append({"kind": Kind.SUSPENDED, "on": on, "note": f"{label}：请补充申请材料"})
        resumed = on + timedelta(days=rng.randint(2, 20))
        if resumed > today:
            return record, steps
        stood = ctx.between(on, resumed)
        due = ctx.deadline(record["clock_from"], promised + stood)
        record.update(
            suspended_since=None,
            suspension_kind="",
            suspended_days=stood,
            due_on=due.date,
            due_provisional=due.provisional,
        )
        on = resumed
        text = f"暂停计时 {stood} 个工作日，承诺期限顺延至{format_day(due.date)}"
        steps.append({"kind": Kind.RESUMED, "on": on, "note": text})
    # Most decide within the promised days; one in twelve goes past them.
    if rng.random() < 1 / 12:
        decided = record["due_on"] + timedelta(days=rng.randint(1, 15))
    else:
        decided = on + timedelta(days=rng.randint(0, max(0, (record["due_on"] - on).days)))
    if decided > today:
        return record, steps
    granted = rng.random() < 0.95
    decision = Decision.GRANTED if granted else Decision.DENIED
    reason = "" if granted else "申请材料不符合法定条件。"
    record.update(
        status=CaseStatus.DECIDED, decision=decision, decision_reason=reason, decided_on=decided
    )
    note = "\n".join(p for p in (str(Decision(decision).label), reason) if p)
    steps.append({"kind": Kind.DECIDED, "on": decided, "note": note})
    concluded = decided + timedelta(days=rng.randint(0, 1))
    if concluded > today:
        return record, steps
    record.update(status=CaseStatus.CONCLUDED, concluded_on=concluded)
    late = concluded > record["due_on"]
    text = "超过承诺期限%(due)s办结" if late else "在承诺期限%(due)s内办结"
    steps.append(
        {
            "kind": Kind.CONCLUDED,
            "on": concluded,
            "note": text % {"due": format_day(record["due_on"])},
        }
    )
    return record, steps
