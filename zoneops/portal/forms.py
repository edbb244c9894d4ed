"""The inquiry form: it reads what was typed; the rules are the service's (inquiry_submit)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zoneops.common.forms import Form
from zoneops.industry.selectors import categories_public
from zoneops.portal.enums import InvestorNeed

# A field no person sees (hidden by the style sheet, skipped by the keyboard): a robot fills it.
HONEYPOT = "website"


class InquiryForm(Form):
    company = forms.CharField(
        label=_("企业名称"),
        max_length=100,
        error_messages={"required": _("请填写企业名称。")},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    contact_name = forms.CharField(
        label=_("联系人"),
        max_length=30,
        error_messages={"required": _("请填写联系人。")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    mobile = forms.CharField(
        label=_("手机号"),
        max_length=20,
        error_messages={"required": _("请填写手机号。")},
        help_text=_("仅用于招商人员与您联系，不会公开。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    industry = forms.ModelChoiceField(
        label=_("意向产业"),
        queryset=categories_public(),
        required=False,
        empty_label=_("（请选择）"),
    )
    planned_investment = forms.CharField(
        label=_("计划投资（万元）"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    needs = forms.MultipleChoiceField(
        label=_("需求"),
        choices=InvestorNeed.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    message = forms.CharField(
        label=_("留言"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("项目情况、需要了解的政策或希望考察的园区，2000字以内。"),
    )
    website = forms.CharField(
        label=_("网址（请留空）"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    challenge = forms.CharField(
        label=_("验证问题"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    challenge_token = forms.CharField(required=False, widget=forms.HiddenInput)
