"""园区分布图: the parks drawn from their boundaries as an SVG, on the server.

No tile service and no outside call: each boundary (GeoJSON Polygon or MultiPolygon, WGS 84) is
projected equirectangularly, longitudes scaled by the cosine of the mid latitude so that shapes
keep their proportions at the zone's latitude, then fitted into the view box. Each park is one
path (its polygons and their holes, even-odd fill), coloured by its occupancy band and linked
to its page.
"""

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.parks.models import Park
from zoneops.parks.selectors import Occupancy, parks_occupancy, parks_visible

WIDTH, HEIGHT, PADDING = 1000, 700, 30  # the map area; the legend's strip is below it
LEGEND_HEIGHT = 34
LABEL_MAX, LABEL_MIN = 14.0, 8.0

Ring = list[tuple[float, float]]  # (longitude, latitude) or (x, y)


@dataclass(frozen=True)
class Band:
    code: str
    label: Any
    colour: str
    low: Decimal | None = None  # rate from (inclusive), None: the band of parks without units


# Occupancy of the leased area, from empty (light) to full (dark); grey for no units.
BANDS: tuple[Band, ...] = (
    Band("none", gettext_lazy("无可租单元"), "#d4d4d8"),
    Band("low", gettext_lazy("出租率低于50%"), "#dbeafe", Decimal(0)),
    Band("mid", gettext_lazy("50%–80%"), "#93c5fd", Decimal(50)),
    Band("high", gettext_lazy("80%–95%"), "#3b82f6", Decimal(80)),
    Band("full", gettext_lazy("95%及以上"), "#1e3a8a", Decimal(95)),
)


def occupancy_band(rate: Decimal | None) -> Band:
    if rate is None:
        return BANDS[0]
    chosen = BANDS[1]
    for band in BANDS[1:]:
        if band.low is not None and rate >= band.low:
            chosen = band
    return chosen


def _ring(points: Any) -> Ring | None:
    """A ring of (lon, lat) pairs, or None when it is not one (a bad boundary draws nothing)."""
    if not isinstance(points, list) or len(points) < 4:
        return None
    ring: Ring = []
    for point in points:
        if not isinstance(point, list | tuple) or len(point) < 2:
            return None
        lon, lat = point[0], point[1]
        if isinstance(lon, bool) or isinstance(lat, bool):
            return None
        if not isinstance(lon, int | float) or not isinstance(lat, int | float):
            return None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return None
        ring.append((float(lon), float(lat)))
    return ring


def boundary_polygons(boundary: Any) -> list[list[Ring]]:
    """The polygons of a GeoJSON Polygon or MultiPolygon (a Feature's geometry too): each a list
    of rings, the outer ring first, then its holes. Anything else gives no polygon."""
    if not isinstance(boundary, dict):
        return []
    if boundary.get("type") == "Feature":
        return boundary_polygons(boundary.get("geometry"))
    kind, coordinates = boundary.get("type"), boundary.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon" and isinstance(coordinates, list):
        polygons = coordinates
    else:
        return []
    result: list[list[Ring]] = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return []
        rings = [_ring(ring) for ring in polygon]
        if any(ring is None for ring in rings):
            return []
        result.append([ring for ring in rings if ring is not None])
    return result


@dataclass(frozen=True)
class Projection:
    """Equirectangular with cos(mid latitude), fitted into WIDTH × HEIGHT less PADDING, centred,
    north up."""

    lon0: float
    lat0: float
    cos_lat: float
    scale: float
    offset_x: float
    offset_y: float

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.lon0) * self.cos_lat * self.scale + self.offset_x
        y = (self.lat0 - lat) * self.scale + self.offset_y
        return x, y


