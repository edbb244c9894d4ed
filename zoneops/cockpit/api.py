"""The cockpit's figures in the API: each panel's tiles, rows and chart data, within the
caller's scope, for a wall display or another system."""

import json
from datetime import date
from typing import Any

from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema

from zoneops.cockpit.selectors import PANELS, cockpit_panel
from zoneops.common.scope import ensure_allowed
from zoneops.indicators.models import Indicator

router = Router(tags=["cockpit"])


class CockpitTileOut(Schema):
    label: str
    value: str
    unit: str
    url: str
    note: str
    alert: bool = Field(description="需要关注（逾期、滞后、红灯）")


class CockpitPanelOut(Schema):
    key: str
    title: str
    as_of: date
    tiles: list[CockpitTileOut]
    rows: list[CockpitTileOut]
    chart_type: str
    chart: dict[str, Any] | None = Field(description="Chart.js 的 data（labels、datasets）")
    more_url: str


class CockpitPanelKeyOut(Schema):
    key: str
    title: str


@router.get("/panels", response=list[CockpitPanelKeyOut], summary="驾驶舱面板")
def panels(request) -> list[dict]:
    ensure_allowed(request.user, "view", Indicator)
    return [{"key": key, "title": str(title)} for key, (title, _build) in PANELS.items()]


@router.get("/panels/{key}", response=CockpitPanelOut, summary="驾驶舱面板的数据")
def panel(request, key: str) -> dict:
    ensure_allowed(request.user, "view", Indicator)
    if key not in PANELS:
        raise Http404
    found = cockpit_panel(key=key, user=request.user, today=timezone.localdate())
    return {
        "key": found.key,
        "title": found.title,
        "as_of": found.as_of,
        "tiles": found.tiles,
        "rows": found.rows,
        "chart_type": found.chart_type,
        "chart": json.loads(found.chart) if found.chart else None,
        "more_url": found.more_url,
    }
