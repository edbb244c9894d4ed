"""Briefings in the API: the text of a period's briefing, each paragraph with its figures and
where each comes from."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from zoneops.api.schemas import Year
from zoneops.briefings.selectors import briefing_for, figure_check
from zoneops.common.scope import ensure_allowed
from zoneops.indicators.models import Indicator

router = Router(tags=["briefings"])


class BriefingFigureOut(Schema):
    text: str
    unit: str
    value: Decimal
    source: str
    query: str
    url: str


class BriefingParagraphOut(Schema):
    text: str
    figures: list[BriefingFigureOut]


class BriefingSectionOut(Schema):
    key: str
    title: str
    paragraphs: list[BriefingParagraphOut]


class BriefingOut(Schema):
    title: str
    label: str
    as_of: date
    whole_zone: bool = Field(description="是否为全区数据（否则仅含数据范围内的记录）")
    sections: list[BriefingSectionOut]


class BriefingQuery(Schema):
    year: Year
    kind: Literal["month", "quarter", "year"] = "month"
    number: int | None = Field(None, ge=1, le=12, description="月份（1-12）或季度（1-4）")


@router.get("/", response=BriefingOut, summary="工作简报（按期间由记录生成）")
def briefing(request, filters: Query[BriefingQuery]) -> dict:
    # Whoever reads the zone's figures may write a briefing (briefings.apps.VIEW).
    ensure_allowed(request.user, "view", Indicator)
    found = briefing_for(
        year=filters.year,
        kind=filters.kind,
        number=filters.number,
        user=request.user,
        today=timezone.localdate(),
    )
    return {
        "title": found.title,
        "label": found.label,
        "as_of": found.as_of,
        "whole_zone": found.whole_zone,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "paragraphs": [
                    {"text": paragraph.text, "figures": paragraph.figures}
                    for paragraph in section.paragraphs
                ],
            }
            for section in found.sections
        ],
    }


class FigureCheckIn(Schema):
    text: str = Field(description="要核对的文字（最多100000字）")


class FigureCheckRowOut(Schema):
    text: str
    start: int
    end: int
    year: int | None
    month: int = Field(description="所指期间的截止月份（12为全年）")
    status: str = Field(description="match 一致、mismatch 不一致、unchecked 无法核对")
    status_label: str
    note: str
    records: BriefingFigureOut | None = Field(description="记录中的对应数字及其来源")


class FigureCheckInconsistencyOut(Schema):
    message: str
    start: int
    end: int


class FigureCheckOut(Schema):
    matching: int
    mismatching: int
    unchecked: int
    figures: list[FigureCheckRowOut]
    inconsistencies: list[FigureCheckInconsistencyOut]


@router.post("/check", response=FigureCheckOut, summary="数据核对（文字中的数字与记录比对）")
def check(request, payload: FigureCheckIn) -> dict:
    ensure_allowed(request.user, "view", Indicator)
    found = figure_check(text=payload.text, user=request.user, today=timezone.localdate())
    return {
        "matching": found.matching,
        "mismatching": found.mismatching,
        "unchecked": found.unchecked,
        "figures": [
            {
                "text": row.figure.text,
                "start": row.figure.start,
                "end": row.figure.end,
                "year": row.figure.year,
                "month": row.figure.month,
                "status": row.status,
                "status_label": row.status_label,
                "note": row.note,
                "records": row.fact,
            }
            for row in found.rows
        ],
        "inconsistencies": found.inconsistencies,
    }
