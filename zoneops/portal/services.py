"""Writes of the investment hall: policies through their steps (起草 → 审核 → 发布), an
investor's inquiry becoming a lead in the pipeline, and the guards against floods.

Policies: whoever may add or change policies writes them (in his department's scope); a
colleague holding `portal.review_policy` reviews them — never the one who wrote or last edited
them — and one holding `portal.publish_policy` publishes a reviewed policy or withdraws a
published one. An edit sends a reviewed or withdrawn policy back to draft; a published one is
withdrawn before it is edited.

Inquiries: the fields are checked here, whichever edge sends them; the lead is registered by
the projects app's service (source 线上会客厅) and given to the department that leads the
industry's chain and, in it, the investment officer with the fewest open leads (`lead_assignee`).
An inquiry's first-response clock (the casework kernel's, in working days) starts on the day it
is sent with the limit administrators set (`HallSettings`) and stops at staff's first answer:
a reply (`inquiry_respond`), or a decision on the meeting it booked.

Online meetings (云洽谈): staff offer slots (`meeting_slot_save`); an investor books one open
future slot for his inquiry (`booking_request`, on the form or on the status page; a slot holds
one active booking: row lock and constraint); staff who may read the lead confirm it with the
video link (`booking_confirm`: a 线上洽谈 meeting through the meetings services, with the lead
on its agenda) or decline it with a reason (`booking_decline`, which frees the slot).

Status look-ups (`hall_lookup`): the reference and the mobile's last four digits, one neutral
answer for a wrong pair, an address or a reference locked after repeated failed tries.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.casework.services import (
    deadlines_recompute,
    step_check_limit,
    step_date,
    step_event,
    step_lock,
)
from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.inputs import mobile_error, mobile_normalised, parse_id, text_error
from zoneops.common.scope import can_write, scope_for
from zoneops.common.services import acting_user, record_save
from zoneops.industry.models import IndustryCategory
from zoneops.industry.selectors import chain_department_of
from zoneops.meetings.enums import MeetingKind, MeetingStatus
from zoneops.meetings.services import (
    agenda_item_add,
    meeting_cancel,
    meeting_hold,
    meeting_schedule,
    meeting_update,
)
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import Department, Role, User
from zoneops.orgs.selectors import (
    department_descendant_ids,
    member_department_ids,
    users_in_departments,
)
from zoneops.portal.enums import (
    ACTIVE_BOOKINGS,
    BookingStatus,
    InquiryEventKind,
    InquiryStatus,
    InvestorNeed,
    PolicyStatus,
)
from zoneops.portal.models import (
    HallLookup,
    HallPost,
    HallSettings,
    Inquiry,
    InquiryEvent,
    MeetingBooking,
    MeetingSlot,
    Policy,
)
from zoneops.portal.selectors import hall_first_response_days
from zoneops.projects.enums import SourceChannel, Stage
from zoneops.projects.selectors import open_leads_by_owner
from zoneops.projects.services import project_create

ADD_POLICY = "portal.add_policy"
CHANGE_POLICY = "portal.change_policy"
REVIEW_POLICY = "portal.review_policy"
PUBLISH_POLICY = "portal.publish_policy"
ADD_PROJECT = "projects.add_project"

# --- policies -----------------------------------------------------------------------------------


def _check_writer(*, policy: Policy, by: User) -> None:
    adding = policy.pk is None or policy._state.adding
    if not by.has_perm(ADD_POLICY if adding else CHANGE_POLICY):
        raise PermissionDeniedError(_("您没有编辑招商政策的权限。"))
    if not adding and not can_write(by, policy):
        raise PermissionDeniedError(_("该政策不由您或您的部门发布，不能修改。"))
    if policy.department_id and not _may_issue_for(by, policy.department_id):
        raise PermissionDeniedError(
            _("只能以您所在部门、其上级部门或您管理范围内的部门的名义起草政策。"),
            field="department",
        )


def _may_issue_for(user: User, department_id: int) -> bool:
    """A policy is drafted in the name of a department in the writer's scope, or of one his
    own department stands under (a section's clerk drafts for his bureau); its reviewer must
    reach that department, so nobody publishes in a name above his own alone."""
    scope = scope_for(user)
    if scope.everything or department_id in scope.department_ids:
        return True
    below = department_descendant_ids(department_ids=[department_id])
    return member_department_ids(user_id=user.pk).filter(department_id__in=list(below)).exists()


@transaction.atomic
def policy_save(*, policy: Policy, by: User, expected_version: int | None = None) -> Policy:
    """Write a policy (new or edited). An edit of a reviewed or withdrawn policy sends it back
    to draft (its review no longer holds); a published policy is withdrawn first."""
    _check_writer(policy=policy, by=by)
    for name in ("title", "summary"):
        message = text_error(getattr(policy, name))
        if message:
            raise ApplicationError(message, field=name)
    message = text_error(policy.body, multiline=True)
    if message:
        raise ApplicationError(message, field="body")
    if not policy.title.strip():
        raise ApplicationError(_("请填写政策名称。"), field="title")
    if not policy.body.strip():
        raise ApplicationError(_("请填写政策内容。"), field="body")
    if not (policy.pk is None or policy._state.adding):
        if policy.status == PolicyStatus.PUBLISHED:
            raise ApplicationError(_("已发布的政策请先撤回再修改。"))
        if policy.status in (PolicyStatus.REVIEWED, PolicyStatus.WITHDRAWN):
            policy.status = PolicyStatus.DRAFT
            policy.reviewed_by = None
            policy.reviewed_at = None
    policy.title = policy.title.strip()
    return record_save(instance=policy, by=by, expected_version=expected_version)


def _step(
    *,
    policy: Policy,
    by: User,
    permission: str,
    denied: str,
    from_status: PolicyStatus,
    refused: str,
) -> None:
    if not by.has_perm(permission):
        raise PermissionDeniedError(denied)
    if not can_write(by, policy):
        raise PermissionDeniedError(_("该政策不在您的管理范围内。"))
    if policy.status != from_status:
        raise ApplicationError(refused % {"status": policy.get_status_display()})


@transaction.atomic
def policy_review(*, policy: Policy, by: User, expected_version: int | None = None) -> Policy:
    """审核: a draft, by a colleague holding the review permission who did not write it."""
    _step(
        policy=policy,
        by=by,
        permission=REVIEW_POLICY,
        denied=_("您没有审核招商政策的权限。"),
        from_status=PolicyStatus.DRAFT,
        refused=_("只有草稿可以审核（该政策%(status)s）。"),
    )
    if by.pk in (policy.created_by_id, policy.updated_by_id):
        raise PermissionDeniedError(_("政策须由起草或修改人以外的同事审核。"))
    policy.status = PolicyStatus.REVIEWED
    policy.reviewed_by = by
    policy.reviewed_at = timezone.now()
    return record_save(
        instance=policy, by=by, expected_version=expected_version, reason=_("审核通过")
    )


@transaction.atomic
def policy_publish(*, policy: Policy, by: User, expected_version: int | None = None) -> Policy:
    """发布: a reviewed policy appears on the hall while it is valid."""
    _step(
        policy=policy,
        by=by,
        permission=PUBLISH_POLICY,
        denied=_("您没有发布招商政策的权限。"),
        from_status=PolicyStatus.REVIEWED,
        refused=_("只有已审核的政策可以发布（该政策%(status)s）。"),
    )
    policy.status = PolicyStatus.PUBLISHED
    policy.published_at = timezone.now()
    return record_save(instance=policy, by=by, expected_version=expected_version, reason=_("发布"))


@transaction.atomic
def policy_withdraw(*, policy: Policy, by: User, expected_version: int | None = None) -> Policy:
    """撤回: a published policy leaves the hall."""
    _step(
        policy=policy,
        by=by,
        permission=PUBLISH_POLICY,
        denied=_("您没有撤回招商政策的权限。"),
        from_status=PolicyStatus.PUBLISHED,
        refused=_("只有已发布的政策可以撤回（该政策%(status)s）。"),
    )
    policy.status = PolicyStatus.WITHDRAWN
    return record_save(instance=policy, by=by, expected_version=expected_version, reason=_("撤回"))


# --- floods: limits per address and per contact, and the question after repeated posts ---------

POSTS_PER_ADDRESS_HOUR = 10  # posts of the form from one address in an hour, refused beyond
INQUIRIES_PER_MOBILE_DAY = 3  # inquiries accepted for one mobile number in a day
CHALLENGE_AFTER = 2  # posts from one address in a day after which a question is asked
CHALLENGE_MAX_AGE = 15 * 60  # seconds a question stays good
_CHALLENGE_SALT = "zoneops.portal.challenge"
KEEP_POSTS = timedelta(days=2)


def _counted_mobile(mobile: str) -> str:
    """The typed number as it is kept (so that however it is typed it counts as one), or ""
    when it is no mobile number."""
    mobile = mobile_normalised(mobile)[:20]
    return "" if mobile_error(mobile) else mobile


def hall_post_guard(
    *, address: str, mobile: str, honeypot: str, token: str, answer: str, at: datetime
) -> None:
    """Every guard of a post of the inquiry form, before its fields are read: the hidden field
    a person leaves empty, the limits per address and per mobile, and the question asked after
    repeated posts (ApplicationError; code "throttled" for a limit)."""
    if honeypot:
        raise ApplicationError(_("提交未通过校验，请刷新页面后重新填写。"))
    needed = hall_challenge_needed(address=address, at=at)
    hall_flood_check(address=address, mobile=mobile, at=at)
    if needed:
        hall_challenge_check(token=token, answer=answer)


def hall_post_record(*, address: str, mobile: str, accepted: bool, at: datetime) -> None:
    """Count one post of the form (and forget those older than two days)."""
    HallPost.objects.filter(at__lt=at - KEEP_POSTS).delete()
    HallPost.objects.create(
        address=address, mobile=_counted_mobile(mobile)[:11], accepted=accepted, at=at
    )


def hall_flood_check(*, address: str, mobile: str, at: datetime) -> None:
    """Refuse a post beyond the limits: too many from the address in the last hour, or too
    many inquiries for the mobile number (however typed) in the last day."""
    mobile = _counted_mobile(mobile)
    recent = HallPost.objects.filter(address=address, at__gt=at - timedelta(hours=1)).count()
    if recent >= POSTS_PER_ADDRESS_HOUR:
        raise ApplicationError(
            _("提交过于频繁，请一小时后再试，或直接致电招商热线。"), code="throttled"
        )
    if mobile:
        accepted = HallPost.objects.filter(
            mobile=mobile, accepted=True, at__gt=at - timedelta(days=1)
        ).count()
        if accepted >= INQUIRIES_PER_MOBILE_DAY:
            raise ApplicationError(
                _("该手机号今天已提交%(n)d次咨询，我们会尽快联系您，请勿重复提交。")
                % {"n": accepted},
                field="mobile",
                code="throttled",
            )


def hall_challenge_needed(*, address: str, at: datetime) -> bool:
    """Whether a post from the address must answer a question (it posted often today)."""
    posts = HallPost.objects.filter(address=address, at__gt=at - timedelta(days=1)).count()
    return posts >= CHALLENGE_AFTER


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def hall_challenge_new() -> Challenge:
    """A small sum to work out, its terms signed so that the answer cannot be forged."""
    first, second = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps([first, second, secrets.token_hex(4)], salt=_CHALLENGE_SALT)
    return Challenge(question=_("%(a)d 加 %(b)d 等于几？") % {"a": first, "b": second}, token=token)


def hall_challenge_check(*, token: str, answer: str) -> None:
    """Refuse a missing, expired, forged or wrong answer (field `challenge`)."""
    try:
        first, second, _nonce = signing.loads(
            token or "", salt=_CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE
        )
    except (signing.BadSignature, ValueError, TypeError):
        raise ApplicationError(_("验证问题已过期，请回答新的问题。"), field="challenge") from None
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError(_("请回答验证问题。"), field="challenge")
    # ASCII digits only: "²".isdigit() holds, and int("²") fails.
    if not (answer.isascii() and answer.isdigit()) or len(answer) > 3:
        raise ApplicationError(_("验证问题的答案不对，请再算一下。"), field="challenge")
    if int(answer) != first + second:
        raise ApplicationError(_("验证问题的答案不对，请再算一下。"), field="challenge")
    # A question answers one post: its token is spent (kept as long as it could be valid).
    if not cache.add(f"zoneops:hall-challenge:{_nonce}", 1, timeout=CHALLENGE_MAX_AGE):
        raise ApplicationError(_("验证问题已过期，请回答新的问题。"), field="challenge")


# --- the inquiry and its lead ------------------------------------------------------------------

MAX_INVESTMENT = Decimal(10_000_000)  # 万元: 1000亿元, the most a project may hold
REFERENCE_PREFIX = "ZS"
# Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6
MESSAGE_MAX = 2000


def inquiry_reference(*, year: int) -> str:
    """ZS-2026-7K3QXM: six random characters (31⁶ ≈ 8.9亿), unguessable enough to look an
    inquiry up with the mobile number's last four digits."""
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _i in range(REFERENCE_LENGTH))
    return f"{REFERENCE_PREFIX}-{year}-{code}"


