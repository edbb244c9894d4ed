"""Writes of the systemic blockers (共性堵点): the same blocker reported by several enterprises
(their requests) and projects (their problems), grouped as one issue with a lead department and
owner, and fixed once.

Grouping a request writes a RequestEvent GROUPED that the enterprise sees (its request is now
handled with others); grouping a problem writes a progress note on it. Resolving the blocker
resolves every member with the blocker's resolution, as each member app declares
(zoneops.blockers.members: a request whose clock runs is answered, an open problem resolved), in
the same transaction: either all of them close or none does.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.blockers.members import blocker_has_members, blocker_members_resolve
from zoneops.blockers.models import SystemicBlocker
from zoneops.common.exceptions import ApplicationError, StaleEditError
from zoneops.common.periods import format_day
from zoneops.common.services import (
    acting_user,
    check_happened,
    record_apply,
    record_delete,
    record_save,
    records_bulk_update,
    required_text,
)
from zoneops.enterprises.models import EnterpriseRequest, RequestEvent
from zoneops.orgs.models import Department, User
from zoneops.projects.enums import BlockerKind, BlockerTopic
from zoneops.projects.models import Problem, ProblemEvent

OPEN = SystemicBlocker.Status.OPEN
RESOLVED = SystemicBlocker.Status.RESOLVED

# What an edit of the blocker itself may change (its members and state have their own steps).
BLOCKER_FIELDS = frozenset(
    {"title", "description", "category", "topic", "owner", "department", "opened_on"}
)


def _today() -> date:
    return timezone.localdate()


def _check_lead(*, owner: Any, department: Department) -> None:
    if not department.is_active:
        raise ApplicationError(
            _("“%(department)s”已停用，不能牵头。") % {"department": department},
            field="department",
        )
    if owner is None or not owner.is_active or getattr(owner, "enterprise_id", None):
        raise ApplicationError(_("牵头人应为在职的管委会工作人员。"), field="owner", code="owner")


def blocker_check(
    *,
    title: str,
    owner: Any,
    department: Department,
    opened_on: date | None = None,
) -> date:
    """Check a blocker's own fields before it is opened or changed; returns the opening day."""
    required_text(title, field="title", message=_("请填写共性问题。"))
    _check_lead(owner=owner, department=department)
    opened_on = opened_on or _today()
    check_happened(opened_on, field="opened_on")
    return opened_on


@transaction.atomic
def blocker_create(
    *,
    title: str,
    category: BlockerKind | str,
    topic: BlockerTopic | str,
    owner: Any,
    department: Department,
    by: User | None,
    description: str = "",
    opened_on: date | None = None,
    requests: Iterable[EnterpriseRequest] = (),
    problems: Iterable[Problem] = (),
) -> SystemicBlocker:
    """Open a systemic blocker with its lead, grouping the requests and problems given on the
    opening day (today by default)."""
    opened_on = blocker_check(title=title, owner=owner, department=department, opened_on=opened_on)
    blocker = SystemicBlocker(
        title=title.strip(),
        description=(description or "").strip(),
        category=category,
        topic=topic,
        owner=owner,
        department=department,
        opened_on=opened_on,
    )
    record_save(instance=blocker, by=by, reason=_("立项"))
    requests, problems = list(requests), list(problems)
    if requests or problems:
        _group(
            blocker,
            requests=requests,
            problems=problems,
            by=by,
            on=opened_on,
            day_field="opened_on",
        )
    return blocker


@transaction.atomic
def blocker_update(
    *,
    blocker: SystemicBlocker,
    by: User | None,
    expected_version: int | None = None,
    **changes: Any,
) -> SystemicBlocker:
    """Change an open blocker's title, description, classification, lead or opening day."""
    unknown = sorted(set(changes) - BLOCKER_FIELDS)
    if unknown:
        raise ApplicationError(
            _("共性堵点没有可修改的字段“%(field)s”。") % {"field": unknown[0]}, field=unknown[0]
        )
    locked = _locked(blocker, expected_version=expected_version)
    _ensure_open(locked, doing=_("修改"))
    record_apply(instance=locked, changes=changes)
    locked.title = (locked.title or "").strip()
    locked.description = (locked.description or "").strip()
    blocker_check(
        title=locked.title,
        owner=locked.owner,
        department=locked.department,
        opened_on=locked.opened_on,
    )
    return record_save(instance=locked, by=by, reason=_("修改共性堵点"))


