"""Where something with a limit in working days stands against its deadline: one shape for
project problems, enterprise requests and whatever else runs a clock (DESIGN "Working-day
clocks"; `ClockedRecord.clock` builds it for a record).

While the clock runs the level is DESIGN's warning — normal, yellow when at most 20% of the
limit (and at least one working day) is left, red once overdue — with the working days left or
the calendar days overdue; while it stands suspended it has no level and keeps the working days
that were left; once the item is done (a problem resolved, a request answered) the clock says
whether that was by the deadline.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.common.periods import format_day
from zoneops.common.workcalendar import (
    WarningLevel,
    WorkingDayResult,
    add_working_days,
    calendar_pinned,
    working_day_warning,
    working_days_between,
)

# The key of a clock that stands suspended (neither a warning nor done).
SUSPENDED_KEY = "suspended"


@dataclass(frozen=True)
class DeadlineClock:
    """Where an item stands against its deadline on a day.

    `level` is the warning (normal / yellow / red) while the item is open, None once it is
    done or while its clock stands suspended (`suspended_since`); `on_time` says then whether
    it was done by its deadline. Subclasses name what "done" is (`done_key`,
    `done_on_time_label`, `done_late_label`) and what the item waits for while suspended
    (`suspended_label`).
    """

    level: WarningLevel | None
    due_on: date
    provisional: bool
    days_left: int | None = None  # open, not overdue: working days left after today
    days_overdue: int | None = None  # open, overdue: calendar days past the deadline
    on_time: bool | None = None  # done: by the deadline
    suspended_since: date | None = None  # open, the clock stands since that day

    done_key: ClassVar[str] = "done"
    done_on_time_label: ClassVar[Any] = gettext_lazy("按期办结")
    done_late_label: ClassVar[Any] = gettext_lazy("逾期办结")
    suspended_label: ClassVar[Any] = gettext_lazy("暂停计时（自%(since)s起）")

    @property
    def key(self) -> str:
        """normal, yellow, red, suspended, <done> or <done>_late: for colours and filters."""
        if self.suspended_since is not None:
            return SUSPENDED_KEY
        if self.level is not None:
            return self.level
        return self.done_key if self.on_time else f"{self.done_key}_late"

    @property
    def label(self) -> str:
        if self.suspended_since is not None:
            return str(self.suspended_label) % {"since": format_day(self.suspended_since)}
        if self.level == "red":
            return _("逾期%(days)s天") % {"days": self.days_overdue}
        if self.level == "yellow":
            if not self.days_left:
                return _("临期：今日到期")
            return _("临期：剩%(days)s个工作日") % {"days": self.days_left}
        if self.level == "normal":
            return _("正常：剩%(days)s个工作日") % {"days": self.days_left}
        return str(self.done_on_time_label if self.on_time else self.done_late_label)


C = TypeVar("C", bound=DeadlineClock)


def running_clock(cls: type[C], *, start: date, limit_days: int, today: date) -> C:
    """The clock of an open item whose limit of `limit_days` working days counts from `start`
    (受理次日起算), on `today`."""
    with calendar_pinned():  # one reading of the calendar for the level and the days
        level = working_day_warning(start, limit_days, today)
        due = add_working_days(start, limit_days)
        if level == "red":
            return cls(
                level=level,
                due_on=due.date,
                provisional=due.provisional,
                days_overdue=(today - due.date).days,
            )
        left = working_days_between(today, due.date).days
    return cls(level=level, due_on=due.date, provisional=due.provisional, days_left=left)


def finished_clock(cls: type[C], *, due_on: date, provisional: bool, done_on: date | None) -> C:
    """The clock of an item done on `done_on`: on time when by the deadline."""
    on_time = done_on is not None and done_on <= due_on
    return cls(level=None, due_on=due_on, provisional=provisional, on_time=on_time)


def suspended_clock(cls: type[C], *, since: date, due_on: date, provisional: bool) -> C:
    """The clock standing since `since`: the deadline as it was when it stopped (it moves when
    the clock runs again) and the working days that were left then."""
    left = working_days_between(since, due_on).days if due_on >= since else 0
    return cls(
        level=None,
        due_on=due_on,
        provisional=provisional,
        days_left=left,
        suspended_since=since,
    )


def deadline_note(limit_days: int, due: WorkingDayResult) -> str:
    """办理时限 5 个工作日，办结期限 2026年10月10日 — and the years not entered, if any."""
    note = _("办理时限 %(days)s 个工作日，办结期限 %(due)s") % {
        "days": limit_days,
        "due": f"{due.date.year}年{due.date.month}月{due.date.day}日",
    }
    if due.provisional:
        note += _("（%(years)s年节假日未录入，期限待定）") % {
            "years": "、".join(str(year) for year in due.provisional_years)
        }
    return note
