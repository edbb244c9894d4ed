"""Forms of the back-office pages; they parse input, the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.projects.enums import PIPELINE, STAGE_ORDER, TERMINABLE, Stage, SummaryDimension


def next_stage_choices(current: str) -> list[tuple[str, str]]:
    """The stages a project may move to from `current`: forward, or 终止 before 竣工."""
    if current == Stage.TERMINATED:
        return []
    choices = [(s.value, s.label) for s in PIPELINE if STAGE_ORDER[s] > STAGE_ORDER[Stage(current)]]
    if Stage(current) in TERMINABLE:
        choices.append((Stage.TERMINATED.value, Stage.TERMINATED.label))
    return choices


class StageMoveForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("推进到"))
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
        self.fields["to_stage"].choices = next_stage_choices(project.stage)
        self.fields["on"].initial = timezone.localdate()
        self.fields["edit_version"].initial = project.version


class SummaryForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=1990, max_value=2100)
    as_of = forms.DateField(
        label=_("截至日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    dimension = forms.ChoiceField(label=_("分组"), choices=SummaryDimension.choices, required=False)
