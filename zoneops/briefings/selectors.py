"""A briefing (工作简报) of a period written from the records: the sections a zone's reports
contain, each sentence in the usual style, every number computed now by the selector of the
app that owns it and kept with its source (zoneops.briefings.writing).

The period is what Chinese reports cover: 1-N月 of a year for a month's briefing, 一季度,
上半年, 前三季度 or the year for a quarter's, the year for a year's. Counts are within the
reader's data scope, and the briefing says so when that is not the whole zone.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.approvals.selectors import approval_figures
from zoneops.briefings.checking import (
    SAME_UNITS,
    UNITS,
    TextFigure,
    agrees,
    figures_in,
    rounded,
    sentences_of,
)
from zoneops.briefings.writing import (
    Figure,
    Paragraph,
    Part,
    Section,
    change,
    count,
    joined,
    percent,
    plain,
    sentence,
    yi,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.inputs import FIRST_YEAR, text_error
from zoneops.common.navigation import page_url
from zoneops.common.periods import Period, format_day, format_year
from zoneops.common.scope import scope_for
from zoneops.enterprises.selectors.requests import requests_statistics
from zoneops.indicators.selectors import indicator_years, indicators_visible
from zoneops.meetings.enums import CEREMONIES, MeetingKind
from zoneops.meetings.selectors import meetings_held_by_kind
from zoneops.projects.enums import KeyLevel, ReportCategory
from zoneops.projects.selectors.pipeline import (
    PipelineSummary,
    key_projects_by_category,
    pipeline_summary,
)
from zoneops.supervision.selectors import task_counts

KINDS = {
    "month": gettext_lazy("月度"),
    "quarter": gettext_lazy("季度"),
    "year": gettext_lazy("年度"),
}
QUARTER_NAMES = {
    1: gettext_lazy("%(year)d年一季度"),
    2: gettext_lazy("%(year)d年上半年"),
    3: gettext_lazy("%(year)d年前三季度"),
}
KEY = gettext_lazy("重点项目")  # the scope of the key projects' figures
EVENTS = gettext_lazy("活动")  # the scope of the meetings and ceremonies held
PIPELINE_ROWS = (
    ReportCategory.COMPLETED,
    ReportCategory.CONTINUING,
    ReportCategory.NEWLY_STARTED,
    ReportCategory.PLANNED_START,
    ReportCategory.DEEP_TALKS,
    ReportCategory.TALKS,
    ReportCategory.LEAD,
)
EVENT_KINDS = (
    (MeetingKind.SIGNING, gettext_lazy("签约仪式%(n)s")),
    (MeetingKind.CLOUD_SIGNING, gettext_lazy("云签约%(n)s")),
    (MeetingKind.GROUNDBREAKING, gettext_lazy("集中开工活动%(n)s")),
    (MeetingKind.WEEKLY_DOCKING, gettext_lazy("周对接会%(n)s")),
    (MeetingKind.MONTHLY, gettext_lazy("月例会%(n)s")),
    (MeetingKind.QUARTERLY_TOUR, gettext_lazy("季度观摩%(n)s")),
    (MeetingKind.ONLINE_TALKS, gettext_lazy("线上洽谈%(n)s")),
)


@dataclass(frozen=True)
class BriefingPeriod:
    """January to `last_month` of `year`, named as the kind of report names it."""

    year: int
    kind: str  # month, quarter, year
    number: int  # the month, or the quarter; 12 or 4 for a year

    @classmethod
    def of(cls, *, year: int, kind: str, number: int | None = None) -> "BriefingPeriod":
        """The period; a quarter beyond 4 or a month beyond 12 is refused, naming `number`;
        without a number, the last one."""
        if kind not in KINDS:
            raise ApplicationError(
                _("简报类型应为%(kinds)s之一。") % {"kinds": "、".join(map(str, KINDS.values()))},
                field="kind",
            )
        if kind == "year":
            return cls(year, kind, 12)
        last = 4 if kind == "quarter" else 12
        if number is not None and not 1 <= number <= last:
            message = _("季度应为1至4。") if kind == "quarter" else _("月份应为1至12。")
            raise ApplicationError(message, field="number")
        return cls(year, kind, number or last)

    @property
    def last_month(self) -> int:
        return self.number * 3 if self.kind == "quarter" else self.number

    @property
    def months(self) -> Period:
        return Period.months_to(self.year, self.last_month)

    def label(self, today: date) -> str:
        if self.kind == "quarter" and self.number in QUARTER_NAMES:
            return str(QUARTER_NAMES[self.number]) % {"year": self.year}
        if self.last_month == 12 and today > date(self.year, 12, 31):
            return format_year(self.year)
        return self.months.label_on(today)


@dataclass(frozen=True)
class Briefing:
    period: BriefingPeriod
    label: str  # 2019年, 2019年1-10月, 2019年前三季度
    as_of: date
    title: str
    whole_zone: bool
    sections: tuple[Section, ...]

    @property
    def figures(self) -> list[Any]:
        return [
            figure
            for section in self.sections
            for paragraph in section.paragraphs
            for figure in paragraph.figures
        ]


def _economy(period: BriefingPeriod, label: str, user: Any) -> Section | None:
    """Each indicator's figure of the period with its 同比, in the order of the register."""
    years = indicator_years(indicators=indicators_visible(user=user), year=period.year)
    clauses: list[tuple[Part, ...]] = []
    for item in years:
        month = item.latest(period.last_month)
        if month is None or month.month != period.last_month or month.value is None:
            continue  # not reported for the period (yet)
        indicator = item.indicator
        source = _("经济指标“%(name)s”%(period)s") % {
            "name": indicator.name,
            "period": month.period_label,
        }
        query = (
            f"indicators.selectors.indicator_years(year={period.year})"
            f"[{indicator.code}].months[{period.last_month - 1}]"
        )
        url = page_url("admin:indicators_indicator_year", indicator.pk, year=period.year)
        text = plain(month.value, indicator.places)
        value = Figure(text, indicator.unit, month.value, source, query, url, indicator.name)
        clause: tuple[Part, ...] = (indicator.name, value)
        if month.yoy is not None:
            growth = change(
                month.yoy,
                source=source,
                query=f"{query}.yoy",
                url=url,
                subject=f"{indicator.name}{_('同比')}",
            )
            clause += ("，", _("同比"), *growth)
        clauses.append(clause)
    if not clauses:
        return None
    parts = (_("%(period)s，全区") % {"period": label}, *joined(clauses, "；"), "。")
    return Section("economy", _("经济运行"), (Paragraph(parts),))


