"""Excel from the back-office lists: the 导出 and 导入 buttons of any register.

An admin class takes `ExcelAdminMixin` with its `excel_register` and its list gets two buttons:
导出 writes the list as a template that imports back (with the list's filters, within the
user's data scope), 导入 asks for a file, shows the preview — counts, every error by row and
column, what would change — and writes only on 确认导入. The rules are in
zoneops.common.importing and the apps' registers; the views only wire them.

URLs, for an admin of <app>.<model> (names in the `admin` namespace):
  excel-export/              <app>_<model>_excel_export
  excel-import/              <app>_<model>_excel_import
  excel-import/<batch_id>/   <app>_<model>_excel_import_preview
With `excel_short_urls` the same views are also at export/, import/ and import/<batch_id>/
(<app>_<model>_export, _import, _import_preview), the addresses the enterprise register had.
"""

import copy
import tempfile
from typing import Any, BinaryIO, ClassVar
from urllib.parse import urlencode, urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from unfold.decorators import action
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.common.excel import xlsx_response
from zoneops.common.exceptions import ApplicationError
from zoneops.common.files import random_name
from zoneops.common.forms import Form
from zoneops.common.importing import (
    WORKBOOK_EXTENSIONS,
    Register,
    import_batch_confirm,
    import_batch_upload,
    import_upload_check,
    workbook_rows,
)
from zoneops.common.inputs import parse_id
from zoneops.common.job_selectors import job_for
from zoneops.common.job_services import JobOutcome, job_progress, job_start, job_work
from zoneops.common.job_views import job_state
from zoneops.common.models import BackgroundJob, ImportBatch

PREVIEW_TITLE = gettext_noop("导入%(register)s：检查 %(filename)s")
CONFIRM_TITLE = gettext_noop("导入%(register)s：写入 %(filename)s")


class ExcelAdminMixin:
    """The 导出 and 导入 buttons of a list, for the admin's `excel_register`."""

    excel_register: Register
    excel_short_urls: ClassVar[bool] = False  # also export/, import/, import/<batch_id>/
    actions_list = ["excel_export", "excel_import"]

    @action(description=_("导出"), url_path="excel-export", permissions=["view"])
    def excel_export(self, request: HttpRequest) -> HttpResponseBase:
        try:
            if self.excel_export_is_large(request):
                job = _start_export(self, request)
                return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]))
            content, filename = self.excel_export_file(request)
        except IncorrectLookupParameters:
            messages.error(request, _("列表的筛选条件无效，未能导出。"))
            return HttpResponseRedirect(self.excel_url("changelist"))
        return xlsx_response(content, filename)

    @action(description=_("导入"), url_path="excel-import", permissions=["excel_import"])
    def excel_import(self, request: HttpRequest) -> HttpResponseBase:
        return ImportUploadView.as_view(model_admin=self)(request)

    def has_excel_import_permission(self, request: HttpRequest) -> bool:
        return any(self.excel_register.permissions(request.user))

    def excel_export_file(self, request: HttpRequest) -> tuple[bytes | BinaryIO, str]:
        """The list as it is filtered, within the user's scope (`get_queryset` is scoped),
        written to a temporary file in constant memory and sent from it (100,000 rows too)."""
        changelist = self.get_changelist_instance(self.excel_list_request(request))  # type: ignore[attr-defined]
        queryset = changelist.get_queryset(request)
        filename = f"{self.excel_register.title}{timezone.localdate():%Y%m%d}.xlsx"
        output = tempfile.TemporaryFile()  # noqa: SIM115  closed by the response once sent
        try:
            self.excel_register.export_to(queryset, user=request.user, output=output)
        except BaseException:
            output.close()
            raise
        output.seek(0)
        return output, filename

    def excel_export_is_large(self, request: HttpRequest) -> bool:
        """Whether the filtered list has more rows than ZONEOPS_EXPORT_BACKGROUND_ROWS: counted
        no further than that."""
        limit = settings.ZONEOPS_EXPORT_BACKGROUND_ROWS
        changelist = self.get_changelist_instance(self.excel_list_request(request))  # type: ignore[attr-defined]
        return changelist.get_queryset(request)[: limit + 1].count() > limit

    def excel_list_request(self, request: HttpRequest) -> HttpRequest:
        """The request with the list's filters: the export link's own query, else the query of
        the list page the button was pressed on (the button's link carries none)."""
        if request.GET:
            return request
        referer = urlsplit(request.META.get("HTTP_REFERER", ""))
        if referer.path != self.excel_url("changelist") or not referer.query:
            return request
        filtered = copy.copy(request)
        filtered.GET = QueryDict(referer.query)
        return filtered

    def excel_url(self, name: str, *args: Any) -> str:
        meta = self.model._meta  # type: ignore[attr-defined]
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_{name}", args=args)

    def get_urls(self) -> list:
        meta = self.model._meta  # type: ignore[attr-defined]
        prefix = f"{meta.app_label}_{meta.model_name}"
        site: Any = self.admin_site  # type: ignore[attr-defined]
        preview = site.admin_view(ImportPreviewView.as_view(model_admin=self))
        urls = [path("excel-import/<id:batch_id>/", preview, name=f"{prefix}_excel_import_preview")]
        if self.excel_short_urls:
            urls += [
                path("export/", site.admin_view(self.excel_export), name=f"{prefix}_export"),
                path("import/", site.admin_view(self.excel_import), name=f"{prefix}_import"),
                path("import/<id:batch_id>/", preview, name=f"{prefix}_import_preview"),
            ]
        return [*urls, *super().get_urls()]  # type: ignore[misc]


