"""Excel from the back-office lists: 导出 and 导入 buttons on the projects and the monthly reports.

An admin class takes a mixin (`ProjectExcelMixin`, `ProgressReportExcelMixin`) and its list gets
two buttons: 导出 writes the list as a template that imports back (with the list's filters,
within the user's data scope), 导入 asks for a file, shows the preview — counts, every error by
row and column, what would change — and writes only on 确认导入. The rules are in
zoneops.common.importing and the registers of zoneops.projects.excel; the views only wire them.
"""

import copy
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from unfold.decorators import action
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.common.excel import XLSX_CONTENT_TYPE
from zoneops.common.exceptions import ApplicationError
from zoneops.common.importing import Register, import_batch_confirm, import_batch_upload
from zoneops.common.models import ImportBatch
from zoneops.projects.excel import progress_report_register, project_register


class ExcelAdminMixin:
    """The 导出 and 导入 buttons of a list, for the admin's `excel_register`."""

    excel_register: Register
    actions_list = ["excel_export", "excel_import"]

    @action(description=_("导出"), url_path="excel-export", permissions=["view"])
    def excel_export(self, request: HttpRequest) -> HttpResponse:
        try:
            content, filename = self.excel_export_file(request)
        except IncorrectLookupParameters:
            messages.error(request, _("列表的筛选条件无效，未能导出。"))
            return HttpResponseRedirect(self.excel_url("changelist"))
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response

    @action(description=_("导入"), url_path="excel-import", permissions=["excel_import"])
    def excel_import(self, request: HttpRequest) -> HttpResponseBase:
        return ImportUploadView.as_view(model_admin=self)(request)

    def has_excel_import_permission(self, request: HttpRequest) -> bool:
        return any(self.excel_register.permissions(request.user))

    def excel_export_file(self, request: HttpRequest) -> tuple[bytes, str]:
        """The list as it is filtered, within the user's scope (`get_queryset` is scoped)."""
        changelist = self.get_changelist_instance(_with_list_filters(request, self))  # type: ignore[attr-defined]
        queryset = changelist.get_queryset(request)
        filename = f"{self.excel_register.title}{timezone.localdate():%Y%m%d}.xlsx"
        return self.excel_register.export(queryset, user=request.user), filename

    def excel_url(self, name: str, *args: Any) -> str:
        meta = self.model._meta  # type: ignore[attr-defined]
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_{name}", args=args)

    def get_urls(self) -> list:
        meta = self.model._meta  # type: ignore[attr-defined]
        preview = self.admin_site.admin_view(ImportPreviewView.as_view(model_admin=self))  # type: ignore[attr-defined]
        return [
            path(
                "excel-import/<int:batch_id>/",
                preview,
                name=f"{meta.app_label}_{meta.model_name}_excel_import_preview",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]


def _with_list_filters(request: HttpRequest, model_admin: Any) -> HttpRequest:
    """The request with the list's filters: the export link's own query, else the query of the
    list page the button was pressed on (the button's link carries none)."""
    if request.GET:
        return request
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.path != model_admin.excel_url("changelist") or not referer.query:
        return request
    filtered = copy.copy(request)
    filtered.GET = QueryDict(referer.query)
    return filtered


class ProjectExcelMixin(ExcelAdminMixin):
    excel_register = project_register


class ProgressReportExcelMixin(ExcelAdminMixin):
    """The monthly reports go out by month: the list's 月份 filter, else this month; the file
    has a row to fill for every key project that owes the month's report."""

    excel_register = progress_report_register

    def excel_export_file(self, request: HttpRequest) -> tuple[bytes, str]:
        month = _month(_with_list_filters(request, self).GET.get("month")) or timezone.localdate()
        content = progress_report_register.export_month(month=month, user=request.user)
        return content, f"{progress_report_register.export_title(month)}.xlsx"


def _month(value: str | None) -> date | None:
    try:
        return datetime.strptime(value or "", "%Y-%m").date()  # noqa: DTZ007  a calendar month
    except ValueError:
        return None


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("请上传按导出模板填写的 .xlsx 文件。上传后先预览，确认无误后才写入。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.xls,.ods"}),
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
        return super().get_context_data(recent=recent, **kwargs)

    def form_valid(self, form: ImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            batch = import_batch_upload(
                register=self.register,
                filename=upload.name,
                data=upload.read(),
                by=self.request.user,
            )
        except ApplicationError as error:
            form.add_error("file", error.message)
            return self.form_invalid(form)
        return HttpResponseRedirect(self.model_admin.excel_url("excel_import_preview", batch.pk))


class ImportPreviewView(_ImportView, TemplateView):
    """The preview of an uploaded file; POST confirms it."""

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
            can_confirm=self.batch.status == ImportBatch.Status.PREVIEWED
            and not counts.get("errors")
            and (counts.get("new") or counts.get("updated")),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            plan = import_batch_confirm(batch=self.batch, register=self.register, by=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(request.path)
        if plan.errors:
            messages.error(request, _("没有导入：数据在预览之后有了变化，请看下面的错误。"))
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
