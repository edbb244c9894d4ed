"""Shared model mechanisms: the business-record base, the work calendar and API tokens."""

from collections.abc import Collection
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zoneops.common.files import ProtectedFieldFile, ProtectedFileField, random_name
from zoneops.common.inputs import DateKind, field_error
from zoneops.common.scope import ScopedQuerySet


class InputRulesModelMixin(models.Model):
    """A record's own check of what it is given (`full_clean`, run by `record_save` and by the
    back office's forms): every text and date field follows zoneops.common.inputs, whichever
    edge the value came from."""

    # The kind of a date field that is not an ordinary date of the record (DateKind.RECORD):
    # a founding date may be long ago, a day something happened is not in the future.
    date_kinds: ClassVar[dict[str, DateKind]] = {}

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = {name: list(found) for name, found in error.error_dict.items()}
        for field in self._meta.concrete_fields:
            if (exclude and field.name in exclude) or field.name in errors:
                continue
            kind = self.date_kinds.get(field.name, DateKind.RECORD)
            message = field_error(field, getattr(self, field.attname), kind=kind)
            if message:
                errors[field.name] = [ValidationError(message, code="input")]
        if errors:
            raise ValidationError(errors)


class BusinessHistory(HistoricalRecords):
    """A business record's history rows: the relations they copy keep no index of their own.
    Nothing reads history by a project's park or a request's department (a record's history
    is read by its id, the history's date and who wrote it, which keep theirs), and every
    save and every imported row paid for a dozen such indexes (django-simple-history indexes
    each copied foreign key)."""

    def copy_fields(self, model: type[models.Model]) -> dict[str, models.Field]:
        fields = super().copy_fields(model)
        for field in fields.values():
            if field.is_relation:
                field.db_index = False
        return fields


class BusinessModel(InputRulesModelMixin, models.Model):
    """Base of every business record: who and when, a version for safe edits, and history.

    Writes go through `zoneops.common.services.record_save` (or an app's own service that
    calls it), which fills the audit fields, checks the version and records the change.
    """

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    history = BusinessHistory(inherit=True, excluded_fields=["updated_at"])

    objects = ScopedQuerySet.as_manager()

    # Data scope (see zoneops.common.scope): the fields through which a user may see a record.
    scope_department_fields: tuple[str, ...] = ()
    scope_owner_fields: tuple[str, ...] = ("created_by",)
    scope_enterprise_field: str | None = None
    scope_public: bool = False
    # Who may change it: the same fields unless a model declares `scope_write_department_fields`,
    # `scope_write_owner_fields` or `scope_write_enterprise_field`; or whoever may change the
    # record it belongs to (`scope_write_parent`). `scope_public` never widens writing.
    scope_write_parent: str | None = None

    class Meta:
        abstract = True


class CalendarYear(models.Model):
    """A year of the official work calendar that someone has entered (or seeded)."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinesecalendar 数据包")
        MANUAL = "manual", _("人工录入")

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"


class CalendarDay(models.Model):
    """A day that breaks the weekend rule: a weekday holiday, or a 调休 working weekend day."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    name = models.CharField(
        _("名称"), max_length=50, blank=True, help_text=_("如 国庆节、国庆节调休")
    )

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("上班") if self.is_working_day else _("休息")
        return f"{self.date:%Y-%m-%d} {self.name} ({kind})"


class SavedView(models.Model):
    """A list's filters saved under a name by a user (e.g. "我的深度在谈项目")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    page = models.CharField(_("页面"), max_length=100)
    name = models.CharField(_("名称"), max_length=50)
    query = models.CharField(_("筛选条件"), max_length=1000, blank=True)
    shared = models.BooleanField(_("共享给所有人"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_owner_fields = ("user",)

    class Meta:
        verbose_name = _("保存的视图")
        verbose_name_plural = _("保存的视图")
        ordering = ["page", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "page", "name"], name="common_saved_view_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def import_file_path(instance: "ImportBatch", filename: str) -> str:
    """Uploaded workbooks are stored under a random name, never the user's file name."""
    return f"imports/{instance.register}/{random_name(filename)}"