def _text(value: str, *, field: str, label: str, required: bool, limit: int, multiline=False):
    value = (value or "").strip()
    message = text_error(value, multiline=multiline)
    if message:
        raise ApplicationError(message, field=field)
    if required and not value:
        raise ApplicationError(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(value) > limit:
        raise ApplicationError(
            _("%(label)s最多%(limit)d个字（现有%(n)d个）。")
            % {"label": label, "limit": limit, "n": len(value)},
            field=field,
        )
    return value


def investment_amount(value: Any) -> Decimal:
    """The planned investment in 万元: a number from 0 to 1000亿元 with at most two decimals."""
    if value in (None, ""):
        return Decimal(0)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ApplicationError(
            _("计划投资请填写数字（万元），如 5000。"), field="planned_investment"
        ) from None
    if not amount.is_finite():
        raise ApplicationError(
            _("计划投资请填写数字（万元），如 5000。"), field="planned_investment"
        )
    if amount < 0:
        raise ApplicationError(_("计划投资不能为负数。"), field="planned_investment")
    if amount > MAX_INVESTMENT:
        raise ApplicationError(
            _("计划投资不能超过1000亿元（10000000万元），请核对单位：此处以万元计。"),
            field="planned_investment",
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ApplicationError(_("计划投资最多保留两位小数。"), field="planned_investment")
    return amount


@dataclass(frozen=True)
class Assignee:
    department: Department | None
    officer: User | None


def lead_assignee(*, industry: IndustryCategory | None) -> Assignee:
    """Who answers a lead of an industry: the department leading the industry's chain, and in
    it (or below it) the active investment officer — 工作人员 holding the right to register
    projects, else a department head holding it — with the fewest open leads (then the
    longest-serving). No chain for the industry: no department, and the zone-wide roles see it
    among the unassigned hall leads."""
    department = chain_department_of(industry_id=industry.pk) if industry is not None else None
    if department is None:
        return Assignee(department=None, officer=None)
    members = users_in_departments(
        department_ids=department_descendant_ids(department_ids=[department.pk])
    ).filter(is_active=True, is_staff=True)
    may_register = Q(roles__group__permissions__codename="add_project") & Q(
        roles__group__permissions__content_type__app_label="projects"
    )
    officers = list(
        members.filter(pk__in=User.objects.filter(may_register).values("pk"))
        .annotate(
            is_staff_role=Exists(Role.objects.filter(users=OuterRef("pk"), code=RoleCode.STAFF))
        )
        .order_by("pk")
    )
    if not officers:
        return Assignee(department=department, officer=None)
    load = open_leads_by_owner(owner_ids=[officer.pk for officer in officers])
    officers.sort(key=lambda u: (not u.is_staff_role, load.get(u.pk, 0), u.pk))
    return Assignee(department=department, officer=officers[0])


@transaction.atomic
def inquiry_submit(
    *,
    company: str,
    contact_name: str,
    mobile: str,
    industry: IndustryCategory | None,
    planned_investment: Any,
    needs: list[str],
    message: str,
    slot: Any = None,
    at: datetime | None = None,
    is_sample: bool = False,
    backdate_reason: str = "",
) -> Inquiry:
    """An investor's inquiry: checked field by field, registered as a lead (线索, source
    线上会客厅) assigned by its industry, and kept with a reference number; its first-response
    clock starts on the day. `slot` (an id, optional) books a meeting slot with it: a slot
    past or taken refuses the whole inquiry at the field `slot`, so the investor picks again.
    (`is_sample` and `backdate_reason` are the demo zone's: its inquiries are samples, entered
    as it is loaded.)"""
    at = at or timezone.now()
    company = _text(company, field="company", label=_("企业名称"), required=True, limit=100)
    if len(company) < 2:
        raise ApplicationError(_("企业名称至少2个字。"), field="company")
    contact_name = _text(
        contact_name, field="contact_name", label=_("联系人"), required=True, limit=30
    )
    mobile = mobile_normalised(mobile)
    problem = mobile_error(mobile)
    if problem:
        raise ApplicationError(problem, field="mobile")
    amount = investment_amount(planned_investment)
    known = {need.value for need in InvestorNeed}
    unknown = [need for need in needs if need not in known]
    if unknown:
        raise ApplicationError(_("所选需求不在可选范围内。"), field="needs")
    message = _text(
        message, field="message", label=_("留言"), required=False, limit=MESSAGE_MAX, multiline=True
    )
    assignee = lead_assignee(industry=industry)
    today = timezone.localdate(at)
    reference = inquiry_reference(year=today.year)
    while Inquiry.objects.filter(reference=reference).exists():  # drawn before: draw again
        reference = inquiry_reference(year=today.year)
    # The investor's own name last: the lead reads as who is interested (投资意向：某公司).
    name = _("投资意向：%(company)s") % {"company": company}
    project = project_create(
        name=name[:200],
        by=None,
        on=today,
        stage=Stage.LEAD,
        note=_("线上会客厅咨询 %(reference)s") % {"reference": reference},
        source_channel=SourceChannel.ONLINE_HALL,
        investor_name=company,
        industry=industry,
        total_investment=amount,
        owner=assignee.officer,
        responsible_department=assignee.department,
        is_sample=is_sample,
        backdate_reason=backdate_reason,
    )
    inquiry = Inquiry(
        reference=reference,
        company=company,
        contact_name=contact_name,
        mobile=mobile,
        industry=industry,
        planned_investment=amount,
        needs=[need for need in InvestorNeed.values if need in needs],
        message=message,
        project=project,
    )
    inquiry.clock_restart(start=today, limit_days=hall_first_response_days())
    inquiry = record_save(instance=inquiry, by=None, exclude_validation=["project"])
    if slot not in (None, ""):
        booking_request(inquiry=inquiry, slot=slot, at=at)
    return inquiry


# --- the first response -------------------------------------------------------------------------

REPLY_MAX = 2000


@transaction.atomic
def hall_settings_set(
    *, first_response_days: int, by: User | None, expected_days: int | None = None
) -> HallSettings:
    """Change the first-response limit (working days); it applies to inquiries sent from now on
    (a running clock keeps the limit it started with). Administrators hold the permission
    (`system_setting`). `expected_days` refuses the change when someone changed it meanwhile."""
    days = step_check_limit(first_response_days, field="first_response_days")
    row = HallSettings.objects.select_for_update().order_by("pk").first()
    if row is None:
        row = HallSettings(first_response_days=days)
    elif expected_days is not None and row.first_response_days != expected_days:
        raise ApplicationError(
            _("首次回复时限已被他人改为%(days)s个工作日，请刷新后再改。")
            % {"days": row.first_response_days},
            field="first_response_days",
        )
    row.first_response_days = days
    row._change_reason = _("修改首次回复时限")  # type: ignore[attr-defined]
    if acting_user(by) is not None:
        row._history_user = by  # type: ignore[attr-defined]
    row.save()
    return row


def inquiries_recompute_deadlines(*, years: Iterable[int] | None = None) -> int:
    """Work out again the first-response deadlines still running after the work calendar
    changed (as the problems', requests' and tasks'): a clock running through one of `years`,
    or with a provisional deadline. The limit stays; the date moves. Returns how many moved."""
    # Inquiries sent before the clock existed have none.
    running = Inquiry.objects.running().filter(clock_from__isnull=False, limit_days__isnull=False)
    return deadlines_recompute(running, years=years, by=None)


def _check_handler(*, inquiry: Inquiry, by: User) -> None:
    """Staff who may read the inquiry's lead answer it and decide on its meetings."""
    if not by.has_perm("portal.change_inquiry"):
        raise PermissionDeniedError(_("您没有处理线上咨询的权限。"))
    if not can_write(by, inquiry):
        raise PermissionDeniedError(_("该咨询的招商线索不在您的管理范围内。"))


def _first_response(*, inquiry: Inquiry, by: User, on: date, at: datetime) -> None:
    """Stop the first-response clock at staff's first answer (later answers leave it)."""
    if inquiry.status == InquiryStatus.SUBMITTED:
        inquiry.status = InquiryStatus.REPLIED
        inquiry.replied_on = on
        inquiry.replied_at = at
        inquiry.replied_by = by


@transaction.atomic
def inquiry_respond(
    *,
    inquiry: Inquiry,
    reply: str,
    by: User,
    on: date | None = None,
    expected_version: int | None = None,
) -> Inquiry:
    """回复: staff's answer to the investor, shown on the status page. The first one stops the
    first-response clock (who and when kept); a later one replaces the text shown."""
    _check_handler(inquiry=inquiry, by=by)
    inquiry = step_lock(inquiry, expected_version=expected_version)
    reply = _text(
        reply, field="reply", label=_("回复内容"), required=True, limit=REPLY_MAX, multiline=True
    )
    on = step_date(inquiry, on)
    inquiry.reply = reply
    _first_response(inquiry=inquiry, by=by, on=on, at=timezone.now())
    record_save(instance=inquiry, by=by, exclude_validation=["project"], reason=_("回复客商"))
    step_event(
        InquiryEvent, inquiry=inquiry, kind=InquiryEventKind.REPLIED, on=on, by=by, note=reply
    )
    return inquiry


# --- online meetings (云洽谈) -------------------------------------------------------------------

# A slot is offered at most this far ahead (a typo of the year is refused).
SLOT_AHEAD = timedelta(days=366)


def meeting_slot_check(*, slot: MeetingSlot) -> None:
    """The rules of a slot, new or changed; writes nothing (the admin's form calls it to show a
    refusal at its field): it starts in the future, within a year; a booked slot keeps its
    time and length (the investor booked that)."""
    now = timezone.now()
    if slot.starts_at is None:
        raise ApplicationError(_("请填写开始时间。"), field="starts_at")
    moved = True
    if slot.pk is not None and not slot._state.adding:
        stored = MeetingSlot.objects.get(pk=slot.pk)
        moved = stored.starts_at != slot.starts_at
        booked = stored.bookings.filter(status__in=ACTIVE_BOOKINGS).exists()
        if booked and (moved or stored.duration_minutes != slot.duration_minutes):
            raise ApplicationError(
                _("该时段已被客商预约，不能再改时间；请婉拒该预约后另行安排。"), field="starts_at"
            )
    if moved and slot.starts_at <= now:
        raise ApplicationError(_("开始时间已过，请选择今后的时间。"), field="starts_at")
    if slot.starts_at > now + SLOT_AHEAD:
        raise ApplicationError(_("开始时间只能在一年之内。"), field="starts_at")


@transaction.atomic
def meeting_slot_save(
    *, slot: MeetingSlot, by: User, expected_version: int | None = None
) -> MeetingSlot:
    """Offer (or change) a slot (see `meeting_slot_check`), by staff allowed to."""
    adding = slot.pk is None or slot._state.adding
    if not by.has_perm("portal.add_meetingslot" if adding else "portal.change_meetingslot"):
        raise PermissionDeniedError(_("您没有安排云洽谈时段的权限。"))
    if not adding:
        if not can_write(by, slot):
            raise PermissionDeniedError(_("该时段不由您或您的部门安排，不能修改。"))
        MeetingSlot.objects.select_for_update().filter(pk=slot.pk).first()
    meeting_slot_check(slot=slot)
    return record_save(instance=slot, by=by, expected_version=expected_version)


def _slot_taken() -> ApplicationError:
    return ApplicationError(_("该时段已被预约，请选择其他时段。"), field="slot")


@transaction.atomic
def booking_request(*, inquiry: Inquiry, slot: Any, at: datetime | None = None) -> MeetingBooking:
    """An investor books an open future slot for his inquiry (洽谈待确认). The slot's row is
    locked while it is checked, and the constraint holds one active booking per slot: of two
    investors booking one slot at once, one gets it and the other is asked to pick again."""
    at = at or timezone.now()
    if slot in (None, ""):
        raise ApplicationError(_("请选择洽谈时段。"), field="slot")
    slot_id = slot.pk if isinstance(slot, MeetingSlot) else parse_id(str(slot))
    locked = (
        MeetingSlot.objects.select_for_update().filter(pk=slot_id).first()
        if slot_id is not None
        else None
    )
    if locked is None:
        raise ApplicationError(_("所选时段不存在，请重新选择。"), field="slot")
    if locked.starts_at <= at:
        raise ApplicationError(_("该时段已过，请选择其他时段。"), field="slot")
    if locked.bookings.filter(status__in=ACTIVE_BOOKINGS).exists():
        raise _slot_taken()
    if inquiry.bookings.filter(status__in=ACTIVE_BOOKINGS).exists():
        raise ApplicationError(
            _("该咨询已预约云洽谈，请等待工作人员确认。"), field="slot", code="booked"
        )
    booking = MeetingBooking(inquiry=inquiry, slot=locked)
    try:
        with transaction.atomic():
            record_save(instance=booking, by=None)
    except IntegrityError:  # booked by another at the same instant
        raise _slot_taken() from None
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), field="slot") from None
    step_event(
        InquiryEvent,
        inquiry=inquiry,
        kind=InquiryEventKind.BOOKED,
        on=timezone.localdate(at),
        by=None,
        note=str(locked),
    )
    return booking


