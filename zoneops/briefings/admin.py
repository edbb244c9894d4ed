"""The briefing page (工作简报) in the back office: choose a period, read the briefing with
every figure linked to its records, download it as .docx. Mounted by `briefings.urls` under
/admin/briefings/; the app holds no table."""

from typing import Any
from urllib.parse import quote

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.briefings.apps import VIEW
from zoneops.briefings.documents import MAX_UPLOAD_BYTES, briefing_docx, text_of_upload
from zoneops.briefings.selectors import KINDS, Briefing, briefing_for, figure_check
from zoneops.common.admin_base import standalone_host
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form, add_service_error
from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR
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
        return super().get_context_data(form=form, briefing=briefing, query=query, **kwargs)


def briefing_download(request: HttpRequest) -> HttpResponse:
    form, briefing = briefing_from(request)
    if briefing is None:
        errors = "；".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(briefing_docx(briefing), content_type=DOCX_CONTENT_TYPE)
    filename = f"{briefing.title}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


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
