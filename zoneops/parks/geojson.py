"""A park's boundary as GeoJSON (RFC 7946): what an uploaded file may hold, and its normal form.

Accepted: a Polygon or MultiPolygon geometry, or a Feature or a FeatureCollection of one feature
holding one. Positions are WGS 84 longitude and latitude within China's extent; every ring is
closed and has at least four positions. Stored as {"type", "coordinates"} with positions of two
numbers rounded to 7 decimals (about 1 cm)."""

import json
import math
from typing import Any

from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError, TooLargeError

MAX_BYTES = 1024 * 1024
MAX_POSITIONS = 5000
LONGITUDE = (73.0, 136.0)
LATITUDE = (3.0, 54.0)
FIELD = "boundary"


def _error(message: str) -> ApplicationError:
    return ApplicationError(message, field=FIELD)


def boundary_size_check(size: int) -> None:
    """A boundary file of more than MAX_BYTES is refused before it is read (TooLargeError)."""
    if size > MAX_BYTES:
        raise TooLargeError(
            _("边界文件过大：不能超过 %(limit)s KB。") % {"limit": MAX_BYTES // 1024}, field=FIELD
        )


def boundary_parse(content: bytes) -> dict[str, Any]:
    """The normalised geometry an uploaded file holds, or an ApplicationError saying why not."""
    boundary_size_check(len(content))
    if not content.strip():
        raise _error(_("边界文件是空的。"))
    if b"\x00" in content:
        raise _error(_("边界文件含有空字符（NUL），不是 GeoJSON 文本文件。"))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _error(_("边界文件不是 UTF-8 编码的文本。")) from error
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise _error(_("边界文件不是有效的 JSON：%(error)s") % {"error": _short(error)}) from error
    return boundary_normalise(data)


def boundary_normalise(data: Any) -> dict[str, Any]:
    """The geometry of a parsed GeoJSON object, checked and in its stored form."""
    geometry = _geometry(data)
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    counter = [0]
    if kind == "Polygon":
        normal = _polygon(coordinates, counter)
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise _error(_("MultiPolygon 的坐标须为至少一个多边形的列表。"))
        normal = [_polygon(polygon, counter) for polygon in coordinates]
    else:
        raise _error(
            _("边界须为 Polygon 或 MultiPolygon，而文件中是“%(kind)s”。") % {"kind": _short(kind)}
        )
    return {"type": kind, "coordinates": normal}


def _geometry(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _error(_("边界文件须为一个 GeoJSON 对象。"))
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise _error(_("FeatureCollection 须恰好包含一个要素（Feature）。"))
        return _geometry(features[0])
    if kind == "Feature":
        geometry = data.get("geometry")
        if not isinstance(geometry, dict):
            raise _error(_("要素（Feature）没有几何对象（geometry）。"))
        return geometry
    return data


def _polygon(rings: Any, counter: list[int]) -> list[list[list[float]]]:
    if not isinstance(rings, list) or not rings:
        raise _error(_("多边形的坐标须为至少一个环的列表。"))
    return [_ring(ring, counter) for ring in rings]


def _ring(ring: Any, counter: list[int]) -> list[list[float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise _error(_("多边形的每个环至少须有4个坐标点（首尾相同）。"))
    counter[0] += len(ring)
    if counter[0] > MAX_POSITIONS:
        raise TooLargeError(
            _("边界的坐标点过多：不能超过 %(limit)s 个。") % {"limit": MAX_POSITIONS}, field=FIELD
        )
    positions = [_position(position) for position in ring]
    if positions[0] != positions[-1]:
        raise _error(_("多边形的环未闭合：首尾坐标点须相同。"))
    return positions


def _position(position: Any) -> list[float]:
    if not isinstance(position, list) or len(position) not in (2, 3):
        raise _error(_("坐标点须为 [经度, 纬度] 两个数。"))
    numbers = []
    for value in position[:2]:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _error(_("坐标“%(value)s”不是数字。") % {"value": _short(value)})
        number = float(value) if abs(value) < 1e6 else math.inf
        if not math.isfinite(number):
            raise _error(_("坐标“%(value)s”不是有效的经纬度数值。") % {"value": _short(value)})
        numbers.append(round(number, 7))
    longitude, latitude = numbers
    if not (LONGITUDE[0] <= longitude <= LONGITUDE[1] and LATITUDE[0] <= latitude <= LATITUDE[1]):
        raise _error(
            _(
                "坐标 [%(lon)s, %(lat)s] 不在中国境内：须为 WGS 84 经纬度，经度73–136、纬度3–54"
                "（顺序为经度在前）。"
            )
            % {"lon": _short(position[0]), "lat": _short(position[1])}
        )
    return numbers


def _no_constant(name: str) -> None:
    raise ValueError(_("不支持 %(name)s") % {"name": name})


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def boundary_dumps(geometry: dict[str, Any], *, name: str = "") -> bytes:
    """A stored boundary as a GeoJSON file (a Feature named after the park)."""
    feature = {"type": "Feature", "properties": {"name": name}, "geometry": geometry}
    return json.dumps(feature, ensure_ascii=False).encode("utf-8")
