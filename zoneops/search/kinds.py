"""The kinds of record the box searches, as the installed apps declare them (`search_kinds`)."""

from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from django.apps import apps
from django.db import models

NUMBER = "id"  # in a declaration's fields: the record's number, matched whole, not indexed


@dataclass(frozen=True)
class SearchKind:
    key: str  # "<app label>.<model name>"
    model: type[models.Model]
    fields: tuple[str, ...]  # the text fields matched as substrings, in the order declared
    by_number: bool  # a query that is a number also finds the record with that id
    related: tuple[str, ...]
    order: int
    # A register one finds by a short name (a two-character 简称): a term too short for the
    # index scans all of it, not only the newest rows (see selectors.SCAN_ROWS).
    scan_whole: bool = False

    @property
    def label(self) -> Any:
        return self.model._meta.verbose_name

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(
            str(cast(models.Field, self.model._meta.get_field(name)).column) for name in self.fields
        )

    @property
    def pk_column(self) -> str:
        return str(cast(models.Field, self.model._meta.pk).column)

    @property
    def view_permission(self) -> str:
        meta = self.model._meta
        return f"{meta.app_label}.view_{meta.model_name}"

    def field_label(self, name: str) -> Any:
        return self.model._meta.get_field(name).verbose_name  # type: ignore[union-attr]


@cache
def search_kinds() -> tuple[SearchKind, ...]:
    """Every kind the installed apps declare, in their order."""
    kinds = []
    for config in apps.get_app_configs():
        for model_name, spec in getattr(config, "search_kinds", {}).items():
            model = config.get_model(model_name)
            declared = tuple(spec["fields"])
            kinds.append(
                SearchKind(
                    key=f"{config.label}.{model_name}",
                    model=model,
                    fields=tuple(name for name in declared if name != NUMBER),
                    by_number=NUMBER in declared,
                    related=tuple(spec.get("related", ())),
                    order=spec.get("order", 100),
                    scan_whole=spec.get("scan_whole", False),
                )
            )
    return tuple(sorted(kinds, key=lambda kind: (kind.order, kind.key)))