def _pipeline(period: BriefingPeriod, label: str, as_of: date, user: Any) -> Section | None:
    """The year's projects by row of the pipeline table, as of the period's end: "2019年，共洽谈
    项目111个，总投资445亿元。其中，竣工项目3个，总投资23亿元；…"; then the key projects.

    One table serves both: the one by key level, whose totals by row are the table by row
    (every project is in it, the key ones and the others)."""
    summary = pipeline_summary(year=period.year, as_of=as_of, dimension="key_level", user=user)
    query = (
        f"projects.selectors.pipeline.pipeline_summary(year={period.year}, as_of={as_of}, "
        "dimension='key_level')"
    )
    url = page_url("admin:projects_project_summary", year=period.year, as_of=as_of.isoformat())
    source = _("招商项目情况表（按项目类别），截至%(day)s") % {"day": format_day(as_of)}
    clauses: list[tuple[Part, ...]] = []
    total_count, total_investment = 0, Decimal(0)
    for category in PIPELINE_ROWS:
        row = summary.category_totals.get(category.value)
        if row is None or not row.count:
            continue
        total_count += row.count
        total_investment += row.investment
        row_query = f"{query}.category_totals[{category.value}]"
        about = {"source": source, "query": row_query, "url": url}
        subject = _("%(category)s项目") % {"category": category.label}
        clauses.append(
            sentence(
                _("%(category)s项目%(count)s，总投资%(investment)s"),
                category=str(category.label),
                count=count(row.count, _("个"), subject=subject, **about),
                investment=yi(row.investment, subject=subject + _("总投资"), **about),
            )
        )
    if not clauses:
        return None
    paragraphs = [
        Paragraph(
            (
                *sentence(
                    _("%(period)s，共洽谈项目%(count)s，总投资%(investment)s。"),
                    period=label,
                    count=count(
                        total_count,
                        _("个"),
                        source=source,
                        query=query,
                        url=url,
                        subject=_("共洽谈项目|洽谈项目合计"),
                    ),
                    investment=yi(
                        total_investment,
                        source=source,
                        query=query,
                        url=url,
                        subject=_("共洽谈项目总投资"),
                    ),
                ),
                _("其中，"),
                *joined(clauses, "；"),
                "。",
            )
        )
    ]
    key = _key_projects(period, label, as_of, summary)
    if key is not None:
        paragraphs.append(key)
    return Section("pipeline", _("招商引资"), tuple(paragraphs))