def fit_projection(
    rings: Iterable[Ring], *, width: int = WIDTH, height: int = HEIGHT, padding: int = PADDING
) -> Projection | None:
    points = [point for ring in rings for point in ring]
    if not points:
        return None
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    lon0, lat0 = min(lons), max(lats)
    cos_lat = math.cos(math.radians((min(lats) + max(lats)) / 2)) or 1e-9
    span_x = (max(lons) - lon0) * cos_lat
    span_y = lat0 - min(lats)
    inner_w, inner_h = width - 2 * padding, height - 2 * padding
    candidates = [
        inner_w / span_x if span_x > 0 else None,
        inner_h / span_y if span_y > 0 else None,
    ]
    scales = [scale for scale in candidates if scale is not None]
    scale = min(scales) if scales else 1.0
    offset_x = padding + (inner_w - span_x * scale) / 2
    offset_y = padding + (inner_h - span_y * scale) / 2
    return Projection(lon0, lat0, cos_lat, scale, offset_x, offset_y)


def label_size(name: str, width: float) -> float:
    """A label's font size: as large as LABEL_MAX while the name fits the shape's width (a
    Chinese character is about 1 em wide), never below LABEL_MIN."""
    fitting = width * 0.9 / max(len(name), 1)
    return max(LABEL_MIN, min(LABEL_MAX, fitting))


def label_fits(name: str, width: float) -> bool:
    """Whether the name fits inside a shape this wide at the smallest size; a smaller shape (a
    centre of a few 亩) carries its label below it instead."""
    return width * 0.9 / max(len(name), 1) >= LABEL_MIN


