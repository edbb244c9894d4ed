"""Enterprise requests (诉求) with their events, in the shape `enterprises.services.requests`
writes them: filed at the request desk (企业服务局), accepted and routed with the kind's limit
(the clock from the acceptance day, 受理次日起算), worked, answered, rated; an unsatisfied
rating reopens it with a new round of the clock; a few are returned. A step whose day has not
come does not happen: the record stands at its last step."""

import random
from datetime import date, timedelta
from typing import Any

from zoneops.common.workcalendar import calendar_pinned
from zoneops.demo.generator.base import Context, next_id, weighted
from zoneops.enterprises.enums import RequestChannel, RequestKind, RequestStatus
from zoneops.enterprises.models import EnterpriseRequest, RequestEvent
from zoneops.projects.enums import BlockerKind, BlockerTopic

Kind = RequestEvent.Kind
DEPARTMENTS = ("zrzyj", "zjj", "spj", "qyfwj", "czj", "jfj", "xmfw-1", "xmfw-2", "xmfw-3")
TITLES = {
    BlockerTopic.LAND: "厂区用地指标协调",
    BlockerTopic.FINANCE: "流动资金贷款对接",
    BlockerTopic.LABOUR: "技术工人招聘",
    BlockerTopic.APPROVALS: "项目审批手续咨询",
    BlockerTopic.UTILITIES: "用电增容",
    BlockerTopic.LOGISTICS: "物流通道协调",
    BlockerTopic.POLICY: "惠企政策兑现",
    BlockerTopic.OTHER: "其他事项",
}
CHANNELS = [c for c in RequestChannel.values if c != RequestChannel.SELF_SERVICE]
ANSWER = "已协调相关部门办理，并电话告知企业。"


def generate(ctx: Context) -> None:
    assert ctx.org is not None
    org = ctx.org
    rng = ctx.rng("requests")
    enterprises: list[int] = ctx.shared["enterprise_ids"]
    intake = org.departments["qyfwj"]
    desk = org.users["qyfwj_staff"]
    departments = [org.departments[code] for code in DEPARTMENTS]
    days = sorted(ctx.day(rng) for _index in range(ctx.scale.requests))
    sources = {c: f"来源：{RequestChannel(c).label}" for c in CHANNELS}  # the service's words
    first = next_id(EnterpriseRequest)
    records: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    with calendar_pinned():
        for index, filed in enumerate(days):
            pk = first + index
            # One in 200 is the demo enterprise user's own: his pages have requests too.
            enterprise = org.anchor_enterprise if index % 200 == 0 else rng.choice(enterprises)
            kind = weighted(
                rng,
                (
                    (RequestKind.CONSULTATION, 3),
                    (RequestKind.HELP, 5),
                    (RequestKind.COMPLAINT, 2),
                ),
            )
            topic = rng.choice(BlockerTopic.values)
            record, steps = _request(
                ctx, rng, filed, kind, departments, org.request_limits[kind], intake
            )
            channel = rng.choice(CHANNELS)
            steps[0]["note"] = sources[channel]
            record.update(
                id=pk,
                enterprise_id=enterprise,
                title=TITLES[BlockerTopic(topic)],
                description=f"企业反映：{TITLES[BlockerTopic(topic)]}，请协调解决。",
                kind=kind,
                category=rng.choice(BlockerKind.values),
                topic=topic,
                channel=channel,
                filed_on=filed,
            )
            if record["department_id"] is None:
                record["department_id"] = intake
            records.append(record)
            for step in steps:
                events.append(
                    {
                        "request_id": pk,
                        "by_id": desk,
                        "from_department_id": None,
                        "to_department_id": None,
                        "internal": False,
                        "score": None,
                        **step,
                    }
                )
            if len(records) >= 20_000:
                ctx.write(EnterpriseRequest, records)
                ctx.write(RequestEvent, events)
                records, events = [], []
        ctx.write(EnterpriseRequest, records)
        ctx.write(RequestEvent, events)


def _request(
    ctx: Context,
    rng: random.Random,
    filed: date,
    kind: str,
    departments: list[int],
    limit: int,
    intake: int,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The record's final state and its events, step by step until a step's day is to come."""
    today = ctx.today
    record: dict[str, Any] = {
        "status": RequestStatus.SUBMITTED,
        "department_id": None,
        "accepted_on": None,
        "clock_from": None,
        "limit_days": None,
        "due_on": None,
        "due_provisional": False,
        "answered_on": None,
        "answer": "",
        "rating": None,
        "rating_comment": "",
        "rated_on": None,
        "returned_on": None,
        "return_reason": "",
        "reopen_count": 0,
    }
    steps: list[dict[str, Any]] = [{"kind": Kind.FILED, "on": filed, "note": "来源：代报"}]
    on = filed + timedelta(days=rng.randint(0, 2))
    if on > today:
        return record, steps
    if rng.random() < 0.03:
        reason = "不属于管委会职责范围，已告知企业向有关部门反映。"
        record.update(status=RequestStatus.RETURNED, returned_on=on, return_reason=reason)
        steps.append({"kind": Kind.RETURNED, "on": on, "note": reason})
        return record, steps
    department = rng.choice(departments)
    due = ctx.deadline(on, limit)
    record.update(
        status=RequestStatus.ACCEPTED,
        department_id=department,
        accepted_on=on,
        clock_from=on,
        limit_days=limit,
        due_on=due.date,
        due_provisional=due.provisional,
    )
    steps.append(
        {
            "kind": Kind.ACCEPTED,
            "on": on,
            "from_department_id": intake,
            "to_department_id": department,
            "note": ctx.deadline_note(limit, due),
        }
    )
    for round_ in range(2):
        if round_ == 0:
            on = on + timedelta(days=rng.randint(0, 1))
            if on > today:
                return record, steps
            record["status"] = RequestStatus.IN_PROGRESS
            steps.append({"kind": Kind.STARTED, "on": on, "note": ""})
        # Most answer in time; one in eight goes past the deadline.
        late = rng.random() < 0.125
        answered = record["due_on"] + timedelta(days=rng.randint(1, 10)) if late else None
        answered = answered or on + timedelta(days=rng.randint(0, (record["due_on"] - on).days))
        if answered > today:
            return record, steps
        on = answered
        record.update(status=RequestStatus.ANSWERED, answered_on=on, answer=ANSWER)
        steps.append({"kind": Kind.ANSWERED, "on": on, "note": ANSWER})
        on = on + timedelta(days=rng.randint(1, 10))
        if on > today:
            return record, steps
        score = rng.choice((2, 3, 4, 5, 5, 5)) if round_ == 0 else rng.choice((4, 5))
        if score >= 3:
            record.update(status=RequestStatus.RATED, rating=score, rated_on=on)
            steps.append({"kind": Kind.RATED, "on": on, "note": "", "score": score})
            return record, steps
        comment = "问题尚未解决，请继续协调。"
        steps.append({"kind": Kind.RATED, "on": on, "note": comment, "score": score})
        due = ctx.deadline(on, limit)
        record.update(
            status=RequestStatus.IN_PROGRESS,
            reopen_count=1,
            answered_on=None,
            answer="",
            clock_from=on,
            due_on=due.date,
            due_provisional=due.provisional,
        )
        steps.append(
            {
                "kind": Kind.REOPENED,
                "on": on,
                "note": f"{comment}\n重新计时：{ctx.deadline_note(limit, due)}",
            }
        )
    return record, steps