_LINK_SCHEMES = ("http", "https")


def meeting_link(value: str) -> str:
    """The video-meeting link: an http or https address of at most 200 characters."""
    value = (value or "").strip()
    if not value:
        raise ApplicationError(_("请填写视频会议链接。"), field="link")
    message = text_error(value)
    if message:
        raise ApplicationError(message, field="link")
    if len(value) > 200:
        raise ApplicationError(_("视频会议链接最多200个字符。"), field="link")
    try:
        URLValidator(schemes=list(_LINK_SCHEMES))(value)
    except ValidationError:
        raise ApplicationError(
            _("视频会议链接应为以 http:// 或 https:// 开头的网址。"), field="link"
        ) from None
    return value


def _lock_booking(booking: MeetingBooking, expected_version: int | None) -> MeetingBooking:
    # The row alone: PostgreSQL locks no nullable side of an outer join (the meeting).
    return step_lock(booking, expected_version=expected_version)


@transaction.atomic
def booking_confirm(
    *, booking: MeetingBooking, link: str, by: User, expected_version: int | None = None
) -> MeetingBooking:
    """确认: the booked slot becomes a 线上洽谈 in the meetings app (its host the slot's officer,
    else the one who confirms; the lead on its agenda) with the video link, which the investor
    reads on the status page. A confirmed booking takes a new link the same way."""
    _check_handler(inquiry=booking.inquiry, by=by)
    link = meeting_link(link)
    booking = _lock_booking(booking, expected_version)
    inquiry = step_lock(booking.inquiry, expected_version=None)
    now = timezone.now()
    if booking.status == BookingStatus.DECLINED:
        raise ApplicationError(_("该预约已婉拒，不能再确认。"), field="status")
    if booking.status == BookingStatus.CONFIRMED:
        meeting = booking.meeting
        if meeting is not None and meeting.status != MeetingStatus.PLANNED:
            raise ApplicationError(
                _("洽谈%(status)s，不能再修改链接。") % {"status": meeting.get_status_display()},
                field="status",
            )
        if meeting is not None:
            meeting_update(meeting=meeting, by=by, location=link)
        note = _("更新视频会议链接：%(link)s") % {"link": link}
    else:
        slot = booking.slot
        if slot.starts_at <= now:
            raise ApplicationError(
                _("该时段已过，不能确认；请婉拒该预约，客商可另选时段。"), field="status"
            )
        start = timezone.localtime(slot.starts_at)
        host = slot.officer or by
        meeting = meeting_schedule(
            kind=MeetingKind.ONLINE_TALKS,
            title=_("云洽谈：%(company)s（%(reference)s）")
            % {"company": inquiry.company, "reference": inquiry.reference},
            held_on=start.date(),
            starts_at=start.time(),
            duration_minutes=slot.duration_minutes,
            location=link,
            online=True,
            host=host,
            organiser=slot.department,
            attendees=list({user.pk: user for user in (host, by)}.values()),
            external_attendees=f"{inquiry.company} {inquiry.contact_name}",
            by=by,
        )
        agenda_item_add(
            meeting=meeting,
            title=_("洽谈投资意向：%(company)s") % {"company": inquiry.company},
            project=inquiry.project,
            by=by,
        )
        booking.meeting = meeting
        booking.status = BookingStatus.CONFIRMED
        booking.decided_by = by
        booking.decided_at = now
        note = _("%(start)s，%(link)s") % {"start": f"{start:%Y-%m-%d %H:%M}", "link": link}
    booking.link = link
    record_save(instance=booking, by=by, reason=_("确认云洽谈"))
    on = timezone.localdate(now)
    _first_response(inquiry=inquiry, by=by, on=on, at=now)
    record_save(instance=inquiry, by=by, exclude_validation=["project"])
    step_event(
        InquiryEvent, inquiry=inquiry, kind=InquiryEventKind.CONFIRMED, on=on, by=by, note=note
    )
    return booking