class ImportBatch(models.Model):
    """An uploaded workbook between its preview and its confirmation, kept afterwards as the
    record of who imported what (see zoneops.common.importing)."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("待确认")
        IMPORTED = "imported", _("已导入")

    register = models.CharField(_("台账"), max_length=50)
    # Kept while the preview waits and as the record of an import; empty once it is not kept
    # (a preview with errors, or one left unconfirmed: see zoneops.common.importing).
    file = ProtectedFileField(
        _("文件"), upload_to=import_file_path, max_length=200, blank=True, name_field="filename"
    )
    filename = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PREVIEWED
    )
    summary = models.JSONField(_("预览与结果"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_owner_fields = ("uploaded_by",)

    class Meta:
        verbose_name = _("Excel 导入")
        verbose_name_plural = _("Excel 导入")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def expired(self) -> bool:
        """A clean preview left unconfirmed whose file was removed (importing.PREVIEW_KEPT)."""
        counts = (self.summary or {}).get("counts", {})
        return self.status == self.Status.PREVIEWED and not self.file and not counts.get("errors")

    @property
    def can_confirm(self) -> bool:
        """Whether confirming would import something: previewed without errors, its file kept,
        and rows to add or update."""
        counts = (self.summary or {}).get("counts", {})
        return (
            self.status == self.Status.PREVIEWED
            and bool(self.file)
            and not counts.get("errors")
            and bool(counts.get("new") or counts.get("updated"))
        )


def job_file_path(instance: "BackgroundJob", filename: str) -> str:
    """A job's file (an export, a briefing) is stored under a random name."""
    return f"jobs/{random_name(filename)}"


class JobFieldFile(ProtectedFieldFile):
    @property
    def url(self) -> str:
        self._require_file()
        return reverse("jobs:file", args=[self.instance.pk])


class JobFileField(ProtectedFileField):
    """A job's file: served only by the job's own view, to whoever may read the job (its owner,
    an administrator), never as plain media."""

    attr_class = JobFieldFile


class BackgroundJob(models.Model):
    """A piece of long work a user started (an import, an export, a briefing, a recomputation),
    run by `zoneops worker` through django-tasks (zoneops.common.job_services): who started it,
    what, how far it is, and its outcome or its error, kept for him to read."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")
        INTERRUPTED = "interrupted", _("已中断")

    FINAL: ClassVar[frozenset[str]] = frozenset({"succeeded", "failed", "interrupted"})
    cache_area = None  # its progress and outcome feed no cached figure (zoneops.common.caching)

    # The work's function, by its dotted path (only functions marked `job_work` are run).
    work = models.CharField(_("工作"), max_length=200)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    # The title as written in the code (a Chinese source text) and its values: shown in the
    # reader's language (`shown_title`).
    title = models.CharField(_("任务"), max_length=200)
    title_args = models.JSONField(default=dict, blank=True)
    language = models.CharField(_("语言"), max_length=16, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveBigIntegerField(_("已完成"), default=0)
    total = models.PositiveBigIntegerField(_("总量"), null=True, blank=True)
    stage = models.CharField(_("当前步骤"), max_length=200, blank=True)
    # The outcome or the error, for the user; `link` where to read the outcome; `data` what the
    # page that started the job needs of it (e.g. the import's batch).
    message = models.TextField(_("结果"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    file = JobFileField(
        _("文件"), upload_to=job_file_path, max_length=200, blank=True, name_field="filename"
    )
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The last sign of life of the running work (its progress, its worker's heartbeat): a job
    # running with none for ZONEOPS_JOB_STALE_SECONDS is shown as interrupted.
    beat_at = models.DateTimeField(null=True, blank=True)
    # The process running it ("host:pid"): a job whose process is gone from this host is seen
    # dead at once by the next worker there, without waiting for ZONEOPS_JOB_STALE_SECONDS.
    runner = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        # Who reads a job is its owner (an administrator: everyone), not a role's permission.
        default_permissions = ()
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["started_by", "-created_at"], name="common_job_user_idx"),
            models.Index(fields=["status", "beat_at"], name="common_job_status_idx"),
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        from django.utils.translation import gettext

        try:
            return gettext(self.title) % self.title_args if self.title_args else gettext(self.title)
        except (KeyError, TypeError, ValueError):
            return self.title

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))


class WorkerBeat(models.Model):
    """A worker's heartbeat (`zoneops worker` writes it every few seconds): the readiness check
    reads the latest (`job_selectors.worker_last_seen`)."""

    cache_area = None  # a beat every few seconds feeds no cached figure

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    queues = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("后台进程")
        verbose_name_plural = _("后台进程")
        default_permissions = ()  # written by the workers, read by the readiness check

    def __str__(self) -> str:
        return self.worker_id