def _area_centroid(ring: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    """Shoelace area (absolute) and centroid of a projected ring."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area) < 1e-9:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)


@dataclass
class ParkShape:
    park: Park
    occupancy: Occupancy
    band: Band
    path: str = ""
    label_x: float = 0.0
    label_y: float = 0.0
    label_size: float = LABEL_MAX
    label_outside: bool = False  # below the shape, with a white halo (too small to hold it)
    link: str = ""

    @property
    def tooltip(self) -> str:
        rate = self.occupancy.rate
        lines = [
            self.park.name,
            _("类型：%(kind)s") % {"kind": self.park.get_kind_display()},  # type: ignore[attr-defined]
            _("出租率：%(rate)s") % {"rate": f"{rate}%" if rate is not None else _("无可租单元")},
            _("空置面积：%(area)s平方米") % {"area": f"{self.occupancy.area_free_m2:,.2f}"},
        ]
        return "\n".join(lines)


@dataclass
class ParkMap:
    on: date
    shapes: list[ParkShape]
    without_boundary: list[tuple[Park, Occupancy, Band]]
    bands: tuple[Band, ...] = BANDS
    width: int = WIDTH
    height: int = HEIGHT
    svg: str = field(default="", repr=False)


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def park_map(*, parks: Iterable[Park], on: date, link: Callable[[Park], str]) -> ParkMap:
    """The map of the given parks on a day: their shapes, their occupancy bands and the parks
    that have no (usable) boundary; two queries (the parks, their occupancy)."""
    parks = list(parks)
    occupancy = parks_occupancy(on=on, parks=[park.pk for park in parks])
    polygons = {park.pk: boundary_polygons(park.boundary) for park in parks}
    projection = fit_projection(
        ring for park_polygons in polygons.values() for polygon in park_polygons for ring in polygon
    )
    shapes: list[ParkShape] = []
    without: list[tuple[Park, Occupancy, Band]] = []
    for park in parks:
        park_occupancy = occupancy.get(park.pk, Occupancy())
        band = occupancy_band(park_occupancy.rate)
        if not polygons[park.pk] or projection is None:
            without.append((park, park_occupancy, band))
            continue
        parts, best, best_width, best_bottom = [], (-1.0, 0.0, 0.0), 0.0, 0.0
        for polygon in polygons[park.pk]:
            for index, ring in enumerate(polygon):
                projected = [projection(lon, lat) for lon, lat in ring]
                parts.append("M" + " L".join(f"{_fmt(x)},{_fmt(y)}" for x, y in projected) + " Z")
                if index == 0:  # the label sits in the largest outer ring
                    measured = _area_centroid(
                        projected[:-1] if projected[0] == projected[-1] else projected
                    )
                    if measured > best:
                        xs = [x for x, _y in projected]
                        best, best_width = measured, max(xs) - min(xs)
                        best_bottom = max(y for _x, y in projected)
        inside = label_fits(park.name, best_width)
        shapes.append(
            ParkShape(
                park=park,
                occupancy=park_occupancy,
                band=band,
                path=" ".join(parts),
                label_x=best[1],
                label_y=best[2] if inside else best_bottom + LABEL_MIN + 2,
                label_size=label_size(park.name, best_width),
                label_outside=not inside,
                link=link(park),
            )
        )
    result = ParkMap(on=on, shapes=shapes, without_boundary=without)
    result.svg = park_map_svg(result)
    return result


def park_map_svg(park_map: ParkMap) -> str:
    """The map as a standalone SVG document (for the page and for reports): the parks in the
    map area, the legend in a strip below it (never over a park)."""
    total_height = park_map.height + LEGEND_HEIGHT
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="0 0 {park_map.width} {total_height}" '
        f'width="{park_map.width}" height="{total_height}" class="park-map" '
        'font-family="sans-serif" role="img">',
        f"<title>{escape(_('园区分布图'))}</title>",
        f'<rect x="0" y="0" width="{park_map.width}" height="{total_height}" fill="#ffffff"/>',
    ]
    for shape in park_map.shapes:
        href = quoteattr(shape.link)
        out.append(
            f'<a href={href} xlink:href={href} class="park-shape" data-park="{shape.park.pk}" '
            f'data-band="{shape.band.code}">'
            f"<title>{escape(shape.tooltip)}</title>"
            f'<path d="{shape.path}" fill="{shape.band.colour}" fill-rule="evenodd" '
            'stroke="#1f2937" stroke-width="1.2"/>'
            "</a>"
        )
    for shape in park_map.shapes:
        inside_dark = not shape.label_outside and shape.band.code in ("high", "full")
        text_fill = "#ffffff" if inside_dark else "#111827"
        halo = (
            ' stroke="#ffffff" stroke-width="3" paint-order="stroke" class="label-outside"'
            if shape.label_outside
            else ""
        )
        out.append(
            f'<text x="{_fmt(shape.label_x)}" y="{_fmt(shape.label_y)}" '
            f'font-size="{_fmt(shape.label_size)}" '
            f'text-anchor="middle" dominant-baseline="middle" fill="{text_fill}"{halo} '
            f'pointer-events="none">{escape(shape.park.name)}</text>'
        )
    # The legend, in one row below the map area.
    y = park_map.height + 10
    out.append(f'<g class="park-legend" font-size="12" transform="translate(12,{y})">')
    out.append(
        f'<text x="0" y="12" font-weight="bold">{escape(_("出租率（已租面积占比）"))}</text>'
    )
    for index, band in enumerate(park_map.bands):
        left = 170 + index * 150
        out.append(
            f'<rect x="{left}" y="1" width="18" height="14" fill="{band.colour}" '
            'stroke="#1f2937" stroke-width="0.5"/>'
            f'<text x="{left + 24}" y="12">{escape(str(band.label))}</text>'
        )
    out.append("</g></svg>")
    return "".join(out)


# --- the page ------------------------------------------------------------------------------------


def park_change_link(park: Park) -> str:
    return reverse("admin:parks_park_change", args=[park.pk])


class ParkMapView(UnfoldModelAdminViewMixin, TemplateView):
    """园区分布图 in the back office; `?format=svg` downloads the same drawing for a report."""

    title = gettext_lazy("园区分布图")
    permission_required = ("parks.view_park",)
    template_name = "parks/park_map.html"

    def build(self) -> ParkMap:
        return park_map(
            parks=parks_visible(user=self.request.user),
            on=timezone.localdate(),
            link=park_change_link,
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("format") == "svg":
            drawing = self.build()
            response = HttpResponse(drawing.svg, content_type="image/svg+xml; charset=utf-8")
            filename = _("园区分布图-%(day)s.svg") % {"day": drawing.on.isoformat()}
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(map=self.build(), **kwargs)