@transaction.atomic
def booking_decline(
    *, booking: MeetingBooking, reason: str, by: User, expected_version: int | None = None
) -> MeetingBooking:
    """婉拒: the booking ends with a reason the investor reads, and the slot is free again (he
    may pick another). A confirmed one's meeting is cancelled with it; a held one stays."""
    _check_handler(inquiry=booking.inquiry, by=by)
    reason = _text(reason, field="reason", label=_("婉拒原因"), required=True, limit=300)
    booking = _lock_booking(booking, expected_version)
    inquiry = step_lock(booking.inquiry, expected_version=None)
    if booking.status == BookingStatus.DECLINED:
        raise ApplicationError(_("该预约已婉拒。"), field="status")
    meeting = booking.meeting
    if meeting is not None:
        if meeting.status == MeetingStatus.HELD:
            raise ApplicationError(_("洽谈已举行，不能婉拒。"), field="status")
        if meeting.status == MeetingStatus.PLANNED:
            meeting_cancel(meeting=meeting, by=by, reason=reason)
    now = timezone.now()
    booking.status = BookingStatus.DECLINED
    booking.decline_reason = reason
    booking.decided_by = by
    booking.decided_at = now
    record_save(instance=booking, by=by, reason=_("婉拒云洽谈"))
    on = timezone.localdate(now)
    _first_response(inquiry=inquiry, by=by, on=on, at=now)
    record_save(instance=inquiry, by=by, exclude_validation=["project"])
    step_event(
        InquiryEvent, inquiry=inquiry, kind=InquiryEventKind.DECLINED, on=on, by=by, note=reason
    )
    return booking