def _key_projects(
    period: BriefingPeriod, label: str, as_of: date, summary: PipelineSummary
) -> Paragraph | None:
    """The provincial and city key projects of the year by row (`summary`: the table by key
    level): “省市重点项目10个，总投资61.16亿元，其中竣工投产2个，续建3个，新开工5个。”"""
    levels = ("province_city", KeyLevel.PROVINCE.value, KeyLevel.CITY.value)
    key_rows = [row for row in summary.rows if row.key in levels]
    if not key_rows:
        return None
    query = (
        f"projects.selectors.pipeline.pipeline_summary(year={period.year}, as_of={as_of}, "
        "dimension='key_level').rows[province_city, province, city]"
    )
    url = page_url(
        "admin:projects_project_summary",
        year=period.year,
        as_of=as_of.isoformat(),
        dimension="key_level",
    )
    source = _("招商项目情况表（按重点项目级别），截至%(day)s") % {"day": format_day(as_of)}
    total = sum(row.total.count for row in key_rows)
    investment = sum((row.total.investment for row in key_rows), Decimal(0))
    clauses = []
    for category in PIPELINE_ROWS:
        n = sum(row.cells[category].count for row in key_rows if category in row.cells)
        if n:
            word = _("竣工投产") if category == ReportCategory.COMPLETED else str(category.label)
            cell_query = f"{query}.cells[{category.value}]"
            figure = count(
                n, _("个"), source=source, query=cell_query, url=url, subject=word, scope=str(KEY)
            )
            clauses.append((word, figure))
    parts = sentence(
        _("%(period)s，省市重点项目%(count)s，总投资%(investment)s"),
        period=label,
        count=count(
            total, _("个"), source=source, query=query, url=url, subject=str(KEY), scope=str(KEY)
        ),
        investment=yi(
            investment,
            source=source,
            query=query,
            url=url,
            subject=_("总投资"),
            scope=str(KEY),
        ),
    )
    if clauses:
        parts = (*parts, _("，其中"), *joined(clauses, "，"))
    return Paragraph((*parts, "。"))


def _events(period: BriefingPeriod, label: str, as_of: date, user: Any) -> Section | None:
    start = period.months.start
    held = meetings_held_by_kind(start=start, end=as_of, user=user)
    query = f"meetings.selectors.meetings_held_by_kind(start={start}, end={as_of})"
    source = _("会议与活动（已召开），%(start)s至%(end)s") % {
        "start": format_day(start),
        "end": format_day(as_of),
    }
    clauses = []
    for kind, pattern in EVENT_KINDS:
        if held.get(kind):
            unit = _("场") if kind in CEREMONIES else _("次")
            url = page_url(
                "admin:meetings_meeting_changelist",
                kind__exact=kind,
                held_on_from=start.isoformat(),
                held_on_to=as_of.isoformat(),
            )
            figure = count(
                held[kind],
                unit,
                source=source,
                query=f"{query}[{kind}]",
                url=url,
                subject=str(pattern).replace("%(n)s", ""),
                scope=str(EVENTS),
            )
            clauses.append(sentence(str(pattern), n=figure))
    if not clauses:
        return None
    parts = (_("%(period)s，举办") % {"period": label}, *joined(clauses, "、"), "。")
    return Section("events", _("招商活动与会议"), (Paragraph(parts),))


