"""Bad input to the API never answers 500 and changes nothing.

Every operation of the OpenAPI schema is walked — its path and query parameters, the fields of
its JSON body, built from the schema — so an endpoint added later is covered without a line
here: ids and numbers beyond 64 bits (SQLite's OverflowError), NUL and other control characters
(PostgreSQL refuses NUL), texts of nothing but invisible characters, dates in year 1 or 9999,
an empty body, a body over the upload limit. Each is refused with a 4xx JSON answer that names
the field, before anything is written.
"""

import json
import sys
from functools import cache
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.test import Client

from zoneops.api.api import api
from zoneops.common.inputs import MAX_ID
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.models import Project

BIG = MAX_ID + 1  # 2**63: no id column holds it; SQLite cannot even bind it
PREFIX = "/api/v1"


@cache
def _schema() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix=PREFIX)


@cache
def _bodies() -> dict[str, dict[str, Any]]:
    """operationId → the JSON body's schema, from the operation's own pydantic model: the
    OpenAPI components are keyed by class name, which two routers may share."""
    found: dict[str, dict[str, Any]] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("zoneops.") or ".api" not in name:
            continue
        for value in vars(module).values():
            operation = getattr(value, "_ninja_operation", None)
            if operation is None:
                continue
            for model in operation.models:
                if model.__ninja_param_source__ == "body" and len(model.model_fields) == 1:
                    schema = model.model_json_schema()
                    (field,) = schema["properties"].values()
                    found[api.get_openapi_operation_id(operation)] = {
                        **_resolve(field, schema.get("$defs", {})),
                        "$defs": schema.get("$defs", {}),
                    }
    return found


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return defs.get(name) or _schema()["components"]["schemas"][name]
    return schema


def _plain(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> dict[str, Any]:
    """The schema of a value that may also be null, without the null."""
    schema = _resolve(schema, defs or {})
    for key in ("anyOf", "allOf", "oneOf"):
        if key in schema:
            choices = [
                _resolve(choice, defs or {})
                for choice in schema[key]
                if _resolve(choice, defs or {}).get("type") != "null"
            ]
            return _plain(choices[0], defs)
    return schema


def sample(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """A value the schema accepts: every property of an object filled in, so that every field
    can be tried."""
    defs = schema.get("$defs", defs)
    schema = _plain(schema, defs)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        return {name: sample(field, defs) for name, field in schema.get("properties", {}).items()}
    if kind == "array":
        return [sample(schema.get("items", {}), defs)] * max(1, schema.get("minItems", 1))
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1), schema.get("exclusiveMinimum", 0) + 1)
    if kind == "boolean":
        return False
    if kind == "string":
        return {"date": "2024-03-01", "date-time": "2024-03-01T10:00:00+08:00"}.get(
            schema.get("format", ""), "10:00:00" if schema.get("format") == "time" else "测试"
        )
    return None


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in _schema()["paths"].items()
        for method, operation in methods.items()
    ]


def _json_body(operation: dict[str, Any]) -> dict[str, Any] | None:
    if "application/json" not in operation.get("requestBody", {}).get("content", {}):
        return None
    return _bodies()[operation["operationId"]]


def _url(path: str, operation: dict[str, Any], **values: Any) -> str:
    """The operation's path with every path parameter filled in (1, or the given value)."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            name = parameter["name"]
            path = path.replace(f"{{{name}}}", str(values.get(name, sample(parameter["schema"]))))
    return path


def _query(operation: dict[str, Any], **values: Any) -> dict[str, Any]:
    """The operation's required query parameters filled in, and the given ones."""
    query = {
        parameter["name"]: sample(parameter["schema"])
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and parameter.get("required")
    }
    return {**query, **values}


def _query_parameters(operation: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (parameter["name"], _plain(parameter["schema"]))
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    ]


def _body_operations():
    for method, path, operation in operations():
        schema = _json_body(operation)
        if schema is not None:
            yield method, _url(path, operation), schema


def _fields_of(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: _plain(field, schema["$defs"]) for name, field in schema.get("properties", {}).items()
    }


