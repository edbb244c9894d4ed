"""Writes of meetings and ceremonies: scheduling, holding (minutes) or cancelling a meeting, its
agenda built from the records, the decisions in its minutes, and a ceremony's projects.

A meeting runs 筹备中 (planned) → 已召开 (held), or → 已取消 (cancelled); both ends are final.
- The agenda is edited while the meeting is planned; `meeting_build_agenda` adds what the records
  say needs a leader's attention (see `zoneops.meetings.selectors.agenda_candidates` for which
  records and whose), never twice.
- Decisions (议定事项) are recorded on a planned or held meeting, never on a cancelled one, each
  with an owner department and a deadline no earlier than the meeting.
- A ceremony (签约仪式, 云签约, 集中开工) lists its projects; each must be at the right stage on
  the ceremony's date, read from the stage moves.
"""

from collections.abc import Iterable
from datetime import date, time
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError
from zoneops.common.periods import format_day
from zoneops.common.services import (
    acting_user,
    check_happened,
    record_apply,
    record_delete,
    record_save,
    required_text,
)
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.meetings.enums import CEREMONIES, AgendaSource, MeetingKind, MeetingStatus
from zoneops.meetings.followers import decision_followed
from zoneops.meetings.models import AgendaItem, Decision, Meeting
from zoneops.meetings.selectors import agenda_missing, ceremony_stage_refusals
from zoneops.meetings.signals import meeting_held
from zoneops.orgs.models import Department, Membership, User
from zoneops.projects.models import Milestone, Problem, Project

# Meetings held online by their nature; a 线上洽谈 takes place in the 线上会客厅.
ONLINE_KINDS = frozenset({MeetingKind.ONLINE_TALKS, MeetingKind.CLOUD_SIGNING})
# The fields an edit may change; status, minutes and the ceremony's projects have their services.
MEETING_EDITABLE_FIELDS = (
    "kind",
    "title",
    "held_on",
    "starts_at",
    "duration_minutes",
    "location",
    "online",
    "host",
    "organiser",
    "external_attendees",
    "minutes",
)
DECISION_EDITABLE_FIELDS = ("text", "owner", "owner_department", "due_on", "agenda_item")
AGENDA_EDITABLE_FIELDS = ("title", "note", "order", "project", "request")


def _today() -> date:
    return timezone.localdate()