class ImportForm(Form):
    file = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("请上传按导出模板填写的 .xlsx 文件。上传后先预览，确认无误后才写入。"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{kind}" for kind in WORKBOOK_EXTENSIONS)}
        ),
    )


class _ImportView(UnfoldModelAdminViewMixin):
    model_admin: Any

    @property
    def register(self) -> Register:
        return self.model_admin.excel_register

    def has_permission(self) -> bool:
        return self.model_admin.has_excel_import_permission(self.request)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        admin = self.model_admin
        return super().get_context_data(  # type: ignore[misc]
            register=self.register,
            guide=[str(line) for line in self.register.guide],
            changelist_url=admin.excel_url("changelist"),
            export_url=admin.excel_url("excel_export"),
            upload_url=admin.excel_url("excel_import"),
            **kwargs,
        )


class ImportUploadView(_ImportView, FormView):
    template_name = "common/import_upload.html"
    form_class = ImportForm

    @property
    def title(self) -> str:  # type: ignore[override]
        return str(_("导入%(register)s") % {"register": self.register.title})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        recent = ImportBatch.objects.filter(
            register=self.register.name, uploaded_by_id=self.request.user.pk
        )[:10]
        return super().get_context_data(
            recent=recent, **_job_context(self.request, follow=True), **kwargs
        )

    def form_valid(self, form: ImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            import_upload_check(
                register=self.register, filename=upload.name, size=upload.size, by=self.request.user
            )
            content = upload.read()
            rows = workbook_rows(content)
            if rows > settings.ZONEOPS_IMPORT_BACKGROUND_ROWS:
                job = _start_preview(self.model_admin, upload.name, content, rows, self.request)
                upload_url = self.model_admin.excel_url("excel_import")
                return HttpResponseRedirect(f"{upload_url}?{urlencode({'job': job.pk})}")
            batch = import_batch_upload(
                register=self.register, filename=upload.name, data=content, by=self.request.user
            )
        except ApplicationError as error:
            form.add_error("file", error.message)
            return self.form_invalid(form)
        return HttpResponseRedirect(self.model_admin.excel_url("excel_import_preview", batch.pk))


class ImportPreviewView(_ImportView, TemplateView):
    """The preview of an uploaded file (the user's own); POST confirms it."""

    template_name = "common/import_preview.html"

    @property
    def title(self) -> str:  # type: ignore[override]
        return str(_("导入%(register)s：预览") % {"register": self.register.title})

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.batch = get_object_or_404(
            ImportBatch.objects.filter(uploaded_by_id=request.user.pk, register=self.register.name),
            pk=kwargs["batch_id"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        summary = self.batch.summary
        counts = summary.get("counts", {})
        return super().get_context_data(
            batch=self.batch,
            summary=summary,
            counts=counts,
            more_errors=max(0, counts.get("errors", 0) - len(summary.get("errors", []))),
            can_confirm=self.batch.can_confirm,
            **_job_context(self.request, follow=True, back=self.request.path),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rows = self.batch.summary.get("counts", {}).get("rows", 0)
        if self.batch.can_confirm and rows > settings.ZONEOPS_IMPORT_BACKGROUND_ROWS:
            job = job_start(
                work=import_confirm_work,
                title=CONFIRM_TITLE,
                title_args={"register": str(self.register.title), "filename": self.batch.filename},
                by=request.user,
                params={"model": _model_label(self.model_admin), "batch": self.batch.pk},
                total=rows,
            )
            return HttpResponseRedirect(f"{request.path}?{urlencode({'job': job.pk})}")
        try:
            plan = import_batch_confirm(batch=self.batch, register=self.register, by=request.user)
        except ApplicationError as error:
            # Refused (ImportRefusedError): the preview page now lists the reasons.
            messages.error(request, error.message)
            return HttpResponseRedirect(request.path)
        messages.success(
            request,
            _("已导入%(register)s：新增 %(created)s 条，更新 %(updated)s 条。")
            % {
                "register": self.register.title,
                "created": plan.written.get("created", 0),
                "updated": plan.written.get("updated", 0),
            },
        )
        return HttpResponseRedirect(self.model_admin.excel_url("changelist"))


# --- Large workbooks in the background (zoneops.common.job_services) -----------------------


def _model_label(model_admin: Any) -> str:
    return model_admin.model._meta.label_lower


def _excel_admin(model: str) -> Any:
    """The back office's Excel admin of a model ("app.model"), in the worker's process."""
    for registered, model_admin in admin.site._registry.items():
        if registered._meta.label_lower == model and isinstance(model_admin, ExcelAdminMixin):
            return model_admin
    raise ApplicationError(gettext("没有找到要导入的台账。"))


def _job_context(request: HttpRequest, *, follow: bool, back: str = "") -> dict[str, Any]:
    """The progress bar of the job named by `?job=` (the user's own), for the page that
    started it: when the job is done, the browser goes to its outcome (`follow`), or back."""
    pk = parse_id(request.GET.get("job", ""))
    if pk is None:
        return {}
    try:
        job = job_for(user=request.user, pk=pk)
    except BackgroundJob.DoesNotExist:
        return {}
    query = {"follow": "1"} if follow else {}
    if back:
        query["next"] = back
    poll_url = reverse("jobs:status", args=[job.pk]) + (f"?{urlencode(query)}" if query else "")
    return {"job_state": {**job_state(job), "poll_url": poll_url}}


def _start_preview(
    model_admin: Any, filename: str, content: bytes, rows: int, request: HttpRequest
) -> BackgroundJob:
    """A workbook too large to preview while the browser waits: kept until the job reads it."""
    storage = ImportBatch._meta.get_field("file").storage  # type: ignore[attr-defined]
    stored = storage.save(f"imports/pending/{random_name(filename)}", ContentFile(content))
    register = model_admin.excel_register
    return job_start(
        work=import_preview_work,
        title=PREVIEW_TITLE,
        title_args={"register": str(register.title), "filename": filename},
        by=request.user,
        params={"model": _model_label(model_admin), "stored": stored, "filename": filename},
        total=max(rows - 1, 1),  # the header row is not imported
    )


@job_work
def import_preview_work(*, job: BackgroundJob, model: str, stored: str, filename: str) -> Any:
    """The preview of a large workbook: the batch kept as for a small one, its page the link."""
    model_admin = _excel_admin(model)
    storage = ImportBatch._meta.get_field("file").storage  # type: ignore[attr-defined]
    try:
        with storage.open(stored, "rb") as handle:
            content = handle.read()
        batch = import_batch_upload(
            register=model_admin.excel_register,
            filename=filename,
            data=content,
            by=job.started_by,
        )
    finally:
        storage.delete(stored)
    counts = batch.summary.get("counts", {})
    return JobOutcome(
        message=gettext(
            "预览完成：共 %(rows)s 行，新增 %(new)s，更新 %(updated)s，错误 %(errors)s 处。"
        )
        % {
            "rows": counts.get("rows", 0),
            "new": counts.get("new", 0),
            "updated": counts.get("updated", 0),
            "errors": counts.get("errors", 0),
        },
        link=model_admin.excel_url("excel_import_preview", batch.pk),
        data={"batch": batch.pk},
    )


@job_work
def import_confirm_work(*, job: BackgroundJob, model: str, batch: int) -> Any:
    """The confirmation of a large workbook's preview; refused with the reasons on its page."""
    model_admin = _excel_admin(model)
    register = model_admin.excel_register
    kept = ImportBatch.objects.get(pk=batch, uploaded_by_id=job.started_by_id)
    job_progress(stage=gettext("正在核对并写入（全部成功或全部不写）"))
    plan = import_batch_confirm(batch=kept, register=register, by=job.started_by)
    return JobOutcome(
        message=gettext("已导入%(register)s：新增 %(created)s 条，更新 %(updated)s 条。")
        % {
            "register": register.title,
            "created": plan.written.get("created", 0),
            "updated": plan.written.get("updated", 0),
        },
        link=model_admin.excel_url("changelist"),
        data={"batch": kept.pk},
    )


EXPORT_TITLE = gettext_noop("导出%(register)s")


def _start_export(model_admin: Any, request: HttpRequest) -> BackgroundJob:
    register = model_admin.excel_register
    return job_start(
        work=export_work,
        title=EXPORT_TITLE,
        title_args={"register": str(register.title)},
        by=request.user,
        params={
            "model": _model_label(model_admin),
            "query": model_admin.excel_list_request(request).GET.urlencode(),
        },
    )


def _worker_request(user: Any, query: str) -> HttpRequest:
    """The list's request as the worker rebuilds it: the user and the list's filters."""
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(query)
    request.user = user
    request.META = {"SERVER_NAME": "localhost", "SERVER_PORT": "80"}
    return request


@job_work
def export_work(*, job: BackgroundJob, model: str, query: str) -> Any:
    """A large list's export, in the user's scope and with the list's filters; the file is the
    outcome."""
    model_admin = _excel_admin(model)
    request = _worker_request(job.started_by, query)
    if not model_admin.has_view_permission(request):
        raise ApplicationError(gettext("您没有导出该列表的权限。"))
    job_progress(stage=gettext("正在导出"))
    try:
        changelist = model_admin.get_changelist_instance(request)
        job_progress(total=changelist.get_queryset(request).count())
        output, filename = model_admin.excel_export_file(request)
    except IncorrectLookupParameters as error:
        raise ApplicationError(gettext("列表的筛选条件无效，未能导出。")) from error
    return JobOutcome(
        message=gettext("已导出%(register)s。") % {"register": model_admin.excel_register.title},
        file_name=filename,
        file_content=output,  # closed once stored (job_finish)
    )
