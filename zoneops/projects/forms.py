"""Forms of the back-office pages; they parse input, the services decide."""

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.common.forms import Form
from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR
from zoneops.industry.models import IndustryCategory
from zoneops.orgs.models import Department, User
from zoneops.parks.models import Park
from zoneops.projects.enums import (
    PIPELINE,
    STAGE_ORDER,
    TERMINABLE,
    SourceChannel,
    Stage,
    SummaryDimension,
)
from zoneops.projects.models import Project
from zoneops.projects.selectors import BoardFilters


def next_stage_choices(current: str) -> list[tuple[str, str]]:
    """The stages a project may move to from `current`: forward, or 终止 before 竣工."""
    if current == Stage.TERMINATED:
        return []
    choices = [(s.value, s.label) for s in PIPELINE if STAGE_ORDER[s] > STAGE_ORDER[Stage(current)]]
    if Stage(current) in TERMINABLE:
        choices.append((Stage.TERMINATED.value, Stage.TERMINATED.label))
    return choices


class StageMoveForm(Form):
    # Any stage is read: whether the move is allowed is `project_move_stage`'s rule, which tells
    # a writer who opened the page at an older version so first. The list offers the moves open
    # when the page is drawn (`widget.choices`); limiting the field itself to them refused a
    # form opened before someone else's move with "not a valid choice" instead.
    to_stage = forms.ChoiceField(label=_("推进到"), choices=Stage.choices)
    on = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    backdate_reason = forms.CharField(
        label=_("补登原因"), required=False, help_text=_("发生日期早于今天时必填。")
    )
    reason = forms.CharField(label=_("终止原因"), required=False, help_text=_("终止项目时必填。"))
    edit_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].widget.choices = next_stage_choices(project.stage)
        self.fields["on"].initial = timezone.localdate()
        self.fields["edit_version"].initial = project.version


class SummaryForm(Form):
    year = forms.IntegerField(
        label=_("年度"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    as_of = forms.DateField(
        label=_("截至日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    dimension = forms.ChoiceField(label=_("分组"), choices=SummaryDimension.choices, required=False)


class BoardFilterForm(Form):
    """The board's filters; every choice list is limited to what the user may see."""

    q = forms.CharField(label=_("搜索"), required=False)
    industry = forms.ModelChoiceField(label=_("产业"), queryset=None, required=False)
    park = forms.ModelChoiceField(label=_("落地园区"), queryset=None, required=False)
    liaison_leader = forms.ModelChoiceField(label=_("包联领导"), queryset=None, required=False)
    responsible_department = forms.ModelChoiceField(
        label=_("责任部门"), queryset=None, required=False
    )
    key_year = forms.IntegerField(
        label=_("重点项目年度"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    include_terminated = forms.BooleanField(label=_("含已终止"), required=False)
    hide_samples = forms.BooleanField(label=_("隐藏示例数据"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = IndustryCategory.objects.visible_to(user)
        self.fields["park"].queryset = Park.objects.visible_to(user)
        # Who liaises with a project: one look-up in the project index per user (a DISTINCT
        # over the join read every project of the zone).
        liaises = Project.objects.filter(liaison_leader=OuterRef("pk"))
        self.fields["liaison_leader"].queryset = User.objects.visible_to(user).filter(
            Exists(liaises)
        )
        self.fields["responsible_department"].queryset = Department.objects.visible_to(user)

    def filters(self) -> BoardFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return BoardFilters(
            industry_id=getattr(data.get("industry"), "pk", None),
            park_id=getattr(data.get("park"), "pk", None),
            liaison_leader_id=getattr(data.get("liaison_leader"), "pk", None),
            responsible_department_id=getattr(data.get("responsible_department"), "pk", None),
            key_year=data.get("key_year"),
            q=(data.get("q") or "").strip(),
            include_terminated=bool(data.get("include_terminated")),
            include_samples=not data.get("hide_samples"),
        )


class SavedViewForm(Form):
    name = forms.CharField(label=_("视图名称"), max_length=50)
    shared = forms.BooleanField(label=_("共享给所有人"), required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput)


class FunnelForm(Form):
    registered_from = forms.DateField(
        label=_("登记日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    registered_to = forms.DateField(
        label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    as_of = forms.DateField(
        label=_("统计截至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    source_channel = forms.ChoiceField(
        label=_("项目来源"),
        required=False,
        choices=[("", _("全部来源")), *SourceChannel.choices],
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("registered_from"), cleaned.get("registered_to")
        if start and end and end < start:
            self.add_error("registered_to", _("结束日期不能早于开始日期。"))
        return cleaned