def _service(period: BriefingPeriod, label: str, as_of: date, user: Any) -> Section | None:
    """企业服务: the requests filed in the period, answered, on time and rated."""
    start = period.months.start
    statistics = requests_statistics(user=user, start=start, end=as_of, by="category", on=as_of)
    total = statistics.total
    if not total.filed:
        return None
    query = f"enterprises.selectors.requests_statistics(start={start}, end={as_of}).total"
    url = page_url(
        "admin:enterprises_enterpriserequest_statistics",
        year=period.year,
        first_month=1,
        last_month=period.last_month,
        by="category",
    )
    source = _("企业诉求办理情况统计表，%(start)s至%(end)s") % {
        "start": format_day(start),
        "end": format_day(as_of),
    }

    def n(value: int, subject: str) -> Any:
        return count(value, _("件"), source=source, query=query, url=url, subject=subject)

    parts: tuple[Part, ...] = sentence(
        _("%(period)s，受理企业诉求%(filed)s，已答复%(answered)s"),
        period=label,
        filed=n(total.filed, _("企业诉求")),
        answered=n(total.answered, _("已答复")),
    )
    for value, words, field in (
        (total.on_time_rate, _("按时答复率"), "on_time_rate"),
        (total.satisfaction_rate, _("满意率"), "satisfaction_rate"),
    ):
        if value is not None:
            rate = percent(value, source=source, query=f"{query}.{field}", url=url, subject=words)
            parts += ("，", words, rate)
    return Section("service", _("企业服务"), (Paragraph((*parts, "。")),))


def _approvals(period: BriefingPeriod, label: str, as_of: date, user: Any) -> Section | None:
    """政务服务: the cases received and concluded in the period, and on time."""
    start = period.months.start
    figures = approval_figures(start=start, end=as_of, user=user)
    if not figures.received and not figures.total.concluded:
        return None
    query = f"approvals.selectors.approval_figures(start={start}, end={as_of})"
    url = page_url(
        "admin:approvals_case_figures",
        year=period.year,
        first_month=1,
        last_month=period.last_month,
    )
    source = _("政务服务办件统计，%(start)s至%(end)s") % {
        "start": format_day(start),
        "end": format_day(as_of),
    }
    parts: tuple[Part, ...] = sentence(
        _("%(period)s，受理审批服务事项%(received)s，办结%(concluded)s"),
        period=label,
        received=count(
            figures.received,
            _("件"),
            source=source,
            query=f"{query}.received",
            url=url,
            subject=_("受理审批服务事项|受理"),
        ),
        concluded=count(
            figures.total.concluded,
            _("件"),
            source=source,
            query=f"{query}.total.concluded",
            url=url,
            subject=_("办结|办理审批服务事项"),
        ),
    )
    if figures.total.on_time_rate is not None:
        rate = percent(
            figures.total.on_time_rate,
            source=source,
            query=f"{query}.total.on_time_rate",
            url=url,
            subject=_("按时办结率"),
        )
        parts += (_("，按时办结率"), rate)
    for value, words, field, subject in (
        (
            figures.total.promised_ratio,
            _("，承诺办理时限为法定时限的"),
            "promised_ratio",
            _("承诺时限压缩至法定时限|法定时限"),
        ),
        (
            figures.total.centre_share,
            _("，进驻政务服务中心事项比例"),
            "centre_share",
            _("进驻政务服务中心事项比例|进驻比例"),
        ),
    ):
        if value is not None:
            ratio = percent(
                value, source=source, query=f"{query}.total.{field}", url=url, subject=subject
            )
            parts += (words, ratio)
    return Section("approvals", _("政务服务"), (Paragraph((*parts, "。")),))


def _supervision(period: BriefingPeriod, label: str, as_of: date, user: Any) -> Section | None:
    """督查督办: the tasks assigned in the period, closed, and overdue on its last day."""
    counts = task_counts(on=as_of, user=user, year=period.year, assigned_to=as_of)
    if not counts.total:
        return None
    query = (
        f"supervision.selectors.task_counts(year={period.year}, assigned_to={as_of}, on={as_of})"
    )
    url = page_url("admin:supervision_supervisiontask_changelist")
    source = _("督办事项（%(year)d年交办，截至%(day)s）") % {
        "year": period.year,
        "day": format_day(as_of),
    }

    def n(value: int, field: str) -> Any:
        subject = {
            "total": _("督办事项"),
            "closed": _("已销号"),
            "closed_on_time": _("按期销号"),
            "overdue": _("逾期未办结"),
        }[field]
        return count(
            value, _("件"), source=source, query=f"{query}.{field}", url=url, subject=subject
        )

    parts = sentence(
        _(
            "%(period)s，交办督办事项%(total)s，已销号%(closed)s（按期销号%(on_time)s），"
            "逾期未办结%(overdue)s。"
        ),
        period=label,
        total=n(counts.total, "total"),
        closed=n(counts.closed, "closed"),
        on_time=n(counts.closed_on_time, "closed_on_time"),
        overdue=n(counts.overdue, "overdue"),
    )
    return Section("supervision", _("督查督办"), (Paragraph(parts),))


