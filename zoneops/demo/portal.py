"""The demo zone's investment hall: a few policies for investors, drafted by the investment
officer, reviewed and published by the head of the investment bureau (one of them expired, so
the hall leaves it out), and, for the living zone, two inquiries from the hall that arrived
today — leads for the officers of their industries.

The policies are illustrative (the article names none); they are the kind a zone of this
profile publishes (厂房租金减免, 人才公寓, 设备投资补助).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from zoneops.chains.selectors import chains_opportunities
from zoneops.common.workcalendar import is_working_day
from zoneops.demo import living
from zoneops.demo.results import DemoResult
from zoneops.industry.models import IndustryCategory
from zoneops.orgs.models import Department, User
from zoneops.portal.enums import InvestorNeed
from zoneops.portal.models import Inquiry, MeetingSlot, Policy
from zoneops.portal.services import (
    inquiry_submit,
    meeting_slot_save,
    policy_publish,
    policy_review,
    policy_save,
)
from zoneops.projects.services.chains import project_chain_node_set

WRITER, REVIEWER, DEPARTMENT = "zsj_staff", "zsj_head", "zsj"


@dataclass(frozen=True)
class PolicySpec:
    title: str
    summary: str
    body: str
    valid_from: date
    valid_to: date | None


POLICIES: tuple[PolicySpec, ...] = (
    PolicySpec(
        "汽车零部件及新材料企业入驻扶持办法",
        "入驻园区标准厂房的汽车零部件、新材料企业，厂房租金前三年减半。",
        "一、适用范围\n在开发区注册并入驻园区标准厂房的汽车零部件、新材料制造企业。\n\n"
        "二、扶持内容\n1. 厂房租金自起租之日起前三年减半收取；\n"
        "2. 当年投产且年产值超过5000万元的，第四年租金再减免30%。\n\n"
        "三、申请方式\n企业在入驻后三个月内向招商局提交申请，经审核后按季度兑现。",
        date(2020, 1, 1),
        None,
    ),
    PolicySpec(
        "重点产业项目设备投资补助办法",
        "新建或技改项目的生产设备投资，按实际投资额的5%给予补助，单个项目最高500万元。",
        "一、补助对象\n在开发区实施、设备投资不低于2000万元的汽车、新材料、生物医药产业项目。\n\n"
        "二、补助标准\n按经审计的生产设备投资额的5%给予补助，单个项目最高500万元。\n\n"
        "三、兑现程序\n项目竣工投产后六个月内申报，经济发展局会同财政部门审核后拨付。",
        date(2020, 3, 1),
        None,
    ),
    PolicySpec(
        "高层次人才安居保障实施细则",
        "入驻企业引进的高层次人才可申请人才公寓，三年内免租金。",
        "一、保障对象\n入驻企业引进的博士、高级职称人员及企业核心技术骨干。\n\n"
        "二、保障方式\n提供拎包入住的人才公寓，三年内免收租金；不选择公寓的按月发放住房补贴。",
        date(2020, 1, 1),
        None,
    ),
    PolicySpec(
        "2019年度招商引资奖励办法",
        "对2019年引进项目的中介机构和个人给予奖励（已到期）。",
        "本办法适用于2019年度引进并签约的项目，2019年12月31日到期。",
        date(2019, 1, 1),
        date(2019, 12, 31),
    ),
)


@dataclass(frozen=True)
class InquirySpec:
    company: str
    contact_name: str
    mobile: str
    industry: str  # the category's code
    planned_investment: int  # 万元
    needs: tuple[str, ...]
    message: str


INQUIRIES: tuple[InquirySpec, ...] = (
    InquirySpec(
        "天津瑞驰汽车电子有限公司（示例）",
        "赵先生",
        "13800000001",
        "auto",
        30000,
        (InvestorNeed.LAND, InvestorNeed.FINANCE),
        "拟投资建设车载控制器生产基地，需工业用地约60亩，希望了解土地价格和供地周期。",
    ),
    InquirySpec(
        "北京新碳材料科技有限公司（示例）",
        "钱女士",
        "13900000002",
        "new-materials",
        8000,
        (InvestorNeed.BUILDING, InvestorNeed.TALENT),
        "研发中试项目，希望租用孵化器或加速器空间约2000平方米，并了解人才公寓政策。",
    ),
)


def load_portal(*, result: DemoResult, today: date | None) -> None:
    """Whatever of the hall is missing: the policies, and with `today` the two inquiries."""
    writer = User.objects.filter(username=WRITER).first()
    reviewer = User.objects.filter(username=REVIEWER).first()
    department = Department.objects.filter(code=DEPARTMENT).first()
    if writer is None or reviewer is None or department is None:
        return
    existing = set(Policy.objects.values_list("title", flat=True))
    for spec in POLICIES:
        if spec.title in existing:
            continue
        policy = policy_save(
            policy=Policy(
                title=spec.title,
                summary=spec.summary,
                body=spec.body,
                department=department,
                valid_from=spec.valid_from,
                valid_to=spec.valid_to,
            ),
            by=writer,
        )
        policy_review(policy=policy, by=reviewer)
        policy_publish(policy=policy, by=reviewer)
        result.created["policies"] += 1
    if today is not None:
        load_inquiries(result=result)
        load_slots(result=result, today=today, officer=writer, department=department)


SLOT_TIMES = (time(10), time(15))  # the 招商专员's online meeting hours
SLOT_DAYS = 3  # working days ahead offered


def load_slots(*, result: DemoResult, today: date, officer: User, department: Department) -> None:
    """云洽谈时段 on the next working days, 10:00 and 15:00, unless some are still open."""
    now = timezone.now()
    if MeetingSlot.objects.filter(starts_at__gt=now).exists():
        return
    day, offered = today, 0
    zone = timezone.get_default_timezone()
    while offered < SLOT_DAYS:
        day += timedelta(days=1)
        if not is_working_day(day):
            continue
        offered += 1
        for at in SLOT_TIMES:
            slot = MeetingSlot(
                starts_at=datetime.combine(day, at, tzinfo=zone),
                duration_minutes=60,
                officer=officer,
                department=department,
            )
            meeting_slot_save(slot=slot, by=officer)
            result.created["meeting slots"] += 1


def load_inquiries(*, result: DemoResult) -> None:
    """The living zone's inquiries from the hall, arrived today (once)."""
    industries = {c.code: c for c in IndustryCategory.objects.all()}
    sent = set(Inquiry.objects.values_list("company", flat=True))
    # Each investor asks about a gap of its industry's chain: the lead goes on that node (and
    # the chains' loader, which puts sample leads on nodes, leaves it there).
    gaps = {}
    for chain in chains_opportunities():
        if chain.chain.industry_id and chain.gaps:
            gaps.setdefault(chain.chain.industry_id, chain.gaps[0].node)
    for spec in INQUIRIES:
        if spec.company in sent:
            continue
        industry = industries.get(spec.industry)
        inquiry = inquiry_submit(
            company=spec.company,
            contact_name=spec.contact_name,
            mobile=spec.mobile,
            industry=industry,
            planned_investment=spec.planned_investment,
            needs=list(spec.needs),
            message=spec.message,
            at=timezone.now(),
            is_sample=True,
            backdate_reason=living.BACKDATE_REASON,
        )
        node = gaps.get(industry.pk) if industry is not None else None
        if node is not None:
            project_chain_node_set(project=inquiry.project, node=node, by=None)
        result.created["hall inquiries"] += 1
