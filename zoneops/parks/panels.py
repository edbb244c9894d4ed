"""The park's own panels on its page in the back office (common.panels): phases, buildings and
units with their tenants, free space, occupancy now and its history, the boundary."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.panels import Panel
from zoneops.common.scope import can_write
from zoneops.parks.models import ParkPhase
from zoneops.parks.selectors import park_buildings, park_occupancy_history, parks_occupancy

BAR_HEIGHT = 80  # the history's bars, in SVG units


def park_occupancy(*, request: HttpRequest, obj: Any) -> Panel:
    """出租情况: occupancy today and at each month's (earlier: year's) end, as bars."""
    today = timezone.localdate()
    now = parks_occupancy(on=today, parks=[obj.pk])[obj.pk]
    history = park_occupancy_history(park=obj, on=today)
    bars = []
    width = 22
    for index, point in enumerate(history):
        rate = point.occupancy.rate
        height = float(rate or 0) * BAR_HEIGHT / 100
        bars.append(
            {
                "point": point,
                "x": index * width,
                "y": BAR_HEIGHT - height,
                "height": height,
                "label": f"{point.day:%Y}" if point.by_year else f"{point.day:%y.%m}",
            }
        )
    return Panel(
        title=_("出租情况"),
        template="parks/panel_occupancy.html",
        context={
            "now": now,
            "today": today,
            "history": history,
            "bars": bars,
            "svg_width": max(len(bars) * width, width),
            "bar_height": BAR_HEIGHT,
        },
        order=10,
    )


def park_phases_and_buildings(*, request: HttpRequest, obj: Any) -> Panel:
    """分期与楼宇: the phases with their status, each building's units and tenant today."""
    today = timezone.localdate()
    return Panel(
        title=_("分期、楼宇与入驻企业"),
        template="parks/panel_buildings.html",
        context={
            "phases": list(ParkPhase.objects.filter(park=obj)),
            "buildings": park_buildings(park=obj, on=today),
            "writable": can_write(request.user, obj),
            "park": obj,
        },
        order=20,
    )


def park_free_space(*, request: HttpRequest, obj: Any) -> Panel:
    """空置载体: the free units by building, with their area."""
    today = timezone.localdate()
    rows = [row for row in park_buildings(park=obj, on=today) if row.free_units]
    return Panel(
        title=_("空置载体"),
        template="parks/panel_free.html",
        context={"rows": rows, "today": today},
        order=30,
    )


def park_boundary(*, request: HttpRequest, obj: Any) -> Panel:
    return Panel(
        title=_("园区边界"),
        template="parks/panel_boundary.html",
        context={"park": obj, "writable": can_write(request.user, obj)},
        order=40,
    )