@pytest.fixture
def client(org):
    user = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    client = Client()
    client.force_login(user)
    return client


def _rows() -> int:
    """Rows in every table of ZoneOps: the same before and after a refused request."""
    return sum(
        model._base_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("zoneops.")
    )


def _send(client: Client, method: str, url: str, body: Any = None, query: Any = None):
    if query:
        url = f"{url}?{urlencode(query, doseq=True)}"
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _refused(response, names: set[str], status: int = 422, *, each: bool = True) -> None:
    """Refused in JSON naming each of `names` (or, not `each`, at least one of them)."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    named = {error["field"] or "" for error in response.json()["errors"]}
    found = {
        name
        for name in names
        if any(field == name or field.startswith(f"{name}.") for field in named)
    }
    assert found == names if each else found, (names, response.request["PATH_INFO"], named)


# --- ids and numbers -----------------------------------------------------------------------------


def test_every_id_in_a_path_beyond_64_bits_is_refused_naming_it(client):
    rows, tried = _rows(), 0
    for method, path, operation in operations():
        body = _json_body(operation)
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "path" or _plain(parameter["schema"]).get("type") != "integer":
                continue
            url = _url(path, operation, **{parameter["name"]: BIG})
            response = _send(client, method, url, sample(body) if body else None, _query(operation))
            _refused(response, {parameter["name"]})
            tried += 1
    assert tried > 50
    assert _rows() == rows


def test_every_id_and_number_in_a_query_beyond_64_bits_is_refused_naming_it(client):
    rows, tried = _rows(), 0
    for method, path, operation in operations():
        body = _json_body(operation)
        for name, schema in _query_parameters(operation):
            if schema.get("type") != "integer":
                continue
            query = _query(operation, **{name: BIG})
            response = _send(
                client, method, _url(path, operation), sample(body) if body else None, query
            )
            _refused(response, {name})
            tried += 1
    assert tried > 20
    assert _rows() == rows


def _integers(schema: dict[str, Any], *, ids: bool) -> set[str]:
    """The payload's integer fields (and lists of integers): its ids, or its other numbers."""
    found = set()
    for name, field in _fields_of(schema).items():
        items = _plain(field.get("items", {}), schema["$defs"])
        numbers = "integer" in (
            field.get("type"),
            items.get("type") if field.get("type") == "array" else None,
        )
        is_id = name == "id" or name.endswith(("_id", "_ids"))
        bounded = "maximum" in field or "maximum" in items  # a year, a month: refused already
        if numbers and is_id == ids and (ids or not bounded):
            found.add(name)
    return found


@pytest.mark.parametrize("ids", [True, False], ids=["ids", "other numbers"])
def test_every_id_and_number_in_a_payload_beyond_64_bits_is_refused_naming_it(client, ids):
    rows, tried = _rows(), 0
    for method, url, schema in _body_operations():
        names = _integers(schema, ids=ids)
        if not names:
            continue
        body = sample(schema)
        for name in names:
            body[name] = [BIG] if isinstance(body[name], list) else BIG
        _refused(_send(client, method, url, body), names)
        tried += 1
    assert tried > 10
    assert _rows() == rows


# --- text -------------------------------------------------------------------------------------


def _texts(schema: dict[str, Any]) -> set[str]:
    return {
        name
        for name, field in _fields_of(schema).items()
        if field.get("type") == "string" and "enum" not in field and "format" not in field
    }


@pytest.mark.parametrize(
    "text",
    ["甲\x00乙", "甲\x07乙", "\u200b\ufeff", "甲\ud800"],
    ids=["nul", "bell", "invisible", "surrogate"],
)
def test_every_text_of_a_payload_or_a_query_is_refused_naming_it(client, text):
    rows, tried = _rows(), 0
    for method, path, operation in operations():
        body = _json_body(operation)
        if body is not None and _texts(body):
            names = _texts(body)
            payload = {**sample(body), **dict.fromkeys(names, text)}
            response = _send(client, method, _url(path, operation), payload, _query(operation))
            # A lone surrogate is refused while the payload is parsed, at its first field.
            _refused(response, names, each=text != "甲\ud800")
            tried += 1
        for name, schema in _query_parameters(operation):
            if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
                if text == "甲\ud800":
                    continue  # a query string is bytes: a lone surrogate cannot be sent in one
                query = _query(operation, **{name: text})
                response = _send(
                    client, method, _url(path, operation), sample(body) if body else None, query
                )
                _refused(response, {name})
                tried += 1
    assert tried > 30
    assert _rows() == rows