def briefing_for(
    *, year: int, kind: str, number: int | None = None, user: Any = None, today: date | None = None
) -> Briefing:
    """The briefing of a period, every section the records have something to say for."""
    today = today or timezone.localdate()
    period = BriefingPeriod.of(year=year, kind=kind, number=number)
    as_of = min(period.months.end, today)
    label = period.label(today)
    sections = [
        _economy(period, label, user),
        _pipeline(period, label, as_of, user),
        _events(period, label, as_of, user),
        _service(period, label, as_of, user),
        _approvals(period, label, as_of, user),
        _supervision(period, label, as_of, user),
    ]
    whole_zone = user is None or scope_for(user).everything
    return Briefing(
        period=period,
        label=label,
        as_of=as_of,
        title=_("%(period)s工作简报") % {"period": label},
        whole_zone=whole_zone,
        sections=tuple(section for section in sections if section is not None),
    )


# --- 数据核对: a text's figures against the records -----------------------------------------------

MAX_CHECK_CHARACTERS = 100_000  # a long report, some fifty pages
MAX_CHECK_PERIODS = 12  # the periods a text names (each read as its briefing)
LONG_NAME = 8
CONTEXT = 16  # the characters on each side of a figure that name what it counts
CEREMONY_WORDS = ("集中开工", "开工仪式", "签约仪式", "云签约", "签约活动")
CATEGORY_WORDS = {
    "竣工投产": ReportCategory.COMPLETED,
    "竣工": ReportCategory.COMPLETED,
    "续建": ReportCategory.CONTINUING,
    "新开工": ReportCategory.NEWLY_STARTED,
    "计划开工": ReportCategory.PLANNED_START,
}


@dataclass(frozen=True)
class CheckedFigure:
    figure: TextFigure
    status: str  # match, mismatch, unchecked
    fact: Figure | None  # the records' figure it was matched with
    note: str = ""

    @property
    def status_label(self) -> str:
        return str(CHECK_STATUSES[self.status])


CHECK_STATUSES = {
    "match": gettext_lazy("一致"),
    "mismatch": gettext_lazy("不一致"),
    "unchecked": gettext_lazy("无法核对"),
}


@dataclass(frozen=True)
class Inconsistency:
    """The text disagrees with itself: parts that do not add up to the total it states,
    fewer counted than it names."""

    message: str
    start: int
    end: int


@dataclass(frozen=True)
class FigureCheck:
    rows: list[CheckedFigure]
    inconsistencies: list[Inconsistency]
    as_of: date

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def matching(self) -> int:
        return self.count("match")

    @property
    def mismatching(self) -> int:
        return self.count("mismatch")

    @property
    def unchecked(self) -> int:
        return self.count("unchecked")


def _base_value(fact: Figure) -> tuple[str, Decimal] | None:
    """A records' figure in its base unit (亿元 → 万元), as the text's figures are read."""
    if fact.unit not in UNITS:
        return None
    base, factor = UNITS[fact.unit]
    return SAME_UNITS.get(base, base), fact.value * factor


def _alternatives(subject: str) -> list[str]:
    """The ways a report may name a subject: each "|" alternative, and the shorter ends of a
    long name, eight characters or more (北京现代沧州工厂整车产量 → 整车产量)."""
    found = []
    for alternative in subject.split("|"):
        found.append(alternative)
        if len(alternative) >= LONG_NAME:
            found += [alternative[k:] for k in range(1, len(alternative) - 3)]
    return found


def _covered(alternative: str, context: str) -> int:
    """How many characters of `alternative` the context shares, in runs of two or more:
    发动机出口量 against "自营出口发动机" shares 出口 and 发动机, 5."""
    covered, i = 0, 0
    while i < len(alternative):
        length = 0
        for j in range(len(alternative), i + 1, -1):
            if alternative[i:j] in context:
                length = j - i
                break
        if length >= 2:
            covered += length
            i += length
        else:
            i += 1
    return covered