@transaction.atomic
def blocker_delete(
    *, blocker: SystemicBlocker, by: User | None, expected_version: int | None = None
) -> None:
    """Delete a blocker opened by mistake: only an open one with nothing grouped in it."""
    locked = _locked(blocker, expected_version=expected_version)
    _ensure_open(locked, doing=_("删除"))
    if blocker_has_members(blocker=locked):
        raise ApplicationError(
            _("共性堵点“%(blocker)s”中还有诉求或问题，请先移出后再删除。")
            % {"blocker": locked.title},
            field="requests",
            code="protected",
        )
    record_delete(instance=locked, by=by)


@transaction.atomic
def blocker_attach(
    *,
    blocker: SystemicBlocker,
    by: User | None,
    requests: Iterable[EnterpriseRequest] = (),
    problems: Iterable[Problem] = (),
    on: date | None = None,
    expected_version: int | None = None,
) -> SystemicBlocker:
    """Group open requests and open problems into an open blocker (归入共性堵点) on `on`
    (today by default; not before the blocker opened nor before an item's last step).

    Those already in this blocker are left as they are; one in another blocker is refused
    (it is moved out of that one first).
    """
    blocker = _locked(blocker, expected_version=expected_version)
    _ensure_open(blocker, doing=_("归入诉求或问题"))
    requests, problems = list(requests), list(problems)
    if not requests and not problems:
        raise ApplicationError(_("请选择要归入的诉求或问题。"), field="requests")
    on = _member_step_day(blocker, on)
    added_requests, added_problems = _group(
        blocker, requests=requests, problems=problems, by=by, on=on
    )
    if not added_requests and not added_problems:
        raise ApplicationError(_("所选诉求和问题均已归入本共性堵点。"), field="requests")
    return record_save(
        instance=blocker,
        by=by,
        reason=_("归入诉求%(requests)d件、问题%(problems)d件")
        % {"requests": added_requests, "problems": added_problems},
    )


@transaction.atomic
def blocker_detach(
    *,
    blocker: SystemicBlocker,
    by: User | None,
    requests: Iterable[EnterpriseRequest] = (),
    problems: Iterable[Problem] = (),
    on: date | None = None,
    expected_version: int | None = None,
) -> SystemicBlocker:
    """Take requests and problems out of an open blocker on `on` (today by default): each is
    handled on its own again."""
    blocker = _locked(blocker, expected_version=expected_version)
    _ensure_open(blocker, doing=_("移出诉求或问题"))
    request_rows = _locked_rows(EnterpriseRequest, requests)
    problem_rows = _locked_rows(Problem, problems)
    if not request_rows and not problem_rows:
        raise ApplicationError(_("请选择要移出的诉求或问题。"), field="requests")
    for field, rows in (("requests", request_rows), ("problems", problem_rows)):
        outside = [row for row in rows if row.blocker_id != blocker.pk]
        if outside:
            raise ApplicationError(
                _("“%(item)s”不在本共性堵点中。") % {"item": outside[0]}, field=field
            )
    on = _member_step_day(blocker, on)
    _check_after_last_steps(request_rows, problem_rows, on=on)
    note = _("移出共性堵点“%(blocker)s”，单独办理。") % {"blocker": blocker.title}
    _set_blocker(request_rows, problem_rows, blocker=None, by=by)
    RequestEvent.objects.bulk_create(
        RequestEvent(request=row, kind=RequestEvent.Kind.NOTE, on=on, by=acting_user(by), note=note)
        for row in request_rows
    )
    ProblemEvent.objects.bulk_create(
        ProblemEvent(problem=row, kind=ProblemEvent.Kind.NOTE, on=on, by=acting_user(by), note=note)
        for row in problem_rows
    )
    return record_save(
        instance=blocker,
        by=by,
        reason=_("移出诉求%(requests)d件、问题%(problems)d件")
        % {"requests": len(request_rows), "problems": len(problem_rows)},
    )