def test_a_description_keeps_its_line_breaks_and_a_name_refuses_them(client):
    text = "一期：厂房\n二期：研发中心\t（待定）"
    created = client.post(
        f"{PREFIX}/projects/",
        {"name": "新能源汽车零部件项目", "description": text},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert Project.objects.get(pk=created.json()["id"]).description == text

    refused = client.post(
        f"{PREFIX}/projects/", {"name": "新能源\n汽车零部件项目"}, content_type="application/json"
    )
    _refused(refused, {"name"}, status=400)


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_every_date_far_out_of_range_is_refused_naming_it(client, day):
    rows, tried = _rows(), 0
    for method, path, operation in operations():
        body = _json_body(operation)
        dates = {
            name: field["format"]
            for name, field in (_fields_of(body) if body else {}).items()
            if field.get("format") in ("date", "date-time")
        }
        if dates:
            payload = sample(body)
            for name, kind in dates.items():
                payload[name] = f"{day}T10:00:00+08:00" if kind == "date-time" else day
            _refused(
                _send(client, method, _url(path, operation), payload, _query(operation)), set(dates)
            )
            tried += 1
        for name, schema in _query_parameters(operation):
            if schema.get("format") == "date":
                query = _query(operation, **{name: day})
                response = _send(
                    client, method, _url(path, operation), sample(body) if body else None, query
                )
                _refused(response, {name})
                tried += 1
    assert tried > 30
    assert _rows() == rows


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_every_moment_whose_offset_leaves_the_calendar_is_refused_naming_it(client, moment):
    """Read in the zone's time zone, these would fall before year 1 or after year 9999
    (OverflowError: a 500 before)."""
    rows, tried = _rows(), set()
    for method, path, operation in operations():
        body = _json_body(operation)
        moments = {
            name
            for name, field in (_fields_of(body) if body else {}).items()
            if field.get("format") == "date-time"
        }
        if moments:
            payload = {**sample(body), **dict.fromkeys(moments, moment)}
            response = _send(client, method, _url(path, operation), payload, _query(operation))
            _refused(response, moments)
            assert "日期" in response.json()["errors"][0]["message"]
            tried.add(path)
    assert {"/api/v1/meetings/", "/api/v1/projects/progress-reports/{report_id}/submit"} <= tried
    assert _rows() == rows


@pytest.mark.parametrize("year", [0, 99999])
def test_a_year_out_of_range_in_a_query_is_refused_naming_it(client, year):
    tried = 0
    for method, path, operation in operations():
        if any(name == "year" for name, _schema in _query_parameters(operation)):
            response = _send(
                client, method, _url(path, operation), None, _query(operation, year=year)
            )
            _refused(response, {"year"})
            tried += 1
    assert tried >= 5


# --- bodies --------------------------------------------------------------------------------------


def test_an_empty_body_where_json_is_expected_says_so(client):
    rows, tried = _rows(), 0
    for method, url, _body in _body_operations():
        response = getattr(client, method)(url, "", content_type="application/json")
        assert response.status_code == 400, (url, response.content[:200])
        assert "请求体为空" in response.json()["message"]
        tried += 1
    assert tried > 30
    assert _rows() == rows


def test_a_body_over_the_upload_limit_is_413_in_json(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    rows, tried = _rows(), 0
    for method, url, schema in _body_operations():
        body = {**sample(schema), "padding": "填" * 2_000}
        response = getattr(client, method)(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 413, (url, response.content[:200])
        assert "过大" in response.json()["message"]
        tried += 1
    assert tried > 30
    assert _rows() == rows
