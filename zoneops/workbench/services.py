"""The day's writes (日清日结): carrying an item due today over to a later day, with a reason.

The rules (the issue leaves them to us):
- only an item on the person's own page (his own or, for a head or a leader, his departments')
  and due today may be carried over, on the day itself: a late item was not cleared on its day
  and answers through its own record (an extension, a reminder), a later one is not due yet;
- the reason is required (one to 500 characters); the day he now means to finish it is
  optional and must come after today, within a year;
- an item is carried over once a day;
- a carry-over never changes the record: a clocked record's deadline moves only by its own
  extension step, so the row keeps showing the record's clock beside the carry-over.
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError
from zoneops.common.inputs import text_error
from zoneops.common.periods import format_day
from zoneops.common.services import record_save, required_text
from zoneops.orgs.models import User
from zoneops.workbench.models import REASON_MAX_LENGTH, CarryOver
from zoneops.workbench.selectors import board_item, sources_by_key

# How far ahead a carry-over may promise the item.
NEW_DATE_REACH = timedelta(days=366)


def _check_reason(reason: str) -> str:
    reason = required_text(reason, field="reason", message=_("请填写顺延理由。"))
    error = text_error(reason, multiline=True)
    if error:
        raise ApplicationError(_("顺延理由%(error)s") % {"error": error}, field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(
            _("顺延理由不能超过%(max)s个字（现有%(count)s个字）。")
            % {"max": REASON_MAX_LENGTH, "count": len(reason)},
            field="reason",
        )
    return reason


def _check_new_date(new_date: date | None, *, today: date) -> None:
    if new_date is None:
        return
    if new_date <= today:
        raise ApplicationError(
            _("预计完成日期%(on)s应晚于今天（%(today)s）。")
            % {"on": format_day(new_date), "today": format_day(today)},
            field="new_date",
        )
    if new_date > today + NEW_DATE_REACH:
        raise ApplicationError(
            _("预计完成日期%(on)s超过一年，请检查年份。") % {"on": format_day(new_date)},
            field="new_date",
        )


def carry_over_item(
    *, source: str, record_pk: int, reason: str, new_date: date | None = None, by: User
) -> CarryOver:
    """Carry over (顺延) an item due today on the person's page, with a reason."""
    today = timezone.localdate()
    found = sources_by_key().get(source)
    if found is None:
        raise ApplicationError(_("没有“%(source)s”这类事项。") % {"source": source}, field="source")
    reason = _check_reason(reason)
    _check_new_date(new_date, today=today)
    item = board_item(user=by, source=source, pk=record_pk, on=today)
    if item is None:
        raise ApplicationError(
            _("该%(kind)s不在您的今日事项中：只能顺延本人或本部门负责、尚未办结的事项。")
            % {"kind": found.label},
            field="record_pk",
        )
    if item.due_on != today:
        raise ApplicationError(
            _(
                "该事项的期限是%(due)s，不是今天：只能顺延今日到期的事项（逾期事项请按其办理流程申请延期）。"
            )
            % {"due": format_day(item.due_on)},
            field="record_pk",
        )
    carry_over = CarryOver(
        user=by,
        day=today,
        source=source,
        record_pk=record_pk,
        title=item.title[:300],
        department_id=item.department_id,
        reason=reason,
        new_date=new_date,
    )
    try:
        with transaction.atomic():
            if CarryOver.objects.filter(day=today, source=source, record_pk=record_pk).exists():
                raise ApplicationError(_("该事项今天已经顺延过。"), field="record_pk")
            return record_save(instance=carry_over, by=by)
    except IntegrityError as error:  # the same item carried over at the same moment elsewhere
        raise ApplicationError(_("该事项今天已经顺延过。"), field="record_pk") from error