@transaction.atomic
def booking_record_outcome(
    *, booking: MeetingBooking, minutes: str, by: User, expected_version: int | None = None
) -> MeetingBooking:
    """登记洽谈结果: the confirmed meeting took place; its minutes (the outcome) are the
    meeting's, through the meetings service, and show on the lead."""
    _check_handler(inquiry=booking.inquiry, by=by)
    booking = _lock_booking(booking, expected_version)
    if booking.status != BookingStatus.CONFIRMED or booking.meeting is None:
        raise ApplicationError(_("只有已确认的云洽谈可以登记结果。"), field="status")
    minutes = _text(
        minutes, field="minutes", label=_("洽谈结果"), required=True, limit=5000, multiline=True
    )
    meeting_hold(meeting=booking.meeting, by=by, minutes=minutes)
    return booking


# --- status look-ups: reference and the mobile's last four digits -------------------------------

LOOKUP_FAILS_PER_ADDRESS = 5  # failed look-ups from one address in an hour; locked beyond
LOOKUP_FAILS_PER_REFERENCE = 10  # failed look-ups of one reference in a day; locked beyond
KEEP_LOOKUPS = timedelta(days=2)


def _lookup_refused() -> ApplicationError:
    # One answer for an unknown reference and a wrong pair: nothing to learn from it.
    return ApplicationError(_("咨询编号或手机号后四位不正确，请核对后重试。"), code="not_found")


