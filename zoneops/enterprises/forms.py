"""Forms of the enterprise's own pages (企业服务大厅): they parse input; the services decide."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zoneops.common.forms import Form
from zoneops.enterprises.enums import RequestKind
from zoneops.projects.enums import BlockerKind, BlockerTopic

SCORE_CHOICES = [
    (5, _("5分 非常满意")),
    (4, _("4分 满意")),
    (3, _("3分 基本满意")),
    (2, _("2分 不满意")),
    (1, _("1分 非常不满意")),
]


class RequestFileForm(Form):
    """提交诉求: what the enterprise asks for; the enterprise itself comes from the login."""

    title = forms.CharField(
        label=_("诉求标题"),
        max_length=200,
        help_text=_("一句话概括，如“厂区东侧道路未通，原料车辆无法进场”。"),
    )
    description = forms.CharField(
        label=_("诉求内容"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("说明遇到的问题、已经做过的努力和希望得到的帮助。"),
    )
    kind = forms.ChoiceField(label=_("诉求类型"), choices=[("", _("请选择")), *RequestKind.choices])
    category = forms.ChoiceField(
        label=_("类别"),
        choices=BlockerKind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "堵点：办事流程不畅、受阻；痛点：反复遇到、影响生产经营；难点：企业自身难以解决、需要协调。"
        ),
    )
    topic = forms.ChoiceField(label=_("领域"), choices=[("", _("请选择")), *BlockerTopic.choices])
    project = forms.ModelChoiceField(
        label=_("相关项目"),
        queryset=None,
        required=False,
        empty_label=_("（不涉及具体项目）"),
        help_text=_("诉求涉及本企业的某个投资项目时选择。"),
    )
    contact_person = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)

    def __init__(
        self,
        *args: Any,
        projects: QuerySet,
        limits: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
        if limits:
            kind_field: Any = self.fields["kind"]
            kind_field.choices = [("", gettext("请选择"))] + [
                (
                    value,
                    gettext("%(kind)s（办理时限%(days)s个工作日）")
                    % {"kind": label, "days": limits[value]},
                )
                if value in limits
                else (value, label)
                for value, label in RequestKind.choices
            ]
            kind_field.help_text = gettext("时限自受理次日起按工作日计算。")


class RequestRateForm(Form):
    """评价: a score from 1 to 5 and a comment, with the version the page was opened on."""

    score = forms.TypedChoiceField(
        label=_("评分"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("评价意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    # The page says above the form that a score below SATISFIED_SCORE reopens the request.
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RequestMaterialsForm(Form):
    """提交补充材料: what the enterprise supplies for a request whose clock stands waiting for
    it, with the version the page was opened on."""

    # Named as the service names it, so that its refusal shows at the field.
    note = forms.CharField(
        label=_("补充材料"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明补充的材料或情况说明；提交后承办部门恢复办理，计时恢复。"),
    )
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
