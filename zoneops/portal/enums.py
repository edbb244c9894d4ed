from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyStatus(models.TextChoices):
    """起草 → 已审核 → 已发布; a published policy may be withdrawn (撤回), a withdrawn or
    reviewed one goes back to draft when it is edited."""

    DRAFT = "draft", _("草稿")
    REVIEWED = "reviewed", _("已审核")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class InvestorNeed(models.TextChoices):
    """What an investor asks the zone for (the inquiry's needs)."""

    LAND = "land", _("土地")
    BUILDING = "building", _("厂房/楼宇")
    FINANCE = "finance", _("融资")
    TALENT = "talent", _("人才")


class InquiryStatus(models.TextChoices):
    """The first-response clock of an inquiry: it runs from the day it is sent until staff
    first answer it (a reply, or a decision on the meeting it asked for)."""

    SUBMITTED = "submitted", _("已提交")
    REPLIED = "replied", _("已回复")


class InquiryEventKind(models.TextChoices):
    REPLIED = "replied", _("回复")
    BOOKED = "booked", _("预约云洽谈")
    CONFIRMED = "confirmed", _("确认云洽谈")
    DECLINED = "declined", _("婉拒云洽谈")


class BookingStatus(models.TextChoices):
    """An investor's request for a meeting slot: staff confirm it (with the video link) or
    decline it (with a reason); a declined booking frees its slot."""

    PENDING = "pending", _("洽谈待确认")
    CONFIRMED = "confirmed", _("洽谈已确认")
    DECLINED = "declined", _("未能安排")


ACTIVE_BOOKINGS = (BookingStatus.PENDING, BookingStatus.CONFIRMED)