@transaction.atomic
def blocker_resolve(
    *,
    blocker: SystemicBlocker,
    resolution: str,
    by: User | None,
    on: date | None = None,
    expected_version: int | None = None,
) -> SystemicBlocker:
    """Close a blocker with what was done (解决措施): every member is resolved with it as its
    app declares (a grouped request whose clock runs is answered, a grouped open problem is
    resolved), all in this transaction. A grouped request not yet accepted keeps its place in
    the queue: it is answered once accepted, like any other.
    """
    blocker = _locked(blocker, expected_version=expected_version)
    _ensure_open(blocker, doing=_("再次解决"))
    resolution = required_text(resolution, field="resolution", message=_("请填写解决措施。"))
    on = on or _today()
    check_happened(on, field="on")
    if on < blocker.opened_on:
        raise ApplicationError(
            _("解决日期（%(on)s）不能早于立项日期（%(opened)s）。")
            % {"on": format_day(on), "opened": format_day(blocker.opened_on)},
            field="on",
        )
    answer = _("经%(department)s牵头统一协调解决：%(resolution)s") % {
        "department": blocker.department,
        "resolution": resolution,
    }
    blocker_members_resolve(blocker=blocker, answer=answer, by=by, on=on)
    blocker.status = RESOLVED
    blocker.resolved_on, blocker.resolution = on, resolution
    return record_save(instance=blocker, by=by, reason=_("解决"))


# --- helpers ------------------------------------------------------------------------------------


