"""The clocked-record kernel (办件计时): the ground that project problems, enterprise requests,
approval cases and supervision tasks stand on (DESIGN "Working-day clocks", STYLE 14).

It sits above `common` and below every business app, and imports none of them. A clocked
record is a record that moves through steps, each step an event, against a limit in working
days that counts from the day after the clock starts (受理次日起算) and can be suspended,
extended, rerouted and reopened.

What is here
- models.ClockedRecord: the abstract record — `status`, the clock's start (`clock_from`), its
  limit, approved extension and suspended working days, `suspended_since`, `due_on` and
  `due_provisional`; the version, audit fields and history come from common's BusinessModel.
  Its methods: `deadline()`, `deadline_update()`, `clock_restart(start=, limit_days=)` and
  `clock(on=)` (the DeadlineClock for a day); for lists `deadline_as_of(as_of=)` (the
  deadline then running, from the history), `overdue_q(on=)` and the queryset's `running()`
  and `overdue(on=)`.
- models.StepEvent: the abstract event of one step (the day `on`, `at`, `by`, from and to
  department, `note`).
- clocks: DeadlineClock (warning level, days left or overdue, suspended, done on time or
  late), and `deadline_note` for an event's note.
- services: `step_lock`, `step_date`, `step_check_status`, `step_check_limit`, `step_event`.
- selectors: `records_with_clock` (a page's rows with their clock, one calendar reading) and
  `clock_of`.
- workbench: the protocol of a work source (what an app contributes to a person's day on the
  page 今日事项: open items due or late, items finished, items cleared the same day).
- admin: `StepButtonsMixin` (the change page offers the steps the state allows),
  `ClockedStepView` + `StepForm` (one page per step, template "casework/step.html"), and the
  clock's badge and colours. api: `ClockPagination` for API lists.

How a new clocked record uses it (an approval case, say)
1. Words: its statuses (a TextChoices in the app's enums) and its DeadlineClock subclass with
   its words for done (`done_key = "concluded"`, `done_on_time_label = _("按期办结")`, ...,
   and `suspended_label` if it can be suspended).
2. The model: `class Case(ClockedRecord)` with `status = models.CharField(..., choices=...,
   default=...)`, `running_statuses`, `done_statuses`, `done_on_field`, `clock_class`, its
   own fields, and `objects = CaseQuerySet.as_manager()` on ClockedQuerySet. A record without
   an extension or a suspension sets `extension_days = 0`, `suspended_days = 0`,
   `suspended_since = None` (no column); one whose clock counts from a field of its own sets
   `clock_start_field` and `clock_from = None` (a problem counts from `routed_on`).
   `class CaseEvent(StepEvent)` with the foreign key to the case and its `Kind` choices.
3. The steps, one service each (STYLE 1-2), all the same shape inside `transaction.atomic`:
   `step_lock` (row lock and version) → `step_check_status` → `step_date` → change the record
   (`clock_restart` on acceptance or reopening, `deadline_update` after an extension or a
   suspension ends) → `record_save` → `step_event`.
4. Reads: `records_with_clock` for a page of rows, `Case.overdue_q(on=)` or
   `Case.objects.overdue(on=)` for lists and counts, the app's own "as of a day" from its
   events and history.
5. Edges: the ModelAdmin mixes in `StepButtonsMixin`; one `ClockedStepView` per step; the
   API list uses `@paginate(ClockPagination)`.

Why the pipeline's StageMove is not a StepEvent. A stage move is the as-of history of a
project's stage (from_stage → to_stage on `moved_on`, with a backdating reason), read by every
"as of a date" summary of the pipeline; the project it moves has no working-day clock, no
department hand-over and no status besides its stage. Its columns and indexes are shaped for
those summaries (project, moved_on; to_stage, moved_on), so it keeps its own shape; moving it
onto StepEvent would rename columns and add department fields it never fills.
"""
