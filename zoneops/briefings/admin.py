"""The briefing page (工作简报) in the back office: choose a period, read the briefing with
every figure linked to its records, download it as .docx. Mounted by `briefings.urls` under
/admin/briefings/; the app holds no table."""

from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django.views.generic import FormView, TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.briefings.apps import VIEW
from zoneops.briefings.documents import MAX_UPLOAD_BYTES, briefing_docx, text_of_upload
from zoneops.briefings.selectors import (
    KINDS,
    Briefing,
    BriefingPeriod,
    briefing_for,
    figure_check,
)
from zoneops.common.admin_base import standalone_host
from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.forms import Form, add_service_error
from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR, parse_id
from zoneops.common.job_selectors import job_for
from zoneops.common.job_services import JobOutcome, job_progress, job_start, job_work
from zoneops.common.job_views import job_state
from zoneops.common.models import BackgroundJob
from zoneops.common.periods import month_before

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class BriefingForm(Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    kind = forms.ChoiceField(label=gettext_lazy("简报类型"), choices=list(KINDS.items()))
    number = forms.IntegerField(
        label=gettext_lazy("月份或季度"),
        min_value=1,
        max_value=12,
        required=False,
        help_text=gettext_lazy("月度简报填月份（1-12），季度简报填季度（1-4）。"),
    )


def _default(today: Any) -> dict[str, Any]:
    """The last month over: the briefing a clerk writes at the start of a month."""
    last = month_before(today)
    return {"year": last.year, "kind": "month", "number": last.month}


def briefing_from(request: HttpRequest) -> tuple[BriefingForm, Briefing | None]:
    today = timezone.localdate()
    form = BriefingForm(request.GET if "year" in request.GET else _default(today))
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    try:
        briefing = briefing_for(
            year=data["year"],
            kind=data["kind"],
            number=data.get("number"),
            user=request.user,
            today=today,
        )
    except ApplicationError as error:
        add_service_error(form, error)
        return form, None
    return form, briefing


class BriefingView(UnfoldModelAdminViewMixin, TemplateView):
    title = gettext_lazy("工作简报")
    permission_required = (VIEW,)
    template_name = "briefings/briefing.html"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model_admin=standalone_host(), **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form, briefing = briefing_from(self.request)
        query = self.request.GET.urlencode() if briefing and "year" in self.request.GET else ""
        if briefing and not query:
            data = form.cleaned_data
            query = f"year={data['year']}&kind={data['kind']}&number={data.get('number') or ''}"
        return super().get_context_data(
            form=form, briefing=briefing, query=query, job_state=self._job_state(), **kwargs
        )

    def _job_state(self) -> dict[str, Any] | None:
        """The bar of the .docx job the page's button started (`?job=`, the user's own)."""
        pk = parse_id(self.request.GET.get("job", ""))
        if pk is None:
            return None
        try:
            job = job_for(user=self.request.user, pk=pk)
        except BackgroundJob.DoesNotExist:
            return None
        return {**job_state(job), "poll_url": reverse("jobs:status", args=[job.pk])}


def briefing_download(request: HttpRequest) -> HttpResponse:
    """GET: the .docx at once (a link, a script). POST (the page's button): written by a
    background job; the page shows its bar, then the file to download."""
    if request.method == "POST":
        return _briefing_download_job(request)
    form, briefing = briefing_from(request)
    if briefing is None:
        return _refused(form)
    response = HttpResponse(briefing_docx(briefing), content_type=DOCX_CONTENT_TYPE)
    filename = f"{briefing.title}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _refused(form: BriefingForm) -> HttpResponse:
    """A bad period, each error with the field it is about."""
    errors = "；".join(
        f"{form.fields[name].label}：{error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )
    return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")


DOCX_TITLE = gettext_noop("生成 Word 简报：%(period)s")


def _briefing_download_job(request: HttpRequest) -> HttpResponse:
    form = BriefingForm(request.POST)
    if not form.is_valid():
        return _refused(form)
    data = form.cleaned_data
    query = {"year": data["year"], "kind": data["kind"], "number": data.get("number") or ""}
    try:
        period = BriefingPeriod.of(
            year=data["year"], kind=data["kind"], number=data.get("number")
        ).label(timezone.localdate())
    except ApplicationError as error:
        add_service_error(form, error)
        return _refused(form)
    job = job_start(
        work=briefing_docx_work,
        title=DOCX_TITLE,
        title_args={"period": period},
        by=request.user,
        params=query,
    )
    return HttpResponseRedirect(
        f"{reverse('briefings:index')}?{urlencode({**query, 'job': job.pk})}"
    )


@job_work
def briefing_docx_work(
    *, job: BackgroundJob, year: int, kind: str, number: int | str | None
) -> JobOutcome:
    """The briefing's .docx, written from the records in the worker; the file is the outcome."""
    user = job.started_by
    if user is None or not user.has_perm(VIEW):
        raise PermissionDeniedError()
    job_progress(stage=gettext("正在汇总各项数据"))
    briefing = briefing_for(
        year=int(year),
        kind=kind,
        number=int(number) if number else None,
        user=user,
        today=timezone.localdate(),
    )
    job_progress(stage=gettext("正在写入 Word 文件"))
    return JobOutcome(
        message=gettext("已生成《%(title)s》。") % {"title": briefing.title},
        file_name=f"{briefing.title}.docx".replace("/", "-"),
        file_content=briefing_docx(briefing),
    )


class CheckForm(Form):
    text = forms.CharField(
        label=gettext_lazy("要核对的文字"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy("粘贴汇报材料、简报或新闻稿；也可上传.txt或.docx文件。"),
    )
    file = forms.FileField(label=gettext_lazy("或上传文件"), required=False)


class FigureCheckView(UnfoldModelAdminViewMixin, FormView):
    """数据核对: paste a text or upload one; every figure is listed as matching the records,
    not matching (with the records' value and a link to where it comes from) or not
    checkable, and the text's own sums are checked."""

    title = gettext_lazy("数据核对")
    permission_required = (VIEW,)
    template_name = "briefings/check.html"
    form_class = CheckForm

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model_admin=standalone_host(), **kwargs)

    def form_valid(self, form: CheckForm) -> HttpResponse:
        upload = form.cleaned_data.get("file")
        try:
            if upload is not None:
                text = text_of_upload(name=upload.name, data=upload.read(MAX_UPLOAD_BYTES + 1))
            else:
                text = form.cleaned_data.get("text") or ""
            check = figure_check(text=text, user=self.request.user)
        except ApplicationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        return self.render_to_response(
            self.get_context_data(form=form, check=check, marked=_marked(text, check))
        )


def _marked(text: str, check: Any) -> list[tuple[str, Any]]:
    """The text cut into runs of words and checked figures, for the page to colour them."""
    runs: list[tuple[str, Any]] = []
    position = 0
    for row in check.rows:
        figure = row.figure
        if figure.start > position:
            runs.append((text[position : figure.start], None))
        runs.append((text[figure.start : figure.end], row))
        position = figure.end
    runs.append((text[position:], None))
    return runs
