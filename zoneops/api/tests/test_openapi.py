"""The published OpenAPI schema says what the handlers read and answer.

django-ninja names a component after the class's short name and keeps the last one it meets:
two schemas or enums of the same name in two routers publish one of them for both. These tests
walk every operation's models the way ninja does and hold the published schema to them.
"""

from collections import defaultdict
from datetime import datetime, time
from enum import Enum
from types import NoneType
from typing import Annotated, Any, get_args, get_origin

import pytest
from django.apps import apps
from django.db import models
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel, TypeAdapter

from zoneops.api.api import api
from zoneops.api.schemas import ErrorOut, in_zone


def _operations() -> list[Any]:
    # The same walk ninja's OpenAPISchema.get_paths makes.
    return [
        operation
        for router in api._get_bound_routers()
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        if operation.include_in_schema
    ]


def _published_types() -> dict[str, set[type]]:
    """Every model and enum an operation publishes, by the component name it gets."""
    found: dict[str, set[type]] = defaultdict(set)
    seen: set[type] = set()

    def walk(annotation: Any, *, wrapper: bool = False) -> None:
        for argument in get_args(annotation):
            walk(argument)
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            found[annotation.__name__].add(annotation)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in seen:
                return
            seen.add(annotation)
            if not wrapper:  # ninja's own parameter and response wrappers are not components
                found[annotation.__name__].add(annotation)
            for field in annotation.model_fields.values():
                walk(field.annotation)

    for operation in _operations():
        for model in [*operation.models, *operation.response_models.values()]:
            walk(model, wrapper=True)
    walk(ErrorOut)  # every error answer (zoneops.api.api.operation_errors)
    return found


@pytest.fixture(scope="module")
def published() -> dict[str, Any]:
    return api.get_openapi_schema()


@pytest.fixture(scope="module")
def components(published) -> dict[str, Any]:
    return published["components"]["schemas"]


def _own_schema(cls: type, mode: str) -> dict[str, Any]:
    """The class's schema alone, as ninja writes it: bodies by alias, answers by name."""
    schema = TypeAdapter(cls).json_schema(
        by_alias=mode == "validation",
        ref_template=REF_TEMPLATE,
        schema_generator=NinjaGenerateJsonSchema,
        mode=mode,
    )
    schema.pop("$defs", None)
    return schema


def test_no_two_models_or_enums_publish_under_one_name(components):
    found = _published_types()
    assert set(found) == set(components), "the walk must meet every published component"
    collisions = {
        name: sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in classes)
        for name, classes in found.items()
        if len(classes) > 1
    }
    assert collisions == {}


def test_every_component_is_its_own_class_schema(components):
    for name, classes in _published_types().items():
        for cls in classes:
            own = [_own_schema(cls, "validation"), _own_schema(cls, "serialization")]
            assert components[name] in own, f"{name}: {cls.__module__}.{cls.__qualname__}"


def test_every_published_enum_lists_its_own_values(components):
    for name, classes in _published_types().items():
        for cls in classes:
            if issubclass(cls, Enum):
                assert components[name]["enum"] == [member.value for member in cls], name


def _model_choices() -> dict[str, list[list[Any]]]:
    """The choices of every zoneops model field that has some, by field name."""
    choices: dict[str, list[list[Any]]] = defaultdict(list)
    for model in apps.get_models():
        if not model.__module__.startswith("zoneops."):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and field.choices:
                choices[field.name].append([value for value, _label in field.flatchoices])
    return choices


def test_every_enum_field_offers_the_choices_of_the_model_field_it_names():
    stored = _model_choices()
    checked = 0
    for classes in _published_types().values():
        for cls in classes:
            if not issubclass(cls, BaseModel):
                continue
            for name, field in cls.model_fields.items():
                for enum in _leaves(field.annotation, Enum):
                    values = [member.value for member in enum]
                    target = name.removeprefix("to_")  # StageMoveIn.to_stage is a stage
                    assert values in stored[target] or values in stored[name], (
                        f"{cls.__qualname__}.{name}: {enum.__qualname__}"
                    )
                    checked += 1
    assert checked > 20


def _leaves(annotation: Any, kind: type) -> list[type]:
    found = [leaf for argument in get_args(annotation) for leaf in _leaves(argument, kind)]
    if isinstance(annotation, type) and issubclass(annotation, kind):
        found.append(annotation)
    return found


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return components[ref.rsplit("/", 1)[1]] if ref else schema


def test_every_request_body_is_the_schema_its_handler_reads(published, components):
    checked = 0
    for operation in _operations():
        bodies = [m for m in operation.models if m.__ninja_param_source__ == "body"]
        for wrapper in bodies:
            (param, field), *others = wrapper.model_fields.items()
            assert not others, operation.view_func.__qualname__
            path = _path_of(published, operation)
            method = next(iter(operation.methods)).lower()
            body = published["paths"][path][method]["requestBody"]
            schema = _resolve(body["content"]["application/json"]["schema"], components)
            assert schema == _own_schema(field.annotation, "validation"), (
                f"{method} {path} ({param})"
            )
            checked += 1
    assert checked > 40


def _path_of(published: dict[str, Any], operation: Any) -> str:
    operation_id = api.get_openapi_operation_id(operation)
    for path, methods in published["paths"].items():
        if any(details["operationId"] == operation_id for details in methods.values()):
            return path
    raise AssertionError(operation_id)


def _is_zone_datetime(annotation: Any) -> bool:
    return get_origin(annotation) is Annotated and any(
        getattr(meta, "func", None) is in_zone for meta in annotation.__metadata__
    )


def test_every_moment_in_the_api_is_a_date_time_in_the_zone(components):
    """A datetime or a time of day published plainly is answered in UTC or without an offset,
    and a naive one sent reaches the database as it is; the API's moments are `ZoneDateTime`."""
    wrong = []
    for classes in _published_types().values():
        for cls in classes:
            if not issubclass(cls, BaseModel):
                continue
            for name, field in cls.model_fields.items():
                annotation = field.annotation
                if field.metadata and annotation is datetime:
                    annotation = Annotated[datetime, *field.metadata]
                for leaf in _plain_leaves(annotation):
                    if leaf in (datetime, time, object):
                        wrong.append(f"{cls.__qualname__}.{name}: {leaf.__name__}")
    assert wrong == []
    for name, schema in components.items():
        for prop, details in schema.get("properties", {}).items():
            assert "format': 'time'" not in repr(details), f"{name}.{prop}"


def _plain_leaves(annotation: Any) -> list[Any]:
    if _is_zone_datetime(annotation):
        return []
    arguments = get_args(annotation)
    if not arguments:
        return [] if annotation is NoneType else [annotation]
    return [leaf for argument in arguments for leaf in _plain_leaves(argument)]