def _locked(blocker: SystemicBlocker, *, expected_version: int | None) -> SystemicBlocker:
    """The blocker's row, locked for the rest of the transaction, at the version expected."""
    locked = (
        SystemicBlocker.objects.select_for_update(of=("self",))
        .select_related("owner", "department")
        .get(pk=blocker.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleEditError(label=str(locked), current_version=locked.version)
    return locked


def _ensure_open(blocker: SystemicBlocker, *, doing: str) -> None:
    if blocker.status == RESOLVED:
        raise ApplicationError(
            _("共性堵点“%(blocker)s”已于%(on)s解决，不能%(doing)s。")
            % {
                "blocker": blocker.title,
                "on": format_day(blocker.resolved_on) if blocker.resolved_on else "",
                "doing": doing,
            },
            field="status",
            code="resolved",
        )


def _locked_rows(model: Any, items: Iterable[Any]) -> list[Any]:
    """The rows named, read again and locked, in the order given (one query)."""
    wanted = list(dict.fromkeys(item.pk for item in items))
    if not wanted:
        return []
    rows = {
        row.pk: row for row in model.objects.select_for_update(of=("self",)).filter(pk__in=wanted)
    }
    return [rows[pk] for pk in wanted if pk in rows]


def _group(
    blocker: SystemicBlocker,
    *,
    requests: Sequence[EnterpriseRequest],
    problems: Sequence[Problem],
    by: User | None,
    on: date,
    day_field: str = "on",
) -> tuple[int, int]:
    """Point the open requests and problems at the blocker, with an event on each; returns how
    many of each were added (those already in it are skipped)."""
    request_rows = _locked_rows(EnterpriseRequest, requests)
    problem_rows = _locked_rows(Problem, problems)
    _refuse_taken(blocker, request_rows, field="requests")
    _refuse_taken(blocker, problem_rows, field="problems")
    closed = [row for row in request_rows if not row.is_open]
    if closed:
        raise ApplicationError(
            _("诉求“%(item)s”已%(status)s，不能归入共性堵点。")
            % {"item": closed[0], "status": closed[0].get_status_display()},
            field="requests",
        )
    resolved = [row for row in problem_rows if row.status == Problem.Status.RESOLVED]
    if resolved:
        raise ApplicationError(
            _("问题“%(item)s”已解决，不能归入共性堵点。") % {"item": resolved[0]},
            field="problems",
        )
    request_rows = [row for row in request_rows if row.blocker_id is None]
    problem_rows = [row for row in problem_rows if row.blocker_id is None]
    _check_after_last_steps(request_rows, problem_rows, on=on, field=day_field)
    _set_blocker(request_rows, problem_rows, blocker=blocker, by=by)
    note = _(
        "与其他企业反映的同类问题一并归入共性堵点“%(blocker)s”，由%(department)s牵头协调。"
    ) % {
        "blocker": blocker.title,
        "department": blocker.department,
    }
    RequestEvent.objects.bulk_create(
        RequestEvent(
            request=row,
            kind=RequestEvent.Kind.GROUPED,
            on=on,
            by=acting_user(by),
            to_department=blocker.department,
            note=note,
            internal=False,  # the enterprise may see that its request is handled with others
        )
        for row in request_rows
    )
    ProblemEvent.objects.bulk_create(
        ProblemEvent(problem=row, kind=ProblemEvent.Kind.NOTE, on=on, by=acting_user(by), note=note)
        for row in problem_rows
    )
    return len(request_rows), len(problem_rows)


def _member_step_day(blocker: SystemicBlocker, on: date | None) -> date:
    """The day members join or leave: today by default, not in the future, not before the
    blocker opened."""
    on = on or _today()
    check_happened(on, field="on")
    if on < blocker.opened_on:
        raise ApplicationError(
            _("日期（%(on)s）不能早于立项日期（%(opened)s）。")
            % {"on": format_day(on), "opened": format_day(blocker.opened_on)},
            field="on",
        )
    return on


def _check_after_last_steps(
    request_rows: list[EnterpriseRequest],
    problem_rows: list[Problem],
    *,
    on: date,
    field: str = "on",
) -> None:
    """Each item's events read in date order: a grouping is not dated before an item's last
    step (one query per kind)."""
    checks: list[tuple[list[Any], Any, str, str]] = [
        (request_rows, RequestEvent.objects, "request_id", EnterpriseRequest.arrived_on_field),
        (problem_rows, ProblemEvent.objects, "problem_id", Problem.arrived_on_field),
    ]
    for rows, events, key, start in checks:
        if not rows:
            continue
        last = dict(
            events.filter(**{f"{key}__in": [row.pk for row in rows]})
            .values(key)
            .annotate(last=Max("on"))
            .values_list(key, "last")
        )
        for row in rows:
            after = max(filter(None, (last.get(row.pk), getattr(row, start))))
            if on < after:
                raise ApplicationError(
                    _("“%(item)s”：日期 %(on)s 早于其上一次办理记录（%(after)s）。")
                    % {"item": row, "on": format_day(on), "after": format_day(after)},
                    field=field,
                )


def _refuse_taken(blocker: SystemicBlocker, rows: list[Any], *, field: str) -> None:
    taken = [row for row in rows if row.blocker_id not in (None, blocker.pk)]
    if not taken:
        return
    other = SystemicBlocker.objects.only("title").get(pk=taken[0].blocker_id)
    raise ApplicationError(
        _("“%(item)s”已归入共性堵点“%(other)s”，请先从该共性堵点移出。")
        % {"item": taken[0], "other": other.title},
        field=field,
        code="taken",
    )


def _set_blocker(
    request_rows: list[EnterpriseRequest],
    problem_rows: list[Problem],
    *,
    blocker: SystemicBlocker | None,
    by: User | None,
) -> None:
    """Set (or clear) the blocker of the rows: versions bumped and history written, in bulk."""
    for request in request_rows:
        request.blocker = blocker
    for problem in problem_rows:
        problem.blocker = blocker
    if request_rows:
        records_bulk_update(
            model=EnterpriseRequest, instances=request_rows, fields=["blocker"], by=by
        )
    if problem_rows:
        records_bulk_update(model=Problem, instances=problem_rows, fields=["blocker"], by=by)
