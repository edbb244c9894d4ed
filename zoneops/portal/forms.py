"""The hall's forms: they read what was typed; the rules are the services' (inquiry_submit,
hall_lookup, booking_request)."""

from django import forms
from django.utils import timezone
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
    slot = forms.CharField(
        label=_("预约云洽谈（可选）"),
        required=False,
        max_length=40,
        widget=forms.Select,
        help_text=_("选择一个时段与招商人员视频洽谈；工作人员确认后，凭咨询编号查询会议链接。"),
    )

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].widget.choices = slot_choices(slots, empty=_("暂不预约"))


def slot_choices(slots, *, empty):
    """The open slots as choices of a select: 12月8日 周二 10:00（60分钟）."""
    choices = [("", empty)]
    for slot in slots:
        start = timezone.localtime(slot.starts_at)
        label = _("%(month)d月%(day)d日 %(time)s（%(minutes)d分钟）") % {
            "month": start.month,
            "day": start.day,
            "time": f"{start:%H:%M}",
            "minutes": slot.duration_minutes,
        }
        choices.append((str(slot.pk), label))
    return choices


class StatusForm(Form):
    """进度查询: the reference and the mobile's last four digits (checked by hall_lookup)."""

    reference = forms.CharField(
        label=_("咨询编号"),
        required=False,
        max_length=40,
        help_text=_("提交咨询后页面显示的编号，如 ZS-2026-7K3QXM。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    last4 = forms.CharField(
        label=_("手机号后四位"),
        required=False,
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}
        ),
    )


class BookingForm(Form):
    """Pick a slot for the inquiry on the status page (checked by booking_request)."""

    slot = forms.CharField(label=_("洽谈时段"), required=False, max_length=40, widget=forms.Select)

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offer(slots)

    def offer(self, slots) -> None:
        self.fields["slot"].widget.choices = slot_choices(slots, empty=_("（请选择）"))