def _check_editable(
    model: type[models.Model], changes: dict[str, Any], allowed: Iterable[str]
) -> None:
    """Refuse, naming it, a field an edit may not change (status, minutes' own services...)."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        name = unknown[0]
        try:
            label = str(getattr(model._meta.get_field(name), "verbose_name", name))
        except FieldDoesNotExist:
            label = name
        raise ApplicationError(_("“%(field)s”不能在此修改。") % {"field": label}, field=name)


# --- meetings -----------------------------------------------------------------------------------


def meeting_check(*, meeting: Meeting) -> None:
    """The rules a meeting's fields must meet, for a new meeting or an edit; writes nothing.

    The back office's form calls it to show a refusal on the form; the services call it again
    inside their transaction.
    """
    kind = MeetingKind(meeting.kind)
    required_text(meeting.title, field="title", message=_("请填写会议名称。"))
    if meeting.duration_minutes is not None and meeting.duration_minutes <= 0:
        raise ApplicationError(_("时长应大于0分钟。"), field="duration_minutes")
    if kind in ONLINE_KINDS and not meeting.online:
        raise ApplicationError(_("“%(kind)s”是线上举行的。") % {"kind": kind.label}, field="online")
    if meeting.status == MeetingStatus.HELD and meeting.held_on > _today():
        raise ApplicationError(
            _("会议日期 %(on)s 晚于今天，尚未召开。") % {"on": meeting.held_on}, field="held_on"
        )
    same = Meeting.objects.filter(kind=kind, held_on=meeting.held_on, title=meeting.title.strip())
    if meeting.pk:
        same = same.exclude(pk=meeting.pk)
    if same.exists():
        raise ApplicationError(
            _("%(on)s已有一场名为“%(title)s”的%(kind)s。")
            % {"on": format_day(meeting.held_on), "title": meeting.title, "kind": kind.label},
            field="title",
        )
    if meeting.pk:
        _check_edit(meeting=meeting, kind=kind)


def _check_edit(*, meeting: Meeting, kind: MeetingKind) -> None:
    stored = Meeting.objects.get(pk=meeting.pk)
    if stored.status == MeetingStatus.CANCELLED:
        raise ApplicationError(_("会议已取消，不能再修改。"), field="status")
    if stored.kind != kind:
        if stored.status != MeetingStatus.PLANNED:
            raise ApplicationError(_("会议已召开，不能再改变类型。"), field="kind")
        was_ceremony = stored.kind in CEREMONIES
        if was_ceremony and kind not in CEREMONIES and stored.projects.exists():
            raise ApplicationError(
                _("该仪式已有签约/开工项目，不能改为会议；请先移除项目。"), field="kind"
            )
        if (
            not was_ceremony
            and kind in CEREMONIES
            and (stored.agenda_items.exists() or stored.decisions.exists())
        ):
            raise ApplicationError(_("该会议已有议题或议定事项，不能改为仪式。"), field="kind")
    if stored.held_on != meeting.held_on:
        early = (
            Decision.objects.filter(meeting=meeting, due_on__lt=meeting.held_on)
            .order_by("due_on")
            .first()
        )
        if early is not None:
            raise ApplicationError(
                _("议定事项“%(text)s”的完成时限（%(due)s）早于新的会议日期。")
                % {"text": early, "due": format_day(early.due_on)},
                field="held_on",
            )
    if kind in CEREMONIES and (stored.held_on != meeting.held_on or stored.kind != kind):
        ceremony_check_projects(
            kind=kind, on=meeting.held_on, projects=list(stored.projects.all()), field="held_on"
        )


def _primary_department(user: User | None) -> Department | None:
    if acting_user(user) is None:
        return None
    membership = (
        Membership.objects.filter(user=user)
        .select_related("department")
        .order_by("-is_primary", "id")
        .first()
    )
    return membership.department if membership else None


@transaction.atomic
def meeting_schedule(
    *,
    kind: MeetingKind | str,
    title: str,
    held_on: date,
    by: User | None,
    host: User | None = None,
    organiser: Department | None = None,
    attendees: Iterable[User] = (),
    starts_at: time | None = None,
    duration_minutes: int | None = None,
    location: str = "",
    online: bool | None = None,
    external_attendees: str = "",
    projects: Iterable[Project] = (),
) -> Meeting:
    """Put a meeting or ceremony in the calendar (筹备中), a ceremony with its projects.

    The organising department defaults to the primary department of the one who schedules it;
    an online kind is online, and a 线上洽谈 takes place in the 线上会客厅 unless told otherwise.
    """
    kind = MeetingKind(kind)
    if online is None:
        online = kind in ONLINE_KINDS
    if kind == MeetingKind.ONLINE_TALKS and not location.strip():
        location = _("线上会客厅")
    meeting = Meeting(
        kind=kind,
        title=(title or "").strip(),
        held_on=held_on,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location.strip(),
        online=online,
        status=MeetingStatus.PLANNED,
        host=host,
        organiser=organiser or _primary_department(by),
        external_attendees=external_attendees.strip(),
    )
    meeting_check(meeting=meeting)
    projects = list(projects)
    if projects:
        ceremony_check_projects(kind=kind, on=held_on, projects=projects)
    record_save(instance=meeting, by=by)
    meeting.attendees.set(list(attendees))
    if projects:
        meeting.projects.set(projects)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    by: User | None,
    expected_version: int | None = None,
    attendees: Iterable[User] | None = None,
    **changes: Any,
) -> Meeting:
    """Change a meeting's details (not its status: see hold and cancel); a stale edit is refused."""
    _check_editable(Meeting, changes, MEETING_EDITABLE_FIELDS)
    for name, value in changes.items():
        if name in ("location", "external_attendees", "minutes"):
            value = value or ""
        if isinstance(value, str):
            value = value.strip()
        # a required field left empty is refused by its name (“会议名称”不能为空。)
        record_apply(instance=meeting, changes={name: value})
    meeting_check(meeting=meeting)
    record_save(instance=meeting, by=by, expected_version=expected_version)
    if attendees is not None:
        meeting.attendees.set(list(attendees))
    return meeting