def _score(subject: str, context: str) -> int:
    """How well the words next to a figure name a subject; 0 when they do not: they must
    share at least three of its characters (all of a shorter one), and most of it, or its
    first two characters (发动机产量 in "累计生产发动机")."""
    best = 0
    for alternative in _alternatives(subject):
        covered = _covered(alternative, context)
        if covered < min(3, len(alternative)):
            continue
        share = covered / len(alternative)
        if share >= 0.8 or alternative[:2] in context:
            # More characters shared first, then more of the subject: "洽谈项目" is the
            # row of that name before "共洽谈项目", the total.
            best = max(best, covered * 10 + round(share * 10))
    return best


def _match(
    figure: TextFigure, facts: list[Figure], sentence: str, previous: Figure | None
) -> tuple[Figure | None, str]:
    sentence = sentence.replace("、", "")
    keyed = str(KEY) in sentence
    ceremony = any(word in sentence for word in CEREMONY_WORDS)
    candidates = []
    for fact in facts:
        converted = _base_value(fact)
        if converted is None or converted[0] != figure.base:
            continue
        if keyed and fact.scope != str(KEY):
            continue
        if ceremony and fact.scope != str(EVENTS):
            continue
        if not keyed and fact.scope == str(KEY):
            continue
        candidates.append(fact)
    if not candidates:
        return None, _("记录中没有该年份可对照的数据。")
    total_words, change_words = _("总投资"), _("同比")
    if figure.base == "万元" and figure.before.endswith(total_words):
        # "竣工项目3个，总投资23亿元": the investment of what was just counted.
        wanted = (previous.label if previous else "") + total_words
        for fact in candidates:
            if fact.subject == wanted or (keyed and fact.subject == total_words):
                return fact, ""
    if figure.base == "%" and change_words in figure.before and previous is not None:
        # "全部财政收入21.7亿元，同比增长30.24%": the change of what was just given.
        for fact in candidates:
            if fact.subject == previous.label + change_words:
                return fact, ""
    # The words just before the figure name what it counts ("竣工项目3个"), else those just
    # after it ("10个省市重点项目").
    before = figure.before[-CONTEXT:].replace("、", "")
    after = figure.after[:CONTEXT].replace("、", "")

    def score(fact: Figure) -> tuple[int, int]:
        return (_score(fact.subject, before), _score(fact.subject, after))

    scored = sorted(
        ((score(fact), index, fact) for index, fact in enumerate(candidates)),
        key=lambda item: (-item[0][0], -item[0][1], item[1]),
    )
    best = scored[0]
    if not any(best[0]):
        return None, _("未能确定该数字所指的统计项。")
    if len(scored) > 1 and scored[1][0] == best[0] and scored[1][2].subject != best[2].subject:
        return None, _("该数字可能指“%(one)s”或“%(other)s”，无法确定。") % {
            "one": best[2].label,
            "other": scored[1][2].label,
        }
    return best[2], ""


def _sums(
    text: str, figures: list[TextFigure], spans: list[tuple[int, int]]
) -> list[Inconsistency]:
    """Parts that should add up to a stated total: "共…111个，总投资447亿元。其中，…" and
    "在10个…中，A个，B个，C个"."""
    found = []
    by_sentence: dict[int, list[TextFigure]] = {}
    for figure in figures:
        if figure.base != "%":
            by_sentence.setdefault(figure.sentence, []).append(figure)
    for index, (start, end) in enumerate(spans):
        own = by_sentence.get(index, [])
        sentence = text[start:end]
        groups: list[tuple[list[TextFigure], list[TextFigure]]] = []
        following = spans[index + 1] if index + 1 < len(spans) else None
        stated = "共" in sentence or "合计" in sentence
        if stated and following and text[slice(*following)].lstrip().startswith("其中"):
            groups.append((own, by_sentence.get(index + 1, [])))
        first = own[0] if own else None
        if first is not None and first.after.rstrip().endswith("中") and "在" in first.before:
            groups.append(([first], [f for f in own[1:] if f.base == first.base]))
        for totals, parts in groups:
            for total in totals:
                same = [part for part in parts if part.base == total.base]
                if len([t for t in totals if t.base == total.base]) != 1 or len(same) < 2:
                    continue
                if total.bound or any(part.bound for part in same):
                    continue  # "111余个": a rough total says no exact sum
                added = sum((part.value for part in same), Decimal(0))
                # As written: 446.95 is 447 once rounded as the total is.
                if rounded(added / total.scale, total.places) != total.written:
                    found.append(
                        Inconsistency(
                            _("“%(total)s”与其分项之和不符：%(parts)s，合计应为%(sum)s%(unit)s。")
                            % {
                                "total": total.text,
                                "parts": "+".join(part.text for part in same),
                                "sum": plain(added / total.scale),
                                "unit": total.unit,
                            },
                            total.start,
                            total.end,
                        )
                    )
    return found