def _lookup_locked() -> ApplicationError:
    return ApplicationError(
        _("查询失败次数过多，已暂停查询，请一小时后再试，或致电招商热线。"), code="throttled"
    )


def hall_lookup(*, reference: str, last4: str, address: str, at: datetime) -> Inquiry:
    """The inquiry a reference and the mobile's last four digits name (ApplicationError
    otherwise). Every try is kept (a table, for every process): an address with too many
    failed tries in the last hour, or a reference with too many in the last day, is refused
    before anything is read. Not atomic: a failed try is kept as it is refused."""
    reference = (reference or "").strip().upper()
    last4 = (last4 or "").strip()
    if not reference:
        raise ApplicationError(_("请填写咨询编号。"), field="reference")
    if text_error(reference) or len(reference) > 20:
        raise ApplicationError(_("咨询编号格式不对，应类似 ZS-2026-7K3QXM。"), field="reference")
    if not last4:
        raise ApplicationError(_("请填写手机号后四位。"), field="last4")
    if not (last4.isascii() and last4.isdigit() and len(last4) == 4):
        raise ApplicationError(_("手机号后四位应为4位数字。"), field="last4")
    failed = HallLookup.objects.filter(succeeded=False)
    if (
        failed.filter(address=address, at__gt=at - timedelta(hours=1)).count()
        >= LOOKUP_FAILS_PER_ADDRESS
        or failed.filter(reference=reference, at__gt=at - timedelta(days=1)).count()
        >= LOOKUP_FAILS_PER_REFERENCE
    ):
        raise _lookup_locked()
    inquiry = Inquiry.objects.filter(reference=reference).first()
    matched = inquiry is not None and secrets.compare_digest(inquiry.mobile[-4:], last4)
    HallLookup.objects.filter(at__lt=at - KEEP_LOOKUPS).delete()
    HallLookup.objects.create(address=address, reference=reference, at=at, succeeded=matched)
    if not matched or inquiry is None:
        raise _lookup_refused()
    return inquiry