@transaction.atomic
def meeting_hold(
    *,
    meeting: Meeting,
    by: User | None,
    minutes: str = "",
    duration_minutes: int | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """Record that the meeting took place, with its minutes (纪要) and how long it lasted.

    A meeting needs its minutes; a ceremony needs its projects (the minutes are optional).
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.PLANNED:
        raise ApplicationError(
            _("会议状态为“%(status)s”，不能登记召开。") % {"status": meeting.get_status_display()},
            field="status",
        )
    minutes = (minutes or "").strip()
    if meeting.kind in CEREMONIES:
        if not meeting.projects.exists():
            raise ApplicationError(_("请先添加仪式的签约/开工项目，再登记召开。"), field="projects")
    elif not minutes:
        raise ApplicationError(_("请填写会议纪要。"), field="minutes")
    meeting.status = MeetingStatus.HELD
    if minutes:
        meeting.minutes = minutes
    if duration_minutes is not None:
        meeting.duration_minutes = duration_minutes
    meeting_check(meeting=meeting)
    meeting = record_save(
        instance=meeting, by=by, expected_version=expected_version, reason=_("登记召开")
    )
    meeting_held.send(sender=Meeting, meeting=meeting, by=by)
    return meeting


@transaction.atomic
def meeting_cancel(
    *, meeting: Meeting, by: User | None, reason: str, expected_version: int | None = None
) -> Meeting:
    """Call off a planned meeting; the reason is kept in the meeting's change history."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    reason = required_text(reason, field="reason", message=_("请填写取消原因。"))
    if meeting.status != MeetingStatus.PLANNED:
        raise ApplicationError(
            _("会议状态为“%(status)s”，不能取消。") % {"status": meeting.get_status_display()},
            field="status",
        )
    if meeting.decisions.exists():
        raise ApplicationError(_("会议已有议定事项，不能取消；请先删除议定事项。"), field="status")
    meeting.status = MeetingStatus.CANCELLED
    return record_save(
        instance=meeting,
        by=by,
        expected_version=expected_version,
        reason=_("取消会议：%(reason)s") % {"reason": reason},
    )


# --- agenda -------------------------------------------------------------------------------------


def _check_agenda_open(meeting: Meeting) -> None:
    if meeting.kind in CEREMONIES:
        raise ApplicationError(
            _("“%(kind)s”是仪式，没有议题。") % {"kind": meeting.get_kind_display()}, field="kind"
        )
    if meeting.status != MeetingStatus.PLANNED:
        raise ApplicationError(
            _("会议状态为“%(status)s”，议题不能再修改。")
            % {"status": meeting.get_status_display()},
            field="status",
        )


def _next_order(meeting: Meeting) -> int:
    last = AgendaItem.objects.filter(meeting=meeting).aggregate(last=Max("order"))["last"]
    return (last or 0) + 1


@transaction.atomic
def meeting_build_agenda(*, meeting: Meeting, by: User | None) -> list[AgendaItem]:
    """Add to the agenda the red-light key projects, overdue problems, late milestones and
    overdue enterprise requests as of the meeting's date; returns the items added.

    Idempotent: a record already on the agenda (built or added by hand) is not added again, and
    nothing already there is removed — an item whose matter has since been settled stays until
    someone takes it off. Which records and whose: `selectors.agenda_candidates`.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_agenda_open(meeting)
    order = _next_order(meeting)
    items = [
        AgendaItem(
            meeting=meeting,
            order=order + index,
            source=candidate.source,
            title=candidate.title[:300],
            project_id=candidate.project_id,
            problem_id=candidate.problem_id,
            milestone_id=candidate.milestone_id,
            request_id=candidate.request_id,
            note=candidate.note,
        )
        for index, candidate in enumerate(agenda_missing(meeting=meeting))
    ]
    return AgendaItem.objects.bulk_create(items)


def _check_item_links(
    *,
    project: Project | None,
    problem: Problem | None,
    milestone: Milestone | None,
    request: EnterpriseRequest | None = None,
) -> Project | None:
    """A problem or milestone brings its project, and so does a request that has one (相关项目);
    a project given with it must be the same."""
    links: tuple[tuple[Problem | Milestone | EnterpriseRequest | None, str], ...] = (
        (problem, "problem"),
        (milestone, "milestone"),
        (request, "request"),
    )
    for record, field in links:
        if record is None or record.project_id is None:
            continue
        if project is not None and record.project_id != project.pk:
            raise ApplicationError(
                _("“%(record)s”不属于项目“%(project)s”。") % {"record": record, "project": project},
                field=field,
            )
        project = record.project
    return project


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    title: str,
    by: User | None,
    project: Project | None = None,
    problem: Problem | None = None,
    milestone: Milestone | None = None,
    request: EnterpriseRequest | None = None,
    note: str = "",
    order: int | None = None,
) -> AgendaItem:
    """Add an item by hand (人工添加), at the end of the agenda unless placed; about a project,
    a problem, a milestone or an enterprise request (the last three bring their project)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_agenda_open(meeting)
    title = required_text(title, field="title", message=_("请填写议题。"))
    project = _check_item_links(
        project=project, problem=problem, milestone=milestone, request=request
    )
    item = AgendaItem(
        meeting=meeting,
        order=order if order else _next_order(meeting),
        source=AgendaSource.MANUAL,
        title=title,
        project=project,
        problem=problem,
        milestone=milestone,
        request=request,
        note=(note or "").strip(),
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, by: User | None, **changes: Any) -> AgendaItem:
    """Reword, annotate or reorder an item, or change the project or request of one added by
    hand (a built item keeps its records); its problem, milestone or request brings its project
    as on adding."""
    _check_editable(AgendaItem, changes, AGENDA_EDITABLE_FIELDS)
    _check_agenda_open(Meeting.objects.select_for_update().get(pk=item.meeting_id))
    if item.source != AgendaSource.MANUAL:
        if "project" in changes:
            raise ApplicationError(_("按记录生成的议题不能改变所属项目。"), field="project")
        if "request" in changes:
            raise ApplicationError(_("按记录生成的议题不能改变所涉企业诉求。"), field="request")
    for name, value in changes.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    required_text(item.title, field="title", message=_("请填写议题。"))
    item.project = _check_item_links(
        project=item.project, problem=item.problem, milestone=item.milestone, request=item.request
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by: User | None) -> None:
    """Take an item off the agenda; one that a decision refers to stays."""
    _check_agenda_open(Meeting.objects.select_for_update().get(pk=item.meeting_id))
    if Decision.objects.filter(agenda_item=item).exists():
        raise ApplicationError(_("该议题已有议定事项，不能删除。"), field="item")
    item.delete()


# --- decisions ----------------------------------------------------------------------------------


def decision_check(
    *,
    meeting: Meeting,
    text: str,
    due_on: date | None,
    owner_department: Department | None,
    agenda_item: AgendaItem | None = None,
) -> None:
    """The rules of a decision; writes nothing (the back office's form shows them)."""
    required_text(text, field="text", message=_("请填写议定事项。"))
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError(_("会议已取消，不能记录议定事项。"), field="meeting")
    if meeting.kind in CEREMONIES:
        raise ApplicationError(
            _("“%(kind)s”是仪式，没有议定事项。") % {"kind": meeting.get_kind_display()},
            field="meeting",
        )
    if owner_department is None:
        raise ApplicationError(_("请填写责任部门。"), field="owner_department")
    if due_on is None:
        raise ApplicationError(_("请填写完成时限。"), field="due_on")
    if due_on < meeting.held_on:
        raise ApplicationError(
            _("完成时限（%(due)s）不能早于会议日期（%(on)s）。")
            % {"due": format_day(due_on), "on": format_day(meeting.held_on)},
            field="due_on",
        )
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ApplicationError(_("所选议题不属于本次会议。"), field="agenda_item")


@transaction.atomic
def decision_create(
    *,
    meeting: Meeting,
    text: str,
    due_on: date,
    by: User | None,
    owner_department: Department | None = None,
    owner: User | None = None,
    agenda_item: AgendaItem | None = None,
) -> Decision:
    """Record a decision (议定事项) with its owner and deadline; the owner department defaults to
    the owner's primary department."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if owner_department is None and owner is not None:
        owner_department = _primary_department(owner)
    text = (text or "").strip()
    decision_check(
        meeting=meeting,
        due_on=due_on,
        owner_department=owner_department,
        agenda_item=agenda_item,
        text=text,
    )
    decision = Decision(
        meeting=meeting,
        agenda_item=agenda_item,
        text=text,
        owner=owner,
        owner_department=owner_department,
        due_on=due_on,
    )
    return record_save(instance=decision, by=by)


@transaction.atomic
def decision_update(
    *, decision: Decision, by: User | None, expected_version: int | None = None, **changes: Any
) -> Decision:
    _check_editable(Decision, changes, DECISION_EDITABLE_FIELDS)
    if decision.done_on is not None and changes:
        raise ApplicationError(_("议定事项已完成，不能再修改。"), field="done_on")
    for name, value in changes.items():
        setattr(decision, name, value.strip() if isinstance(value, str) else value)
    decision_check(
        meeting=Meeting.objects.get(pk=decision.meeting_id),
        due_on=decision.due_on,
        owner_department=decision.owner_department,
        agenda_item=decision.agenda_item,
        text=decision.text,
    )
    return record_save(instance=decision, by=by, expected_version=expected_version)


@transaction.atomic
def decision_done(
    *,
    decision: Decision,
    by: User | None,
    done_on: date | None = None,
    expected_version: int | None = None,
) -> Decision:
    """Mark a decision done (完成) on a day: not in the future, not before the meeting; not
    while a record of another app follows it open (a supervised task closes it itself)."""
    decision = Decision.objects.select_related("meeting").get(pk=decision.pk)
    done_on = done_on or _today()
    if decision.done_on is not None:
        raise ApplicationError(
            _("该议定事项已于%(on)s完成。") % {"on": format_day(decision.done_on)},
            field="done_on",
        )
    if decision.meeting.status != MeetingStatus.HELD:
        raise ApplicationError(_("会议尚未召开，议定事项不能办结。"), field="done_on")
    followed = decision_followed(decision=decision)
    if followed:
        raise ApplicationError(followed, field="done_on", code="followed")
    check_happened(done_on, field="done_on")
    if done_on < decision.meeting.held_on:
        raise ApplicationError(
            _("完成日期不能早于会议日期（%(on)s）。")
            % {"on": format_day(decision.meeting.held_on)},
            field="done_on",
        )
    decision.done_on = done_on
    return record_save(
        instance=decision, by=by, expected_version=expected_version, reason=_("办结")
    )


@transaction.atomic
def decision_remove(
    *, decision: Decision, by: User | None, expected_version: int | None = None
) -> None:
    """Delete a decision recorded by mistake; a done one stays."""
    if decision.done_on is not None:
        raise ApplicationError(_("议定事项已完成，不能删除。"), field="done_on")
    record_delete(instance=decision, by=by, expected_version=expected_version)


# --- ceremonies ---------------------------------------------------------------------------------


def ceremony_check_projects(
    *,
    kind: MeetingKind | str,
    on: date,
    projects: Iterable[Project],
    field: str = "projects",
) -> None:
    """Refuse, naming them, the projects not at the ceremony's stage on its date (see
    `selectors.ceremony_stage_refusals`); writes nothing."""
    kind = MeetingKind(kind)
    if kind not in CEREMONIES:
        raise ApplicationError(
            _("“%(kind)s”不是仪式，不能添加签约/开工项目。") % {"kind": kind.label},
            field="projects",
        )
    refusals = ceremony_stage_refusals(kind=kind, on=on, projects=projects)
    if refusals:
        raise ApplicationError("".join(refusals), field=field)


@transaction.atomic
def ceremony_attach_projects(
    *,
    meeting: Meeting,
    projects: Iterable[Project],
    by: User | None,
    expected_version: int | None = None,
) -> list[Project]:
    """Add projects to a ceremony; returns the ones added (those already there are skipped).

    All or nothing: if one project is not at the right stage on the ceremony's date, none is
    added and the refusal names every such project.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError(_("仪式已取消，不能添加项目。"), field="status")
    present = set(meeting.projects.values_list("pk", flat=True))
    new = list({p.pk: p for p in projects if p.pk not in present}.values())
    ceremony_check_projects(kind=meeting.kind, on=meeting.held_on, projects=new)
    if not new:
        return []
    meeting.projects.add(*new)
    record_save(
        instance=meeting,
        by=by,
        expected_version=expected_version,
        reason=_("添加项目%(count)d个") % {"count": len(new)},
    )
    return new


@transaction.atomic
def ceremony_detach_projects(
    *,
    meeting: Meeting,
    projects: Iterable[Project],
    by: User | None,
    expected_version: int | None = None,
) -> int:
    """Take projects off a ceremony's list; returns how many were on it."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError(_("仪式已取消，不能修改项目。"), field="status")
    ids = {p.pk for p in projects}
    present = set(meeting.projects.filter(pk__in=ids).values_list("pk", flat=True))
    if (
        meeting.status == MeetingStatus.HELD
        and present
        and not meeting.projects.exclude(pk__in=present).exists()
    ):
        raise ApplicationError(_("已举行的仪式至少要有一个项目。"), field="projects")
    if not present:
        return 0
    meeting.projects.remove(*present)
    record_save(
        instance=meeting,
        by=by,
        expected_version=expected_version,
        reason=_("移除项目%(count)d个") % {"count": len(present)},
    )
    return len(present)
