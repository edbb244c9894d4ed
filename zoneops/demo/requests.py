"""The demo zone's enterprise service (企业服务) of 2019-07 to 2020-06: a year of requests (诉求)
with a spread of outcomes, the systemic blocker (共性堵点) of the Hyundai plant's suppliers in
the epidemic, and the plant's one-enterprise-one-policy plan (一企一策) — all written through the
enterprise services with their real dates.

The article gives no request by name and no count, only the practice: "协助项目有效解决建设、
生产及经营中的‘堵点’‘痛点’‘难点’", and its one case (line 81): during the epidemic part of the
Hyundai plant's upstream suppliers were in the epidemic area, parts were short, logistics were
stuck; the zone opened the chain up and applied "一企一策". So:
- the blocker and the plan are the article's case; the plant's own supply-chain request is the
  article's too;
- every other request is illustrative. One of a generated enterprise (`is_sample`, its name
  ending in "（示例）") is marked by that name already; one of a named enterprise carries
  "（示例）" at the end of its title, so that no page presents it as the enterprise's real
  request. (Enterprise.is_sample is the only sample flag; requests have none.)

What comes out as of the demo's "today", `AS_OF` = 2020-06-30 (the half-year report): 109
requests from 33 enterprises, every month from July 2019 on, most of them in February 2020.
Most were answered by their deadline and rated 4 or 5 — by the plant's own login, or on the
desk's return visit (回访); nine were answered late; three were rated below 3, reopened,
answered again and rated again; three extensions were approved (two in the blocker group), one
refused and one waits for approval; one waited a working day for the plant's materials (暂停计时,
resumed when they came, its deadline moved by that day); two requests were re-routed; three were
returned with the reason. Seven are still open or unrated: one overdue (red), one due the next
day (yellow) with its extension pending, one running, one accepted, one waiting for acceptance,
and two answered and waiting for the rating. The blocker groups seven requests from seven
firms and was resolved on 2020-03-13; the plan has seven measures, five done and two open.

The steps' days are given in working days after acceptance (`Step.day`, 0 = the day accepted)
and turned into dates with the zone's work calendar, so that "answered on day 4 of a 5-day
limit" stays on time whatever the holidays. The routine requests come out of `TEMPLATES` with a
seeded random generator (the same every run); the special cases are written out in `SPECIAL`.

Who does what: 企业服务局 is the request desk (`DESK`, an officer account this module adds the
way the register adds the inspectors): it files the requests brought in by liaison, phone,
visits and meetings, accepts and routes them, records the work of the departments that have no
officer in the demo, and records the ratings taken on return visits. 审批局, 招商局 and 项目办
answer through their own officers. Extensions are decided by the leader in charge of the
department (分管领导). The Hyundai plant files and rates through its own login (`enterprise`).

Idempotent: a request is found again by its enterprise and title, the blocker by its title, the
plan by its enterprise and title; one that exists is left as it is, steps and all, whatever a
user has done to it since.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from zoneops.blockers.models import SystemicBlocker
from zoneops.blockers.services import blocker_create, blocker_resolve
from zoneops.common.workcalendar import add_working_days, calendar_pinned
from zoneops.demo.data import HYUNDAI_PLANT
from zoneops.demo.enterprises_data import (
    ENTERPRISES,
    HIGH_TECH,
    SAMPLE_SUFFIX,
    SPECIALIZED,
    TECH_SME,
)
from zoneops.demo.results import DemoResult
from zoneops.enterprises.enums import (
    DEFAULT_REQUEST_LIMITS,
    LiaisonLevel,
    RequestChannel,
    RequestKind,
)
from zoneops.enterprises.models import (
    Enterprise,
    EnterprisePlan,
    EnterpriseRequest,
    RequestExtension,
)
from zoneops.enterprises.services.plans import measure_add, measure_complete, plan_create
from zoneops.enterprises.services.requests import (
    request_accept,
    request_add_note,
    request_answer,
    request_ask_extension,
    request_decide_extension,
    request_file,
    request_rate,
    request_reroute,
    request_resume,
    request_return,
    request_start,
    request_suspend,
)
from zoneops.orgs.models import Department, User
from zoneops.projects.enums import BlockerKind, BlockerTopic
from zoneops.projects.models import Project

AS_OF = date(2020, 6, 30)
SAMPLE = SAMPLE_SUFFIX  # "（示例）"

# 企业服务局's officer at the request desk (data.ACCOUNTS).
DESK = "qyfwj_staff"
ENTERPRISE_USER = "enterprise"  # the Hyundai plant's own login (data.ACCOUNTS)
# A self-service filing is dated the day it is made; the demo records its past ones as 补登.
BACKDATE_REASON = "演示数据：补登企业自助提交的诉求"
BACKDATE_RATING_REASON = "演示数据：补登企业自行作出的评价"
HYUNDAI_PROJECT = "DEMO-BHCZ"  # the plant's project; linked when the pipeline is loaded

# The officer who records a department's work, where the demo has one; the desk otherwise.
HANDLERS = {"spj": "spj_staff", "spj-zwfw": "spj_staff", "zsj": "zsj_staff", "xmb": "xmb_staff"}
# The leader in charge of the department (分管领导, data.ACCOUNTS) decides its extensions.
SUPERVISORS = {
    "spj": "leader3",
    "spj-zwfw": "leader3",
    "zrzyj": "leader3",
    "zjj": "leader3",
    "jfj": "director",
    "czj": "director",
    "qyfwj": "leader2",
    "zsj": "zsj_head",
    "xmb": "leader",
}

K, T = RequestKind, BlockerTopic
B, P, H = BlockerKind.BOTTLENECK, BlockerKind.PAIN_POINT, BlockerKind.HARD_PROBLEM
SELF, LIAISON, HOTLINE, MEETING, VISIT = (
    RequestChannel.SELF_SERVICE,
    RequestChannel.LIAISON,
    RequestChannel.HOTLINE,
    RequestChannel.MEETING,
    RequestChannel.VISIT,
)

START, NOTE, INTERNAL, REROUTE, EXTEND, APPROVE, REFUSE, ANSWER, RATE, RETURN = (
    "start",
    "note",
    "internal",
    "reroute",
    "extend",
    "approve",
    "refuse",
    "answer",
    "rate",
    "return",
)
SUSPEND, RESUME = "suspend", "resume"


def _d(text: str) -> date:
    return date.fromisoformat(text)


@dataclass(frozen=True)
class Step:
    kind: str
    # Working days after acceptance (0: the day accepted); for a request never accepted, after
    # filing. Reopening does not reset it: every step of a request counts from the same day.
    day: int
    text: str = ""
    score: int | None = None  # RATE
    days: int | None = None  # EXTEND: working days asked
    department: str | None = None  # REROUTE: the new department's code


@dataclass(frozen=True)
class RequestSpec:
    enterprise: str
    title: str
    kind: RequestKind
    category: BlockerKind
    topic: BlockerTopic
    department: str | None  # routed to on acceptance; None: never accepted
    filed_on: date  # the first working day on or after it, when it is not one
    description: str
    channel: RequestChannel = LIAISON
    steps: tuple[Step, ...] = ()
    accept_after: int = 1  # working days from filing to acceptance
    limit_days: int | None = None  # given at acceptance; the kind's limit otherwise
    project: str | None = None  # a project code of the enterprise's (investor_enterprise)
    contact_person: str = ""


# --- The Hyundai plant and the named enterprises: the special cases -------------------------

HYUNDAI_OWN: tuple[RequestSpec, ...] = (
    RequestSpec(
        HYUNDAI_PLANT,
        f"新款悦纳车型投产涂装线排污许可变更{SAMPLE}",
        K.HELP,
        B,
        T.APPROVALS,
        "spj",
        _d("2019-07-16"),
        "新款悦纳车型计划10月量产上市，涂装线工艺调整后需变更排污许可证，请协助尽快办理，"
        "以免影响投产节点。",
        channel=SELF,
        project=HYUNDAI_PROJECT,
        contact_person="孙丽",
        steps=(
            Step(START, 0, "审批局提前介入，一次性告知变更所需材料。"),
            Step(NOTE, 1, "容缺受理：监测报告后补，先行审查变更内容。"),
            Step(ANSWER, 3, "排污许可证变更已办结，电子证照已推送企业，满足新款悦纳10月量产需要。"),
            Step(RATE, 4, "办理很快，不影响新车型投产计划。", score=5),
        ),
    ),
    RequestSpec(
        HYUNDAI_PLANT,
        f"发动机出口越南、菲律宾出口退税加快办理{SAMPLE}",
        K.HELP,
        P,
        T.POLICY,
        "jfj",
        _d("2019-09-04"),
        "今年发动机出口越南、菲律宾数量大幅增加，出口退税资金占用较多，希望协调加快退税审核。",
        channel=VISIT,
        steps=(
            Step(START, 0),
            # Waited a working day for the plant's papers: the deadline moves by it.
            Step(SUSPEND, 1, "请企业补充8月出口发动机的报关单和收汇凭证，以便税务部门优先审核。"),
            Step(RESUME, 2, "企业已报送报关单和收汇凭证。"),
            Step(NOTE, 2, "经发局与税务部门对接，企业列为出口退税一类企业，实行优先审核。"),
            Step(ANSWER, 4, "已协调税务部门优先审核，8月申报的退税款已到账，此后按月及时办理。"),
            Step(RATE, 5, "退税到账明显加快。", score=5),
        ),
    ),
    # Rated 2, reopened, answered again and rated 4 — by the plant's own login.
    RequestSpec(
        HYUNDAI_PLANT,
        f"厂区外通勤道路路灯损坏，夜班员工出行不安全{SAMPLE}",
        K.COMPLAINT,
        P,
        T.OTHER,
        "zjj",
        _d("2019-11-18"),
        "工厂南侧和东侧通勤道路多处路灯不亮，冬季夜班员工上下班存在安全隐患，已多次反映未解决。",
        channel=SELF,
        contact_person="孙丽",
        steps=(
            Step(START, 0),
            Step(NOTE, 3, "住建局会同路灯管理所夜间巡查，确认东侧道路路灯线路被施工挖断。"),
            Step(ANSWER, 6, "东侧道路损坏路灯线路已修复，路灯恢复照明。"),
            Step(
                RATE,
                7,
                "东侧已修好，但南侧道路仍有约800米路灯不亮，夜班员工通勤仍不安全。",
                score=2,
            ),
            Step(NOTE, 9, "南侧道路路灯为老旧线路，需整体更换电缆，已安排抢修。"),
            Step(ANSWER, 12, "南侧道路更换电缆并新增路灯，工厂周边通勤道路照明全部恢复。"),
            Step(RATE, 13, "路灯已全部修复，感谢住建局。", score=4),
        ),
    ),
    RequestSpec(
        HYUNDAI_PLANT,
        f"复工后外地员工返岗和通勤保障{SAMPLE}",
        K.HELP,
        P,
        T.LABOUR,
        "qyfwj",
        _d("2020-03-02"),
        "工厂复工后仍有部分外地员工因隔离要求未能返岗，市区员工通勤班车需办理通行手续。",
        channel=VISIT,
        steps=(
            Step(START, 0),
            Step(ANSWER, 3, "已为通勤班车办理通行证明，外地员工按规定完成健康监测后陆续返岗。"),
            Step(RATE, 4, "员工返岗基本到位。", score=5),
        ),
    ),
    RequestSpec(
        HYUNDAI_PLANT,
        f"全新7座MPV车型投产前新增配套供应商入园{SAMPLE}",
        K.HELP,
        H,
        T.OTHER,
        "qyfwj",
        _d("2020-04-20"),
        "全新7座MPV（商务型）车型计划6月投产，新增的3家配套供应商需在开发区就近落地，"
        "请协调厂房和入园手续。",
        channel=LIAISON,
        project=HYUNDAI_PROJECT,
        steps=(
            Step(START, 0),
            Step(NOTE, 2, "招商局、项目服务一办对接中商高科·沧州产业园标准厂房。"),
            Step(INTERNAL, 2, "包联领导要求列入一企一策方案，按周调度。"),
            Step(ANSWER, 5, "3家配套供应商已在中商高科·沧州产业园租用标准厂房，入园手续办结。"),
            Step(RATE, 6, "供应商落地很及时。", score=5),
        ),
    ),
    RequestSpec(
        HYUNDAI_PLANT,
        f"整车拓展亚洲以外市场出口认证咨询{SAMPLE}",
        K.CONSULTATION,
        P,
        T.POLICY,
        "jfj",
        _d("2020-05-18"),
        "工厂拟拓展南美洲和俄罗斯整车出口业务，咨询出口认证办理和相关扶持政策。",
        channel=SELF,
        contact_person="孙丽",
        steps=(
            Step(
                ANSWER,
                2,
                "已提供海关、商务部门出口认证办理指引，经发局将出口认证费用纳入外贸"
                "发展资金支持范围。",
            ),
            Step(RATE, 3, "答复内容详实，比承诺时间晚了一天。", score=4),
        ),
    ),
    # Answered on 29 June, not yet rated on AS_OF.
    RequestSpec(
        HYUNDAI_PLANT,
        f"夏季用电高峰期间生产用电保障{SAMPLE}",
        K.HELP,
        P,
        T.UTILITIES,
        "jfj",
        _d("2020-06-22"),
        "新车型投产后生产负荷增加，担心夏季用电高峰有序用电影响生产，请协调供电保障。",
        channel=SELF,
        contact_person="孙丽",
        steps=(
            Step(START, 0),
            Step(ANSWER, 3, "已协调供电公司将工厂列入重点保障用户，迎峰度夏期间不列入有序用电。"),
        ),
    ),
)

# The sample Korean auto-parts firm of the 中日韩产业园 that joins the blocker group: the first
# generated one, found in the register by its data so that its name stays the register's.
KOREAN_SUPPLIER = next(
    spec.name
    for spec in ENTERPRISES
    if spec.is_sample and spec.industry == "auto" and spec.country == "韩国"
)

NAMED_SPECIAL: tuple[RequestSpec, ...] = (
    # Rated 1, reopened, answered again.
    RequestSpec(
        "韩国株山",
        f"出口退税审核进度慢，资金回笼困难{SAMPLE}",
        K.HELP,
        P,
        T.POLICY,
        "jfj",
        _d("2019-09-09"),
        "企业出口韩国的零部件退税已申报两个月仍未到账，流动资金紧张。",
        channel=HOTLINE,
        steps=(
            Step(START, 0),
            Step(ANSWER, 4, "已告知出口退税审核流程和办理时限，请企业耐心等待。"),
            Step(RATE, 5, "答复只说明了流程，退税款仍未到账。", score=1),
            Step(NOTE, 7, "经发局与税务部门核对，发现企业申报的报关单信息与备案不一致。"),
            Step(ANSWER, 9, "已协助企业更正报关单信息并重新申报，退税款已到账。"),
            Step(RATE, 10, "问题解决了。", score=4),
        ),
    ),
    # Re-routed: the drains are 住建局's.
    RequestSpec(
        "北汽倍摩斯",
        f"厂区外雨水管网排水不畅，暴雨后厂区积水{SAMPLE}",
        K.COMPLAINT,
        B,
        T.UTILITIES,
        "zrzyj",
        _d("2019-07-22"),
        "7月两次暴雨后厂区门前道路和厂区低洼处积水，影响物流车辆进出，疑为市政雨水管网堵塞。",
        channel=HOTLINE,
        steps=(
            Step(REROUTE, 1, "市政雨水管网的运行维护属住房和城乡建设局职责。", department="zjj"),
            Step(START, 1),
            Step(NOTE, 4, "住建局组织疏通厂区门前雨水管网约600米，清淤并更换破损雨水篦子。"),
            Step(ANSWER, 8, "雨水管网已疏通，此后暴雨未再出现积水；纳入汛期重点巡查点位。"),
            Step(RATE, 10, "处理及时。", score=4),
        ),
    ),
    # Re-routed and answered late; raised at the weekly docking of 2019-09-02.
    RequestSpec(
        "中商高科",
        f"二期地块规划条件核定{SAMPLE}",
        K.HELP,
        B,
        T.LAND,
        "spj",
        _d("2019-09-02"),
        "在中商高科·沧州产业园周对接会上提出：二期地块需核定规划条件后才能开展方案设计，"
        "请尽快办理。",
        channel=MEETING,
        steps=(
            Step(REROUTE, 1, "规划条件核定属自然资源和规划局职责。", department="zrzyj"),
            Step(START, 1),
            Step(NOTE, 6, "规划条件需与控制性详细规划衔接，已提交规划委员会办公室研究。"),
            Step(INTERNAL, 6, "规委会会期在9月下旬，本诉求将超期，已向分管领导报告。"),
            Step(ANSWER, 17, "二期地块规划条件已核定，规划条件通知书已送达企业。"),
            Step(RATE, 18, "时间较长，但结果满意。", score=4),
        ),
    ),
    # Extension approved.
    RequestSpec(
        "龙山汽车配件",
        f"项目用地土地出让手续办理{SAMPLE}",
        K.HELP,
        H,
        T.LAND,
        "zrzyj",
        _d("2019-10-14"),
        "项目9月签约，计划明年春季开工，需尽快完成项目用地的土地出让手续。",
        channel=LIAISON,
        steps=(
            Step(START, 0),
            Step(NOTE, 2, "地块已完成土地征收报批，正在编制出让方案。"),
            Step(
                EXTEND,
                4,
                "土地挂牌出让须履行公告程序，5个工作日内无法办结，申请延期15个工作日。",
                days=15,
            ),
            Step(APPROVE, 4, "同意延期，务必按挂牌出让程序抓紧办理。"),
            Step(ANSWER, 18, "地块挂牌出让已完成，企业竞得并签订国有建设用地使用权出让合同。"),
            Step(RATE, 20, "按承诺完成，满意。", score=5),
        ),
    ),
    # Extension refused; answered by the deadline after all.
    RequestSpec(
        "隆泰万通",
        f"申报省级首台（套）重大技术装备推荐意见{SAMPLE}",
        K.HELP,
        P,
        T.POLICY,
        "jfj",
        _d("2020-05-11"),
        "企业高端管道装备拟申报河北省首台（套）重大技术装备，需开发区出具推荐意见。",
        channel=LIAISON,
        steps=(
            Step(START, 0),
            Step(
                EXTEND, 2, "拟待市工信局申报通知下发后再出具推荐意见，申请延期5个工作日。", days=5
            ),
            Step(
                REFUSE,
                3,
                "出具推荐意见属部门职责范围内可即办事项，不必等待通知，不同意延期，请按期办结。",
            ),
            Step(ANSWER, 5, "经发局已审核申报材料并出具推荐意见，随企业申报材料一并报送。"),
            Step(RATE, 6, score=4),
        ),
    ),
    # Returned at intake: the same request the firm made at the meeting the day before.
    RequestSpec(
        "韩国株山",
        f"零部件运输车辆办理通行证{SAMPLE}",
        K.HELP,
        B,
        T.LOGISTICS,
        None,
        _d("2020-02-18"),
        "企业向北京现代供货的零部件运输车辆跨省通行受限，申请办理通行证。",
        channel=HOTLINE,
        steps=(
            Step(
                RETURN,
                0,
                "与企业2月17日在汽车配套企业复工复产座谈会上反映的诉求内容相同，"
                "已并入原诉求一并办理，本条不再重复受理。",
            ),
        ),
    ),
    # Still open on AS_OF: overdue (red).
    RequestSpec(
        "亚超特铝",
        f"新建厂房10千伏电力接入{SAMPLE}",
        K.HELP,
        B,
        T.UTILITIES,
        "jfj",
        _d("2020-06-11"),
        "项目4月开工，厂房主体即将完工，设备调试需在7月前接入10千伏电源。",
        channel=LIAISON,
        steps=(
            Step(START, 0),
            Step(NOTE, 2, "已协调供电公司现场勘察，接入方案需供电公司内部审批。"),
            Step(INTERNAL, 5, "供电公司7月上旬才能安排停电接火，按期办结有困难，已报分管领导。"),
            Step(NOTE, 8, "接入方案已获供电公司批复，等待安排停电接火。"),
        ),
    ),
    # Still open on AS_OF: due on 1 July (yellow), its extension waiting for approval.
    RequestSpec(
        "国工恒昌",
        f"邻近工地渣土车堵塞厂区出入口并扬尘{SAMPLE}",
        K.COMPLAINT,
        P,
        T.OTHER,
        "zjj",
        _d("2020-06-15"),
        "厂区东侧工地渣土车长时间停靠在厂区出入口，造成堵塞和扬尘，影响原料进厂和洁净车间。",
        channel=HOTLINE,
        steps=(
            Step(START, 0),
            Step(NOTE, 3, "住建局约谈施工单位，要求渣土车不得占道停放、出场冲洗。"),
            Step(
                EXTEND,
                8,
                "施工单位整改反复，需会同城管执法部门联合整治，申请延期5个工作日。",
                days=5,
            ),
        ),
    ),
    # Still open on AS_OF: running, normal.
    RequestSpec(
        "联之捷",
        f"新建焊材车间排污许可申领{SAMPLE}",
        K.HELP,
        B,
        T.APPROVALS,
        "spj",
        _d("2020-06-23"),
        "特种焊材车间计划8月试生产，需在试生产前取得排污许可证。",
        channel=LIAISON,
        steps=(
            Step(START, 0),
            Step(NOTE, 2, "已一次性告知申领材料，企业正在补充环境监测方案。"),
        ),
    ),
    # Still open on AS_OF: accepted on the day, not yet started.
    RequestSpec(
        "泰通机械设备",
        f"小微企业普惠贷款政策咨询{SAMPLE}",
        K.CONSULTATION,
        P,
        T.FINANCE,
        "czj",
        _d("2020-06-29"),
        "企业咨询2020年小微企业普惠贷款延期还本付息和信用贷款支持政策。",
        channel=HOTLINE,
    ),
    # Answered on AS_OF, not yet rated.
    RequestSpec(
        "瑞荣汽车",
        f"2020年稳岗返还申领咨询{SAMPLE}",
        K.CONSULTATION,
        P,
        T.POLICY,
        "qyfwj",
        _d("2020-06-29"),
        "企业咨询2020年失业保险稳岗返还的申领条件和办理渠道。",
        channel=HOTLINE,
        accept_after=0,
        steps=(Step(ANSWER, 1, "已告知稳岗返还申领条件和网上办理流程，企业无需提交纸质材料。"),),
    ),
)


def _sample(index: int, *, small: bool) -> str:
    """The index-th generated enterprise of the register (listed or small)."""
    level = LiaisonLevel.DISTRICT if small else LiaisonLevel.PROVINCE_CITY
    return [spec.name for spec in ENTERPRISES if spec.is_sample and spec.liaison == level][index]


SAMPLE_SPECIAL: tuple[RequestSpec, ...] = (
    # Rated 2, reopened, answered again and rated 5.
    RequestSpec(
        _sample(0, small=False),
        "员工宿舍冬季供暖温度不达标",
        K.COMPLAINT,
        P,
        T.UTILITIES,
        "zjj",
        _d("2019-11-25"),
        "入冬以来员工宿舍楼室温长期低于16℃，多次联系供热公司未解决。",
        channel=HOTLINE,
        steps=(
            Step(START, 0),
            Step(ANSWER, 5, "已督促供热公司提高供水温度，宿舍楼室温有所改善。"),
            Step(RATE, 6, "宿舍楼三层以上室温仍低于16℃，问题没有解决。", score=2),
            Step(NOTE, 8, "住建局会同供热公司入户测温，确认二级管网水力失衡。"),
            Step(ANSWER, 11, "供热公司调整二级管网平衡阀并加装管道泵，经回访各层室温均在18℃以上。"),
            Step(RATE, 12, "室温达标了，感谢。", score=5),
        ),
    ),
    # Returned at intake: a dispute between firms.
    RequestSpec(
        _sample(1, small=True),
        "与外地供应商合同货款纠纷请求协调",
        K.HELP,
        H,
        T.OTHER,
        None,
        _d("2019-10-21"),
        "外地供应商供货质量不合格，拒不退还预付货款，请求管委会出面协调。",
        channel=HOTLINE,
        steps=(
            Step(
                RETURN,
                1,
                "属企业之间的民商事合同纠纷，不属于管委会职责范围；建议通过协商、仲裁或诉讼"
                "解决，已告知企业可申请公共法律服务。",
            ),
        ),
    ),
    # Returned after acceptance: a labour dispute for the arbitration.
    RequestSpec(
        _sample(3, small=True),
        "离职员工工伤赔偿争议",
        K.COMPLAINT,
        H,
        T.LABOUR,
        "qyfwj",
        _d("2020-05-06"),
        "一名离职员工就工伤赔偿金额与企业发生争议，多次到厂区交涉，请求协调。",
        channel=VISIT,
        steps=(
            Step(START, 0),
            Step(
                RETURN,
                1,
                "属劳动争议，应向沧州市劳动人事争议仲裁委员会申请仲裁；已告知企业申请渠道和"
                "所需材料。",
            ),
        ),
    ),
    # Filed on AS_OF, waiting for acceptance.
    RequestSpec(
        _sample(5, small=True),
        "高新技术企业认定申报辅导",
        K.CONSULTATION,
        P,
        T.POLICY,
        None,
        _d("2020-06-30"),
        "企业拟申报2020年度高新技术企业认定，请求安排申报辅导。",
        channel=HOTLINE,
    ),
)


# --- The blocker: the Hyundai plant's suppliers in the epidemic ------------------------------

GROUP_LIMIT = 20  # 难点 across provinces: the desk gives 20 working days at acceptance


@dataclass(frozen=True)
class Rating:
    score: int
    comment: str = ""
    after: int = 1  # working days after the blocker's resolution


@dataclass(frozen=True)
class BlockerSpec:
    title: str
    description: str
    category: BlockerKind
    topic: BlockerTopic
    owner: str  # username
    department: str  # code
    opened_on: date
    resolved_on: date
    resolution: str
    requests: tuple[RequestSpec, ...]  # filed and accepted by opened_on, grouped when opened
    ratings: tuple[Rating, ...]  # one per request, after the resolution answered it


def _group_request(
    enterprise: str,
    title: str,
    filed_on: str,
    description: str,
    channel: RequestChannel,
    *steps: Step,
    project: str | None = None,
) -> RequestSpec:
    return RequestSpec(
        enterprise,
        title,
        K.HELP,
        B,
        T.LOGISTICS,
        "qyfwj",
        _d(filed_on),
        description,
        channel=channel,
        steps=(Step(START, 0), *steps),
        limit_days=GROUP_LIMIT,
        project=project,
        contact_person="孙丽" if channel == SELF else "",
    )


SUPPLY_CHAIN = BlockerSpec(
    title="疫情期间北京现代及配套企业上游零部件供应和物流受阻",
    description="受新冠肺炎疫情影响，北京现代沧州工厂的部分上游企业在疫区，部分零配件的供应"
    "存在困难；跨省物流受阻，湖北、韩国来件无法按期到厂。北京现代沧州工厂及现代摩比斯、北汽"
    "韩一、韩国株山、嘉诚汽车内饰、北汽倍摩斯等配套企业先后反映同类问题，影响复工复产。",
    category=B,
    topic=T.LOGISTICS,
    owner="leader2",
    department="qyfwj",
    opened_on=_d("2020-02-24"),
    resolved_on=_d("2020-03-13"),
    resolution="开通汽车零部件运输绿色通道，为北京现代及配套企业办理重点物资运输车辆通行证，"
    "湖北、天津港来件实行“点对点”运输；经省市工信部门协调湖北供应商所在地政府，支持北京现代"
    "二级供应商优先复工复产；协调海关对韩国进口零部件快速通关。北京现代沧州工厂及主要配套企业"
    "零部件供应基本恢复。",
    requests=(
        _group_request(
            HYUNDAI_PLANT,
            "上游配套企业零部件供应不足，影响整车复产",
            "2020-02-11",
            "受新冠肺炎疫情影响，我厂部分上游供应商在湖北等疫区尚未复工，部分零配件供应存在"
            "困难；跨省物流受阻，零部件无法按期到厂，整车复产计划受到影响，请管委会协调。",
            SELF,
            Step(NOTE, 3, "已梳理北京现代在湖北、韩国的二级供应商清单，报市工信局请求协调。"),
            Step(
                EXTEND,
                7,
                "湖北供应商复工须经当地政府批准，跨省协调仍在进行，申请延期10个工作日。",
                days=10,
            ),
            Step(APPROVE, 8, "同意延期，纳入共性堵点统一协调。"),
            project=HYUNDAI_PROJECT,
        ),
        _group_request(
            "现代摩比斯",
            f"湖北二级供应商停工，模块总成电子零部件断供{SAMPLE}",
            "2020-02-12",
            "为北京现代配套的前端模块和驾驶舱模块所需部分电子零部件由湖北供应商生产，对方"
            "尚未复工，库存仅够维持两周生产。",
            LIAISON,
            Step(NOTE, 2, "已联系湖北供应商所在地开发区，了解其复工审批进度。"),
            Step(
                EXTEND,
                6,
                "湖北供应商复工审批尚未完成，申请延期10个工作日。",
                days=10,
            ),
            Step(APPROVE, 7, "同意延期。"),
        ),
        _group_request(
            "北汽韩一",
            f"韩国进口座椅骨架材料清关和运输受阻{SAMPLE}",
            "2020-02-14",
            "座椅骨架所用部分材料从韩国进口，天津港清关和集港运输受疫情管控影响，到厂时间"
            "延误一周以上。",
            VISIT,
            Step(NOTE, 3, "已与天津港海关对接进口零部件通关需求。"),
        ),
        _group_request(
            "韩国株山",
            f"物流停运，零部件无法按期送达北京现代{SAMPLE}",
            "2020-02-17",
            "在汽车配套企业复工复产座谈会上反映：合作物流企业车辆和司机受通行管控影响停运，"
            "企业零部件无法按期送达北京现代。",
            MEETING,
            Step(INTERNAL, 1, "2月18日企业又通过电话反映同一问题，已退回重复诉求。"),
        ),
        _group_request(
            "嘉诚汽车内饰",
            f"武汉面料供应商停工，内饰原料断供{SAMPLE}",
            "2020-02-18",
            "企业内饰面料主要供应商在武汉，受疫情影响停工，原料库存不足，影响向北京现代供货。",
            LIAISON,
            Step(NOTE, 2, "已协助企业对接省内替代供应商，同步纳入湖北供应商复工协调清单。"),
        ),
        _group_request(
            "北汽倍摩斯",
            f"跨省零部件运输车辆通行受限{SAMPLE}",
            "2020-02-19",
            "企业从天津、山东调运零部件的车辆在省界和市界检查站通行受限，需办理通行手续。",
            HOTLINE,
        ),
        _group_request(
            KOREAN_SUPPLIER,
            "韩国进口模具和零件海运延误",
            "2020-02-20",
            "企业从韩国进口的模具和关键零件海运到港后集港运输延误，影响向北京现代供货。",
            LIAISON,
        ),
    ),
    ratings=(
        Rating(5, "上游零部件陆续到厂，整车生产基本恢复正常。"),
        Rating(5, "湖北供应商已复工供货。", after=2),
        Rating(4, "物流已恢复，韩国海运件仍偶有延误。"),
        Rating(5),
        Rating(4, "替代供应商和武汉供应商均已供货。", after=2),
        Rating(5),
        Rating(4),
    ),
)


# --- The plan: 一企一策 for the Hyundai plant in 2020 ----------------------------------------


@dataclass(frozen=True)
class MeasureSpec:
    content: str
    department: str  # code
    due_on: date
    owner: str | None = None  # username
    done_on: date | None = None
    result: str = ""


@dataclass(frozen=True)
class PlanSpec:
    enterprise: str
    title: str
    owner: str  # username
    department: str  # code
    starts_on: date
    ends_on: date
    background: str
    goal: str
    measures: tuple[MeasureSpec, ...]


HYUNDAI_PLAN = PlanSpec(
    enterprise=HYUNDAI_PLANT,
    title="北京现代沧州工厂疫情期间上游供应链帮扶一企一策方案",
    owner="director",  # the plant's liaison leader (包联领导)
    department="qyfwj",
    starts_on=_d("2020-02-17"),
    ends_on=_d("2020-12-31"),
    background="受新冠肺炎疫情的影响，北京现代沧州工厂的部分上游企业在疫区，部分零配件的供应"
    "存在困难，国内下游的终端销售市场停滞也给企业带来不利影响。",
    goal="落实好复工复产各项工作举措，逐步打通企业上下游产业链，尽快破解物流企业和配件供应商"
    "对现代汽车的影响，并力促现代汽车在年内早上新车型，最大限度降低疫情造成的损失，力争在"
    "疫情结束后帮助企业打个“翻身仗”。",
    measures=(
        MeasureSpec(
            "协助工厂和配套企业员工返岗，调配复工防疫物资。",
            "qyfwj",
            _d("2020-02-28"),
            owner="leader2",
            done_on=_d("2020-02-26"),
            result="通勤班车办理通行证明，外地员工按规定完成健康监测后返岗；调配口罩、消毒液等"
            "防疫物资，工厂通过复工验收。",
        ),
        MeasureSpec(
            "打通上游配件供应商物流：开通汽车零部件运输绿色通道，办理重点物资运输车辆通行证，"
            "湖北、天津港来件实行“点对点”运输。",
            "jfj",
            _d("2020-03-06"),
            owner="director",
            done_on=_d("2020-03-04"),
            result="汽车零部件运输绿色通道开通，北京现代及配套企业的运输车辆全部办理通行证，"
            "零部件到厂时间恢复正常。",
        ),
        MeasureSpec(
            "协调疫区配件供应商复工复产：经省市工信部门与湖北供应商所在地政府对接，支持北京现代"
            "二级供应商优先复工。",
            "qyfwj",
            _d("2020-03-20"),
            owner="leader2",
            done_on=_d("2020-03-13"),
            result="湖北二级供应商经当地批准陆续复工供货；共性堵点“疫情期间北京现代及配套企业"
            "上游零部件供应和物流受阻”于3月13日解决。",
        ),
        MeasureSpec(
            "帮助配件供应商申请疫情防控重点保障企业贷款贴息、稳岗返还等扶持资金。",
            "czj",
            _d("2020-04-30"),
            owner="director",
            done_on=_d("2020-04-24"),
            result="配套企业的贴息贷款和稳岗返还申报已全部受理，财政局按规定兑现贴息。",
        ),
        MeasureSpec(
            "力保全新7座MPV（商务型）车型6月顺利投产：协调新增配套供应商入园、员工招聘和检测认证。",
            "xmfw-1",
            _d("2020-06-30"),
            owner="director",
            done_on=_d("2020-06-22"),
            result="新增配套供应商在中商高科·沧州产业园入园，员工招聘到位，新车型量产准备工作"
            "按计划完成。",
        ),
        MeasureSpec(
            "协调开展汽车消费促进活动，帮助企业消化疫情期间积压库存、恢复终端销售。",
            "qyfwj",
            _d("2020-09-30"),
            owner="leader2",
        ),
        MeasureSpec(
            "力促年内再推出一款新车型，支持工厂拓展亚洲区域以外的整车和发动机出口业务。",
            "jfj",
            _d("2020-12-31"),
            owner="director",
        ),
    ),
)


# --- Routine requests: templates spread over the year with a seeded generator ---------------


@dataclass(frozen=True)
class Template:
    title: str
    kind: RequestKind
    category: BlockerKind
    topic: BlockerTopic
    department: str
    who: str  # the tag of the enterprises that file it (`_tags`)
    window: tuple[date, date]  # filed between these days
    count: int  # how many enterprises file it
    description: str
    answer: str
    note: str = ""  # a progress note, for the requests that get one


def _w(start: str, end: str) -> tuple[date, date]:
    return _d(start), _d(end)


TEMPLATES: tuple[Template, ...] = (
    # 2019, second half
    Template(
        "高新技术企业认定申报材料咨询",
        K.CONSULTATION,
        P,
        T.POLICY,
        "jfj",
        "tech",
        _w("2019-07-01", "2019-08-30"),
        2,
        "企业拟申报2019年度高新技术企业认定，对研发费用归集口径和知识产权要求不清楚。",
        "已发送高新技术企业认定管理工作指引和研发费用归集口径说明，经发局安排专人上门辅导。",
    ),
    Template(
        "研发费用加计扣除政策咨询",
        K.CONSULTATION,
        P,
        T.POLICY,
        "jfj",
        "listed",
        _w("2019-07-08", "2019-10-31"),
        2,
        "企业咨询研发费用加计扣除的比例、适用范围和申报方式。",
        "2018年至2020年研发费用按75%加计扣除，已联系税务部门为企业开展政策辅导。",
    ),
    Template(
        "申报省级工业转型升级（技改）专项资金",
        K.HELP,
        P,
        T.POLICY,
        "jfj",
        "listed",
        _w("2019-07-15", "2019-09-30"),
        2,
        "企业自动化生产线改造项目拟申报省级技改专项资金，需开发区审核并出具推荐意见。",
        "经发局已审核项目材料，出具推荐意见并报市工业和信息化局。",
        "已对照申报指南审核项目投资和设备清单。",
    ),
    Template(
        "新建厂房消防验收备案",
        K.HELP,
        B,
        T.APPROVALS,
        "zjj",
        "building",
        _w("2019-07-01", "2019-12-13"),
        2,
        "新建厂房主体已完工，需办理消防验收备案，企业对流程和所需材料不熟悉。",
        "已一次性告知所需材料并安排现场预检，企业整改后完成消防验收备案。",
        "已安排现场预检，提出3项整改意见。",
    ),
    Template(
        "建设工程规划许可证办理",
        K.HELP,
        B,
        T.APPROVALS,
        "spj",
        "building",
        _w("2019-07-01", "2019-11-29"),
        2,
        "项目施工图设计已完成，需尽快取得建设工程规划许可证。",
        "审批局容缺受理，规划方案审查通过后已核发建设工程规划许可证。",
        "容缺受理，待企业补交规划设计方案电子文件。",
    ),
    Template(
        "厂区不动产权证书办理",
        K.HELP,
        P,
        T.LAND,
        "zrzyj",
        "listed",
        _w("2019-08-01", "2019-12-13"),
        1,
        "厂区已竣工验收，土地出让金已缴清，需办理不动产首次登记。",
        "已指导企业完成测绘成果备案，不动产首次登记已办结，证书已发放。",
        "测绘成果已备案，登记申请已受理。",
    ),
    Template(
        "夏季线路频繁停电影响生产",
        K.COMPLAINT,
        P,
        T.UTILITIES,
        "jfj",
        "producing",
        _w("2019-07-15", "2019-09-13"),
        2,
        "7月以来厂区所在线路多次短时停电，造成生产线停机和产品报废。",
        "已协调供电公司检修线路、更换故障开关设备，此后未再发生非计划停电。",
        "供电公司已排查线路，确认为分支线路开关老化。",
    ),
    Template(
        "冬季生产用天然气供应保障",
        K.HELP,
        B,
        T.UTILITIES,
        "zjj",
        "heavy",
        _w("2019-10-08", "2019-11-29"),
        2,
        "进入采暖季后燃气公司通知压减工业用气量，影响热处理工序正常生产。",
        "已协调燃气公司将企业纳入保供名单，生产用气量不低于上年同期。",
        "已与燃气公司核对企业上年同期用气量。",
    ),
    Template(
        "办公楼冬季供暖温度不达标",
        K.COMPLAINT,
        P,
        T.UTILITIES,
        "zjj",
        "producing",
        _w("2019-11-18", "2019-12-20"),
        2,
        "入冬以来办公楼室温长期低于16℃，联系供热公司未解决。",
        "已约谈供热公司，排查维修二级管网末端阀门，经回访室温达到18℃以上。",
        "会同供热公司入户测温，确认末端阀门故障。",
    ),
    Template(
        "一线操作工招聘困难",
        K.HELP,
        P,
        T.LABOUR,
        "qyfwj",
        "producing",
        _w("2019-07-15", "2019-10-31"),
        3,
        "企业订单增加，需招聘一线操作工，自行招聘效果不理想。",
        "已将企业岗位纳入开发区专场招聘会，并推送至公共招聘平台，岗位缺口基本补齐。",
        "已收集企业岗位需求，纳入本月专场招聘会。",
    ),
    Template(
        "引进人才公寓和安家补贴政策咨询",
        K.CONSULTATION,
        P,
        T.LABOUR,
        "qyfwj",
        "tech",
        _w("2019-08-01", "2019-12-20"),
        2,
        "企业新引进研发人员，咨询人才公寓申请条件和安家补贴政策。",
        "已告知人才公寓申请条件和市级人才政策，企业引进人员已申请入住人才公寓。",
    ),
    Template(
        "外地员工子女秋季入学",
        K.HELP,
        P,
        T.OTHER,
        "qyfwj",
        "listed",
        _w("2019-07-15", "2019-08-23"),
        2,
        "企业外地员工子女秋季入学，需协调就近学位。",
        "已协调区教育部门为企业员工子女安排就近入学学位。",
        "已汇总员工子女入学需求报区教育部门。",
    ),
    Template(
        "员工通勤公交线路增设站点",
        K.HELP,
        P,
        T.OTHER,
        "qyfwj",
        "all",
        _w("2019-09-02", "2019-12-13"),
        2,
        "园区公交线路在企业附近没有站点，员工上下班不便。",
        "已协调市公交公司调整线路，在企业门口增设站点，早晚高峰加密班次。",
        "已将站点需求报市公交公司。",
    ),
    Template(
        "厂区门前道路破损积水",
        K.COMPLAINT,
        P,
        T.OTHER,
        "zjj",
        "all",
        _w("2019-07-01", "2019-10-31"),
        2,
        "厂区门前市政道路多处破损，雨后积水，货车进出困难。",
        "已安排修补破损路面并疏通雨水口，道路恢复通行。",
        "已现场查看，列入本月道路维修计划。",
    ),
    Template(
        "流动资金信用贷款银企对接",
        K.HELP,
        H,
        T.FINANCE,
        "czj",
        "small",
        _w("2019-07-15", "2019-12-20"),
        3,
        "企业订单增长，流动资金紧张，缺少抵押物，希望对接银行信用贷款产品。",
        "已组织银企对接，推荐企业申请“科技贷”等信用贷款产品，合作银行已完成授信。",
        "已向合作银行推送企业融资需求。",
    ),
    Template(
        "申请区融资担保公司担保",
        K.HELP,
        H,
        T.FINANCE,
        "czj",
        "listed",
        _w("2019-09-02", "2019-12-20"),
        2,
        "企业设备更新需银行贷款，银行要求提供担保。",
        "区融资担保公司已完成尽职调查，为企业提供担保，贷款已发放。",
        "担保公司正在开展尽职调查。",
    ),
    Template(
        "进口设备减免税手续咨询",
        K.CONSULTATION,
        P,
        T.POLICY,
        "jfj",
        "foreign",
        _w("2019-07-01", "2019-12-20"),
        1,
        "企业拟从韩国进口生产设备，咨询进口设备减免税的条件和办理手续。",
        "已告知鼓励类外商投资项目进口设备免税的办理流程，并协调海关上门指导。",
    ),
    Template(
        "营业执照经营范围变更",
        K.CONSULTATION,
        P,
        T.APPROVALS,
        "spj-zwfw",
        "all",
        _w("2019-07-01", "2020-06-05"),
        3,
        "企业新增业务，需变更营业执照经营范围，咨询办理材料。",
        "已一次性告知所需材料，企业网上提交后次日领取新执照（“一趟清”）。",
    ),
    Template(
        "建设项目环境影响评价审批",
        K.HELP,
        B,
        T.APPROVALS,
        "spj",
        "building",
        _w("2019-08-01", "2019-12-13"),
        2,
        "项目环境影响报告表已编制完成，需尽快取得环评批复。",
        "审批局开辟绿色通道，技术评估后已作出环评批复。",
        "报告表已送技术评估。",
    ),
    Template(
        "春节期间连续生产留岗员工保障",
        K.HELP,
        P,
        T.LABOUR,
        "qyfwj",
        "heavy",
        _w("2020-01-02", "2020-01-17"),
        2,
        "企业春节期间连续生产，需稳定留岗员工，希望了解留岗补贴政策并协调员工就餐、通勤。",
        "已告知春节留岗员工补贴政策，协调园区食堂春节期间正常供餐，通勤班车照常运行。",
        "已统计企业春节留岗人数。",
    ),
    Template(
        "企业技术中心认定申报",
        K.CONSULTATION,
        P,
        T.POLICY,
        "jfj",
        "tech",
        _w("2019-12-02", "2020-01-17"),
        2,
        "企业拟申报市级企业技术中心，咨询认定条件和申报时间。",
        "已告知市级企业技术中心认定条件和申报时间，经发局将组织申报辅导。",
    ),
    # 2020, the epidemic
    Template(
        "复工复产申请备案",
        K.CONSULTATION,
        B,
        T.APPROVALS,
        "qyfwj",
        "all",
        _w("2020-02-03", "2020-02-21"),
        4,
        "企业计划复工，咨询复工复产申请需要提交的疫情防控方案和材料。",
        "已告知复工复产备案材料清单，包联干部上门指导，企业已通过复工验收。",
    ),
    Template(
        "复工防疫物资（口罩、消毒液）短缺",
        K.HELP,
        P,
        T.OTHER,
        "qyfwj",
        "all",
        _w("2020-02-05", "2020-02-28"),
        3,
        "企业复工后口罩、消毒液等防疫物资短缺，市场上难以采购。",
        "已从开发区防疫物资储备中调配口罩和消毒液，并对接本地生产企业稳定供应。",
        "已登记企业防疫物资需求。",
    ),
    Template(
        "外地员工返岗困难",
        K.HELP,
        H,
        T.LABOUR,
        "qyfwj",
        "producing",
        _w("2020-02-10", "2020-03-13"),
        3,
        "部分员工在外省老家，受交通管控和隔离要求影响无法按时返岗。",
        "已协调开具返岗证明，组织“点对点”包车接回外地员工，落实健康监测。",
        "已统计外地员工返岗需求和所在地。",
    ),
    Template(
        "阶段性减免企业社保费政策咨询",
        K.CONSULTATION,
        P,
        T.POLICY,
        "qyfwj",
        "all",
        _w("2020-02-20", "2020-03-31"),
        3,
        "企业咨询疫情期间阶段性减免企业社会保险费的范围和办理方式。",
        "2020年2月至6月免征中小微企业养老、失业、工伤保险单位缴费，大型企业减半征收，"
        "无需企业申请，已协助企业核对减免情况。",
    ),
    Template(
        "疫情期间贷款展期和贴息",
        K.HELP,
        H,
        T.FINANCE,
        "czj",
        "all",
        _w("2020-02-17", "2020-04-10"),
        3,
        "受疫情影响订单回款延迟，贷款即将到期，申请展期并享受贴息政策。",
        "已将企业纳入疫情防控重点保障企业名单，协调合作银行办理贷款展期，按规定申请贴息。",
        "已向合作银行推送企业展期需求。",
    ),
    Template(
        "减免标准厂房租金",
        K.HELP,
        P,
        T.POLICY,
        "qyfwj",
        "small",
        _w("2020-02-20", "2020-04-10"),
        2,
        "疫情期间企业停工，租用的标准厂房租金压力大，申请减免。",
        "按开发区支持中小企业共渡难关的措施，免收2月、3月标准厂房租金，4月至6月减半收取。",
        "已核实企业租赁合同和停工情况。",
    ),
    Template(
        "货运车辆通行证办理",
        K.HELP,
        B,
        T.LOGISTICS,
        "jfj",
        "producing",
        _w("2020-02-10", "2020-03-06"),
        2,
        "原材料和产品运输车辆跨市通行受限，申请办理重点物资运输车辆通行证。",
        "已协调交通运输部门办理重点物资运输车辆通行证，实行优先通行。",
    ),
    Template(
        "疫情期间审批事项网上办理",
        K.CONSULTATION,
        P,
        T.APPROVALS,
        "spj",
        "all",
        _w("2020-02-10", "2020-04-30"),
        2,
        "疫情期间不便到政务服务中心现场办理，咨询审批事项能否网上办理。",
        "已推行“不见面”审批，企业通过河北政务服务网在线提交，证照免费邮寄送达。",
    ),
    # 2020, the spring and after
    Template(
        "失业保险稳岗返还申领",
        K.CONSULTATION,
        P,
        T.POLICY,
        "qyfwj",
        "listed",
        _w("2020-04-01", "2020-06-05"),
        3,
        "企业咨询2020年失业保险稳岗返还的申领条件和办理流程。",
        "已告知稳岗返还申领条件和网上申领流程，企业完成申报，返还资金已拨付。",
    ),
    Template(
        "阶段性降低用电成本政策落实",
        K.CONSULTATION,
        P,
        T.UTILITIES,
        "jfj",
        "listed",
        _w("2020-03-02", "2020-05-29"),
        2,
        "企业咨询阶段性降低企业用电成本政策是否需要申请。",
        "2020年2月至6月电费按原到户电价的95%结算，由供电公司在电费中直接扣减，无需申请。",
    ),
    Template(
        "海外订单减少，申请出口信用保险支持",
        K.HELP,
        H,
        T.POLICY,
        "jfj",
        "foreign",
        _w("2020-04-01", "2020-06-01"),
        2,
        "受境外疫情影响海外订单减少、回款风险加大，希望获得出口信用保险支持。",
        "已对接中国出口信用保险公司为企业提供短期出口信用保险，保费按政策给予补贴。",
        "已向中国信保推送企业投保需求。",
    ),
    Template(
        "以工代训职业培训补贴申请",
        K.HELP,
        P,
        T.LABOUR,
        "qyfwj",
        "producing",
        _w("2020-04-13", "2020-06-01"),
        2,
        "企业复工后组织新员工以工代训，咨询并申请职业培训补贴。",
        "已指导企业按以工代训政策报送培训名单，补贴已按规定申请。",
        "已审核企业报送的培训人员名单。",
    ),
    Template(
        "2019年度扶持资金拨付进度",
        K.HELP,
        P,
        T.FINANCE,
        "czj",
        "listed",
        _w("2020-04-15", "2020-06-01"),
        2,
        "企业2019年度获批的扶持资金尚未到账，询问拨付进度。",
        "财政局已完成审核，扶持资金已拨付到企业账户。",
        "已核对资金文件和拨付清单。",
    ),
    Template(
        "春季开工项目施工许可证办理",
        K.HELP,
        B,
        T.APPROVALS,
        "spj",
        "building",
        _w("2020-03-09", "2020-04-17"),
        2,
        "项目计划参加春季集中开工，需在4月中旬前取得施工许可证。",
        "全程网办，容缺受理，已核发施工许可证。",
        "容缺受理，待企业补交施工合同。",
    ),
    Template(
        "项目用地不动产权证书办理",
        K.HELP,
        H,
        T.LAND,
        "zrzyj",
        "building",
        _w("2020-04-01", "2020-05-29"),
        2,
        "项目用地已签订出让合同并缴清出让金，需办理不动产权证书。",
        "已办结项目用地不动产首次登记，证书已送达企业。",
        "登记申请已受理，正在地籍调查。",
    ),
)

# The firms still building (the register's inspected firms under construction).
BUILDING = frozenset(
    {"中商高科", "嘉诚汽车内饰", "龙山汽车配件", "泰通机械设备", "亚超特铝", "国工恒昌", "联之捷"}
)
ROUTINE_SEED = 20200630
# Listed and small generated enterprises that take part, besides the named ones.
SAMPLE_LISTED, SAMPLE_SMALL = 12, 8

INTERNAL_NOTES = (
    "该企业为省市确定的包联企业，已同步报告包联领导。",
    "同类诉求本月已有多家企业反映，注意答复口径一致。",
    "需市级部门配合，已电话沟通，按期办结有一定难度。",
    "企业联系人更换，回访时注意核对联系方式。",
)
COMMENTS = {
    5: ("办理及时，问题已解决，非常满意。", "服务热情周到。", ""),
    4: ("问题基本解决，感谢帮助。", ""),
    3: ("答复及时，但问题仅部分解决。", "办理时间偏长。"),
}
SCORES = (5, 4, 5, 5, 4, 3, 5, 4, 5, 4, 5, 5)
CHANNELS = (LIAISON,) * 5 + (VISIT, VISIT, HOTLINE, HOTLINE, MEETING)


def _tags(spec: Any) -> set[str]:
    """What kind of firm a register entry is, for choosing the templates it files."""
    tags = {"all", spec.industry}
    building = spec.name in BUILDING
    tags.add("building" if building else "producing")
    if spec.liaison == LiaisonLevel.DISTRICT:
        tags.add("small")
    if spec.liaison == LiaisonLevel.PROVINCE_CITY:
        tags.add("listed")
    if spec.country != "中国":
        tags.add("foreign")
    if {HIGH_TECH, SPECIALIZED, TECH_SME} & set(spec.flags) or spec.industry == "rnd":
        tags.add("tech")
    if spec.industry in ("auto", "equipment", "new-materials") and not building:
        tags.add("heavy")
    return tags


def routine_pool() -> tuple[Any, ...]:
    """The register entries that file routine requests: the named firms (the Hyundai plant's
    requests are all written out above) and the first of the generated ones."""
    named = [s for s in ENTERPRISES if not s.is_sample and s.name != HYUNDAI_PLANT]
    listed = [s for s in ENTERPRISES if s.is_sample and s.liaison == LiaisonLevel.PROVINCE_CITY]
    small = [s for s in ENTERPRISES if s.is_sample and s.liaison == LiaisonLevel.DISTRICT]
    return (*named, *listed[:SAMPLE_LISTED], *small[:SAMPLE_SMALL])


def _routine_steps(kind: RequestKind, index: int, template: Template) -> tuple[Step, ...]:
    """The life of the index-th routine request: most answered by the deadline and rated 4 or
    5, about one in eleven answered late."""
    limit = DEFAULT_REQUEST_LIMITS[kind]
    late = index % 11 == 5
    if late:
        answer_day = limit + 1 + index % 3
    elif kind == K.CONSULTATION:
        answer_day = 0 if index % 3 == 0 else 1  # the same day or the next
    elif kind == K.HELP:
        answer_day = 2 + index % 4
    else:
        answer_day = 4 + index % 7
    steps: list[Step] = []
    if kind != K.CONSULTATION:
        if index % 4 == 0:  # the others are answered straight from acceptance (受理即办)
            steps.append(Step(START, 0))
        if template.note and (index % 3 == 0 or late):
            steps.append(Step(NOTE, max(1, answer_day - 2), template.note))
        if index % 8 == 2 or late:
            steps.append(Step(INTERNAL, max(1, answer_day - 1), INTERNAL_NOTES[index % 4]))
    steps.append(Step(ANSWER, answer_day, template.answer))
    score = (3, 4)[index % 2] if late else SCORES[index % len(SCORES)]
    comments = COMMENTS[score]
    steps.append(Step(RATE, answer_day + 1 + index % 3, comments[index % len(comments)], score))
    return tuple(steps)


def _routine() -> tuple[RequestSpec, ...]:
    """The routine requests, the same every run: each template filed by `count` firms that
    fit it, on a day drawn in its window."""
    rng = random.Random(ROUTINE_SEED)  # noqa: S311  demo data, not secrets
    pool = routine_pool()
    drawn: list[tuple[date, Template, Any, RequestChannel]] = []
    for template in TEMPLATES:
        fits = [spec for spec in pool if template.who in _tags(spec)]
        start, end = template.window
        for spec in rng.sample(fits, min(template.count, len(fits))):
            day = start + timedelta(days=rng.randrange((end - start).days + 1))
            while day.weekday() >= 5:  # the desk's filings are on weekdays
                day -= timedelta(days=1)
            drawn.append((day, template, spec, rng.choice(CHANNELS)))
    drawn.sort(key=lambda row: (row[0], row[1].title, row[2].name))
    specs = []
    for index, (day, template, spec, channel) in enumerate(drawn):
        suffix = "" if spec.is_sample else SAMPLE
        specs.append(
            RequestSpec(
                spec.name,
                f"{template.title}{suffix}",
                template.kind,
                template.category,
                template.topic,
                template.department,
                day,
                template.description,
                channel=channel,
                steps=_routine_steps(template.kind, index, template),
                accept_after=0 if index % 5 == 0 else 1,
            )
        )
    return tuple(specs)


SPECIAL: tuple[RequestSpec, ...] = HYUNDAI_OWN + NAMED_SPECIAL + SAMPLE_SPECIAL
ROUTINE: tuple[RequestSpec, ...] = _routine()
REQUESTS: tuple[RequestSpec, ...] = SPECIAL + SUPPLY_CHAIN.requests + ROUTINE


# --- Loading --------------------------------------------------------------------------------


@dataclass
class _Context:
    users: dict[str, User]
    departments: dict[str, Department]
    enterprises: dict[str, Enterprise]
    projects: dict[str, Project]
    result: Any
    created: list[EnterpriseRequest] = field(default_factory=list)


@transaction.atomic
def load_enterprise_service(*, result: DemoResult) -> dict[tuple[str, str], EnterpriseRequest]:
    """Create whatever of the requests, the blocker and the plan is missing.

    Needs the organisation, the demo accounts and the enterprise register; links the Hyundai
    plant's requests to its project when the pipeline is loaded. Returns every demo request by
    (enterprise name, title).
    """
    context = _context(result)
    found = _found(REQUESTS)
    with calendar_pinned():
        for spec in SPECIAL + ROUTINE:
            key = (spec.enterprise, spec.title)
            if key not in found:
                found[key] = _load_request(spec, context)
        _load_blocker(SUPPLY_CHAIN, context, found)
        _load_plan(HYUNDAI_PLAN, context)
    return found


def _found(specs: tuple[RequestSpec, ...]) -> dict[tuple[str, str], EnterpriseRequest]:
    """The requests of the specs already in the database, by (enterprise name, title)."""
    return {
        (request.enterprise.name, request.title): request
        for request in EnterpriseRequest.objects.filter(
            enterprise__name__in={spec.enterprise for spec in specs},
            title__in={spec.title for spec in specs},
        ).select_related("enterprise")
    }


def _context(result: Any) -> _Context:
    users = _users(result)
    codes = (
        {spec.department for spec in REQUESTS if spec.department}
        | {step.department for spec in REQUESTS for step in spec.steps if step.department}
        | {SUPPLY_CHAIN.department, HYUNDAI_PLAN.department}
        | {measure.department for measure in HYUNDAI_PLAN.measures}
    )
    departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
    names = {spec.enterprise for spec in REQUESTS} | {HYUNDAI_PLAN.enterprise}
    enterprises = {e.name: e for e in Enterprise.objects.filter(name__in=names)}
    missing = (codes - departments.keys()) | (names - enterprises.keys())
    if missing:
        raise LookupError(
            "演示企业诉求需要先载入组织机构和企业名录，缺少：" + "、".join(sorted(missing))
        )
    projects = {p.code: p for p in Project.objects.filter(code=HYUNDAI_PROJECT)}
    return _Context(users, departments, enterprises, projects, result)


def _users(result: Any) -> dict[str, User]:
    """The demo accounts the steps are recorded by (data.ACCOUNTS)."""
    usernames = {
        DESK,
        ENTERPRISE_USER,
        *HANDLERS.values(),
        *SUPERVISORS.values(),
        SUPPLY_CHAIN.owner,
        HYUNDAI_PLAN.owner,
        *(m.owner for m in HYUNDAI_PLAN.measures if m.owner),
    }
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    missing = usernames - users.keys()
    if missing:
        raise LookupError("演示企业诉求需要先载入演示账号，缺少：" + "、".join(sorted(missing)))
    return users


def _day(start: date, working_days: int) -> date:
    return add_working_days(start, working_days).date


def _first_working_day(day: date) -> date:
    """The day itself when it is a working day, else the next one."""
    return _day(day - timedelta(days=1), 1)


def _checked(on: date, spec: RequestSpec, until: date | None = None) -> date:
    if until is None and on > AS_OF:  # a typo in the tables: nothing here is after AS_OF
        raise ValueError(f"{spec.title}: {on} is after {AS_OF}")
    return on


def _load_request(
    spec: RequestSpec, context: _Context, *, until: date | None = None
) -> EnterpriseRequest:
    """File the request and take its steps. With `until` (the later years, `demo.living`) the
    steps after that day have not happened yet and the request stays where they leave it."""
    users = context.users
    filed_on = _checked(_first_working_day(spec.filed_on), spec, until)
    own = spec.channel == SELF  # filed through the enterprise's own login
    request = request_file(
        enterprise=context.enterprises[spec.enterprise],
        title=spec.title,
        description=spec.description,
        kind=spec.kind,
        category=spec.category,
        topic=spec.topic,
        by=users[ENTERPRISE_USER] if own else users[DESK],
        channel=None if own else spec.channel,
        project=context.projects.get(spec.project or ""),
        contact_person=spec.contact_person,
        filed_on=filed_on,
        backdate_reason=BACKDATE_REASON if own else "",
    )
    context.result.created["requests"] += 1
    start = filed_on
    department = spec.department
    if department is not None:
        start = _checked(_day(filed_on, spec.accept_after), spec, until)
        if until is not None and start > until:
            return request
        request = request_accept(
            request=request,
            department=context.departments[department],
            by=users[DESK],
            limit_days=spec.limit_days,
            on=start,
        )
    extension: RequestExtension | None = None
    for step in spec.steps:
        on = _checked(_day(start, step.day), spec, until)
        if until is not None and on > until:
            break
        handler = users[HANDLERS.get(department or "", DESK)]
        if step.kind == START:
            request = request_start(request=request, by=handler, note=step.text, on=on)
        elif step.kind in (NOTE, INTERNAL):
            request_add_note(
                request=request, note=step.text, by=handler, internal=step.kind == INTERNAL, on=on
            )
        elif step.kind == REROUTE:
            department = step.department or ""
            request = request_reroute(
                request=request,
                to_department=context.departments[department],
                reason=step.text,
                by=users[DESK],
                on=on,
            )
        elif step.kind == EXTEND:
            extension = request_ask_extension(
                request=request, days=step.days or 0, reason=step.text, by=handler, on=on
            )
        elif step.kind in (APPROVE, REFUSE):
            assert extension is not None, spec.title
            request_decide_extension(
                extension=extension,
                approve=step.kind == APPROVE,
                by=users[SUPERVISORS[department or ""]],
                note=step.text,
                on=on,
            )
        elif step.kind == SUSPEND:
            request = request_suspend(request=request, reason=step.text, by=handler, on=on)
        elif step.kind == RESUME:  # the materials received by the department (or the desk)
            request = request_resume(request=request, note=step.text, by=handler, on=on)
        elif step.kind == ANSWER:
            request = request_answer(request=request, answer=step.text, by=handler, on=on)
        elif step.kind == RATE:
            request = _rate(request, spec, step.score or 0, step.text, on, context)
        elif step.kind == RETURN:
            request = request_return(request=request, reason=step.text, by=handler, on=on)
        else:  # pragma: no cover - a typo in the tables above
            raise ValueError(step.kind)
    return request


def _rate(
    request: EnterpriseRequest,
    spec: RequestSpec,
    score: int,
    comment: str,
    on: date,
    context: _Context,
) -> EnterpriseRequest:
    """The Hyundai plant rates through its own login; the others' ratings are taken by the desk
    on its return visit (回访)."""
    own = spec.enterprise == HYUNDAI_PLANT
    return request_rate(
        request=request,
        score=score,
        comment=comment,
        by=context.users[ENTERPRISE_USER if own else DESK],
        on=on,
        backdate_reason=BACKDATE_RATING_REASON if own else "",
    )


def _load_blocker(
    spec: BlockerSpec, context: _Context, found: dict[tuple[str, str], EnterpriseRequest]
) -> SystemicBlocker:
    """The blocker with its requests: filed, accepted and worked on by the day it opens, grouped
    when it opens, answered by its resolution and rated after it. A blocker found again is left
    as it is, and so are its requests."""
    blocker = SystemicBlocker.objects.filter(title=spec.title).first()
    if blocker is not None:
        return blocker
    members, new = [], []
    for request_spec in spec.requests:
        key = (request_spec.enterprise, request_spec.title)
        request = found.get(key)
        if request is None:
            request = found[key] = _load_request(request_spec, context)
            new.append((request_spec, request))
        if request.is_open and request.blocker_id is None:
            members.append(request)
    owner = context.users[spec.owner]
    blocker = blocker_create(
        title=spec.title,
        category=spec.category,
        topic=spec.topic,
        owner=owner,
        department=context.departments[spec.department],
        by=owner,
        description=spec.description,
        opened_on=spec.opened_on,
        requests=members,
    )
    context.result.created["blockers"] += 1
    blocker = blocker_resolve(
        blocker=blocker, resolution=spec.resolution, by=owner, on=spec.resolved_on
    )
    ratings = dict(zip(spec.requests, spec.ratings, strict=True))
    for request_spec, request in new:
        rating = ratings[request_spec]
        request.refresh_from_db()
        on = _checked(_day(spec.resolved_on, rating.after), request_spec)
        found[(request_spec.enterprise, request_spec.title)] = _rate(
            request, request_spec, rating.score, rating.comment, on, context
        )
    return blocker


def _load_plan(spec: PlanSpec, context: _Context) -> EnterprisePlan:
    """The plan with its measures, those done by AS_OF completed with what was done."""
    enterprise = context.enterprises[spec.enterprise]
    plan = EnterprisePlan.objects.filter(enterprise=enterprise, title=spec.title).first()
    if plan is not None:
        return plan
    desk = context.users[DESK]
    plan = plan_create(
        enterprise=enterprise,
        title=spec.title,
        owner=context.users[spec.owner],
        department=context.departments[spec.department],
        starts_on=spec.starts_on,
        by=desk,
        background=spec.background,
        goal=spec.goal,
        ends_on=spec.ends_on,
    )
    context.result.created["plans"] += 1
    for measure_spec in spec.measures:
        measure = measure_add(
            plan=plan,
            content=measure_spec.content,
            department=context.departments[measure_spec.department],
            due_on=measure_spec.due_on,
            by=desk,
            owner=context.users[measure_spec.owner] if measure_spec.owner else None,
        )
        context.result.created["plan_measures"] += 1
        if measure_spec.done_on is not None:
            measure_complete(
                measure=measure, result=measure_spec.result, by=desk, on=measure_spec.done_on
            )
    return plan


@transaction.atomic
def load_requests(
    *, result: DemoResult, specs: tuple[RequestSpec, ...], until: date
) -> dict[tuple[str, str], EnterpriseRequest]:
    """The later years' requests (`demo.living`): each one missing is filed and taken through
    its steps up to `until`, the day the zone is loaded. Found again by enterprise and title."""
    context = _context(result)
    names = {spec.enterprise for spec in specs} - context.enterprises.keys()
    context.enterprises.update({e.name: e for e in Enterprise.objects.filter(name__in=names)})
    found = _found(specs)
    with calendar_pinned():
        for spec in specs:
            key = (spec.enterprise, spec.title)
            if key not in found:
                found[key] = _load_request(spec, context, until=until)
    return found
