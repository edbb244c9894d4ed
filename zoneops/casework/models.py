"""The clocked record and its step events (see zoneops.casework for how an app uses them).

Abstract models only: no table lives here. Each concrete record keeps its own table and
columns; a record that has no extension or no suspension sets those names to constants in its
class body (`extension_days = 0`, `suspended_since = None`), so the clock reads them the same
way and no column is added.
"""

from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.utils.translation import gettext_lazy as _

from zoneops.casework.clocks import (
    DeadlineClock,
    finished_clock,
    running_clock,
    suspended_clock,
)
from zoneops.common.models import BusinessModel
from zoneops.common.scope import ScopedQuerySet
from zoneops.common.workcalendar import WorkingDayResult, add_working_days


class StepEvent(models.Model):
    """Base of the rows that record each step of a clocked record (a problem, a request, a
    case, a task): the day it happened, when it was entered and by whom, the departments it
    moved between, and what was said. Summaries as of a day are read from these rows.

    A concrete event adds the foreign key to its record, its `Kind` choices and `kind`, and
    whatever a step of its own carries (a request's `internal` and `score`).
    """

    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("原部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("新部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        abstract = True
        ordering = ["on", "id"]


class ClockedQuerySet(ScopedQuerySet):
    """The filters every clocked record's lists share."""

    def running(self) -> Any:
        """The clock runs or stands suspended: the record is in one of its running statuses."""
        return self.filter(status__in=self.model.running_statuses)

    def overdue(self, *, on: date) -> Any:
        """Running, not suspended, with a deadline before `on` (current state)."""
        return self.filter(self.model.overdue_q(on=on))


class ClockedRecord(BusinessModel):
    """A record that moves through steps against a limit in working days (DESIGN "Working-day
    clocks"): its status, the day the current round of the clock counts from, the limit, the
    approved extension, the working days it stood suspended, the day it stands suspended since,
    and the deadline worked out from them (`due_on`, and `due_provisional` while a year of it
    is not in the calendar). The version, the audit fields and the history come from
    BusinessModel.

    The concrete model says, in its class body:
    - `status` with its choices and default (it overrides the one here);
    - `running_statuses` (the clock runs), `done_statuses` (the clock stopped by the work being
      done: the clock then says whether that was on time) and `done_on_field` (the day it was
      done, e.g. "answered_on");
    - `clock_class`, its DeadlineClock subclass with its words for "done";
    - `clock_start_field` when the clock's start is a field of another name (a problem counts
      from `routed_on`), or fields of its own for `limit_days`/`due_on` when they are required;
    - `arrived_on_field` (the day it came in) and `step_too_early` (its words for a step dated
      before its last one); its events' foreign key has `related_name="events"`.
    """

    status = models.CharField(_("状态"), max_length=12, editable=False)
    # The current round of the clock: from acceptance, or from the last reopening.
    clock_from = models.DateField(_("计时起点"), null=True, blank=True, editable=False)
    limit_days = models.PositiveSmallIntegerField(
        _("办理时限（工作日）"), null=True, blank=True, editable=False
    )
    extension_days = models.PositiveSmallIntegerField(
        _("批准延期（工作日）"), default=0, editable=False
    )
    # Waiting for materials does not count: the clock stops on `suspended_since` and, when it
    # runs again, the working days it stood are added to the deadline (`suspended_days`).
    suspended_since = models.DateField(_("暂停计时自"), null=True, blank=True, editable=False)
    suspended_days = models.PositiveSmallIntegerField(
        _("暂停计时（工作日）"), default=0, editable=False
    )
    due_on = models.DateField(_("办结期限"), null=True, blank=True, editable=False)
    due_provisional = models.BooleanField(
        _("期限待定"),
        default=False,
        editable=False,
        help_text=_("期限所在年度的节假日尚未录入，暂按周末计算。"),
    )

    running_statuses: ClassVar[tuple[str, ...]] = ()
    done_statuses: ClassVar[tuple[str, ...]] = ()
    done_on_field: ClassVar[str] = ""
    clock_class: ClassVar[type[DeadlineClock]] = DeadlineClock
    clock_start_field: ClassVar[str] = "clock_from"
    # The day the record came in (e.g. "filed_on"): no step is dated before it.
    arrived_on_field: ClassVar[str] = ""
    # A step dated before the record's last one is refused in the record's words.
    step_too_early: ClassVar[Any] = _("日期 %(on)s 早于上一次办理记录（%(after)s）。")

    objects = ClockedQuerySet.as_manager()

    class Meta:
        abstract = True

    # --- the clock -------------------------------------------------------------------------

    @property
    def clock_start(self) -> date | None:
        """The day the current round of the clock counts from (受理次日起算)."""
        start: date | None = getattr(self, self.clock_start_field)
        return start

    @classmethod
    def has_suspension(cls) -> bool:
        """Whether the record's clock can stand suspended (a column, not a constant)."""
        return any(field.name == "suspended_since" for field in cls._meta.concrete_fields)

    @classmethod
    def overdue_q(cls, *, on: date) -> Q:
        """Running with a deadline before `on` (a suspended clock does not run: not overdue):
        what every overdue list and count of the record filters on."""
        condition = Q(status__in=cls.running_statuses, due_on__lt=on)
        if cls.has_suspension():
            condition &= Q(suspended_since__isnull=True)
        return condition

    @classmethod
    def deadline_as_of(cls, *, as_of: date) -> Case:
        """The deadline of the clock running at the end of `as_of`, for
        `.annotate(due_as_of=...)`: the current one when the current round had started by
        then, else the one the latest history row with a start by then holds (a reroute with
        a new limit or a reopening starts a later round; starts only move forward); NULL when
        no clock had started by then. Within a round the deadline is read as it stands now
        (an extension approved later counts)."""
        started = {f"{cls.clock_start_field}__lte": as_of}
        history: Any = cls.history  # type: ignore[attr-defined]  # each concrete record's
        earlier = (
            history.filter(id=OuterRef("pk"), **started)
            .order_by("-history_id")
            .values("due_on")[:1]
        )
        return Case(When(**started, then=F("due_on")), default=Subquery(earlier))

    def deadline(self) -> WorkingDayResult:
        """The deadline (办结期限) of the current round: the working day after the clock's
        start that ends the limit, the approved extensions and the working days the clock
        stood (a suspension still running is not in `suspended_days` yet). The clock must
        have started."""
        start = self.clock_start
        assert start is not None and self.limit_days is not None  # the clock has started
        return add_working_days(start, self.limit_days + self.extension_days + self.suspended_days)

    def deadline_update(self) -> WorkingDayResult:
        """Work out the deadline again into `due_on` and `due_provisional` (not saved)."""
        due = self.deadline()
        self.due_on, self.due_provisional = due.date, due.provisional
        return due

    def clock_restart(self, *, start: date, limit_days: int) -> WorkingDayResult:
        """Start a round of the clock on `start` with the limit, no extension and no
        suspension, and work out its deadline (not saved)."""
        setattr(self, self.clock_start_field, start)
        self.limit_days = limit_days
        if self.has_suspension():
            self.suspended_days, self.suspended_since = 0, None
        if any(field.name == "extension_days" for field in self._meta.concrete_fields):
            self.extension_days = 0
        return self.deadline_update()

    def clock(self, *, on: date) -> DeadlineClock | None:
        """Where the record stands against its deadline on `on`: the warning while the clock
        runs, that it stands while suspended, whether it was done on time once done; None
        while no clock runs (not yet started, or ended without the work being done)."""
        cls = self.clock_class
        if self.status in self.done_statuses:
            if self.due_on is None:  # done without a clock ever running
                return None
            done_on = getattr(self, self.done_on_field)
            return finished_clock(
                cls, due_on=self.due_on, provisional=self.due_provisional, done_on=done_on
            )
        start = self.clock_start
        if self.status not in self.running_statuses or start is None or self.limit_days is None:
            return None
        if self.suspended_since is not None:
            assert self.due_on is not None  # suspended while running
            return suspended_clock(
                cls,
                since=self.suspended_since,
                due_on=self.due_on,
                provisional=self.due_provisional,
            )
        # A clock that stood N working days runs as if it had started N working days later:
        # the same deadline as `deadline()`, with the warning's 20% of the limit and its
        # extensions only (the days it stood are no part of the limit).
        if self.suspended_days:
            start = add_working_days(start, self.suspended_days).date
        return running_clock(
            cls, start=start, limit_days=self.limit_days + self.extension_days, today=on
        )