def _named(
    text: str,
    spans: list[tuple[int, int]],
    figure: TextFigure,
    fact: Figure,
    names: dict[str, list[str]],
) -> Inconsistency | None:
    """A count of key projects in a category that is below the number the text names: "竣工
    投产项目2个" followed by three completed key projects named."""
    category = CATEGORY_WORDS.get(fact.subject)
    if category is None:
        return None
    start = spans[figure.sentence][0]
    end = spans[min(figure.sentence + 2, len(spans) - 1)][1]
    window = text[start:end]
    named = [name for name in names.get(category, []) if name in window]
    if len(named) <= figure.written:
        return None
    return Inconsistency(
        _("文中点名的%(word)s重点项目有%(count)d个（%(names)s），多于所述的%(stated)s。")
        % {
            "word": fact.subject,
            "count": len(named),
            "names": "、".join(named),
            "stated": figure.text,
        },
        figure.start,
        figure.end,
    )


def figure_check(*, text: str, user: Any = None, today: date | None = None) -> FigureCheck:
    """Every figure of `text` with its unit, matched with the records' figure for the same
    subject and year (the year's briefing, zoneops.briefings.selectors.briefing_for) where
    there is one, and the text's own sums and named projects checked."""
    today = today or timezone.localdate()
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("请粘贴或上传要核对的文字。"), field="text")
    if len(text) > MAX_CHECK_CHARACTERS:
        raise ApplicationError(
            _("文字过长（%(count)d字），一次最多核对%(limit)d字。")
            % {"count": len(text), "limit": MAX_CHECK_CHARACTERS},
            field="text",
        )
    problem = text_error(text, multiline=True)
    if problem:
        raise ApplicationError(problem, field="text")
    # The text is Chinese: it is matched with the records' figures in the words of a Chinese
    # briefing, whatever the reader's language (its notes are Chinese too).
    with translation.override(settings.LANGUAGE_CODE):
        return _figure_check(text=text, user=user, today=today)


def _figure_check(*, text: str, user: Any, today: date) -> FigureCheck:
    figures = figures_in(text)
    spans = sentences_of(text)
    periods = sorted(
        {
            (f.year, f.month)
            for f in figures
            if f.year is not None and FIRST_YEAR <= f.year <= today.year
        }
    )[-MAX_CHECK_PERIODS:]
    facts: dict[tuple[int, int], list[Figure]] = {}
    names: dict[tuple[int, int], dict[str, list[str]]] = {}
    for year, month in periods:
        briefing = briefing_for(year=year, kind="month", number=month, user=user, today=today)
        facts[(year, month)] = briefing.figures
        names[(year, month)] = key_projects_by_category(year=year, as_of=briefing.as_of, user=user)
    rows: list[CheckedFigure] = []
    inconsistencies = _sums(text, figures, spans)
    previous: dict[int, Figure] = {}  # the last count matched in each sentence
    for figure in figures:
        period = (figure.year, figure.month)
        if figure.year is None or period not in facts:
            note = _("未注明年份。") if figure.year is None else _("没有该年份的记录。")
            rows.append(CheckedFigure(figure, "unchecked", None, note))
            continue
        sentence = text[spans[figure.sentence][0] : spans[figure.sentence][1]]
        fact, note = _match(figure, facts[period], sentence, previous.get(figure.sentence))
        if fact is None:
            rows.append(CheckedFigure(figure, "unchecked", None, note))
            continue
        if figure.base != "%" and not fact.subject.endswith(str(_("总投资"))):
            # What a following 总投资 or 同比 is about.
            previous[figure.sentence] = fact
        converted = _base_value(fact)
        assert converted is not None
        status = "match" if agrees(figure, converted[1]) else "mismatch"
        note = "" if status == "match" else _("记录为%(value)s。") % {"value": fact}
        rows.append(CheckedFigure(figure, status, fact, note))
        if fact.scope:
            named = _named(text, spans, figure, fact, names[period])
            if named is not None:
                inconsistencies.append(named)
    inconsistencies.sort(key=lambda item: item.start)
    return FigureCheck(rows=rows, inconsistencies=inconsistencies, as_of=today)
