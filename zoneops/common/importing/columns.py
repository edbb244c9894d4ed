"""A register's columns: the header, the field, the kind of value, and how a coded column names
a related record (`Lookup`, `UserLookup`, `DepartmentLookup`: by a natural key, never an id)."""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q

from zoneops.common.amounts import Bound
from zoneops.common.excel import (
    INTEGER,
    MONTH,
    NO,
    TEXT,
    YES,
)
from zoneops.common.inputs import DateKind
from zoneops.common.scope import (
    scope_filter,
    scope_for,
)

CHOICE, LOOKUP = "choice", "lookup"


class Lookup:
    """How a coded column names a related record: by a natural key (a name), never by an id.

    One query per column resolves every value of the file; a value that names several records
    is an error that names the candidates. The records offered are those the user may see, plus
    those the file's stored records already point to (keeping a value is always allowed).
    """

    def __init__(self, model: str, *, field: str = "name", **filters: Any) -> None:
        self.model_label = model
        self.field = field
        self.filters = filters

    @cached_property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    def queryset(self, *, user: Any, keep_ids: Iterable[int] = ()) -> models.QuerySet:
        """The records a cell may name: those of the lookup's filters that the user may see
        (no user: the system, which sees all), and those in `keep_ids` whatever they are."""
        wanted = Q(**self.filters)
        condition = scope_filter(self.model, scope_for(user)) if user is not None else None
        if condition is not None:
            wanted &= condition
        keep = set(keep_ids)
        if keep:
            wanted |= Q(pk__in=keep)
        queryset = self.model._default_manager.filter(wanted)
        # A filter through a many-to-many (a leader's roles) would repeat a record per match.
        return queryset.distinct() if any("__" in name for name in self.filters) else queryset

    def resolve(
        self, texts: set[str], *, user: Any, keep_ids: Iterable[int] = ()
    ) -> dict[str, list[tuple[int, str]]]:
        """Each text → the records it names, as (pk, label)."""
        found: dict[str, list[tuple[int, str]]] = defaultdict(list)
        rows = self.queryset(user=user, keep_ids=keep_ids).filter(**{f"{self.field}__in": texts})
        for pk, value in rows.values_list("pk", self.field):
            found[value].append((pk, value))
        return found

    def options(self, *, user: Any, include_ids: Iterable[int] = ()) -> dict[int, str]:
        """pk → the label the template shows and the import reads back."""
        return self._labels(self.queryset(user=user, keep_ids=include_ids))

    def labels(self, ids: Iterable[int]) -> dict[int, str]:
        """The labels of these records, whoever may see them (for showing a change)."""
        rows = self.model._base_manager.filter(pk__in=list(ids))
        return self._labels(rows)

    def _labels(self, queryset: models.QuerySet) -> dict[int, str]:
        return {pk: str(value) for pk, value in queryset.values_list("pk", self.field)}


class UserLookup(Lookup):
    """A person by display name (张三), by user name, or as 张三（zhangsan） when names repeat."""

    _QUALIFIED = re.compile(r"^(.*?)\s*[（(]\s*([^（()）]+?)\s*[)）]$")

    def __init__(self, **filters: Any) -> None:
        super().__init__(settings.AUTH_USER_MODEL, field="username", **filters)

    def resolve(
        self, texts: set[str], *, user: Any, keep_ids: Iterable[int] = ()
    ) -> dict[str, list[tuple[int, str]]]:
        qualified = {
            text: match.group(2) for text in texts if (match := self._QUALIFIED.match(text))
        }
        usernames = set(texts) | set(qualified.values())
        rows = list(
            self.queryset(user=user, keep_ids=keep_ids)
            .filter(Q(username__in=usernames) | Q(display_name__in=texts))
            .values_list("pk", "username", "display_name")
        )
        by_username = {username: (pk, _person(name, username)) for pk, username, name in rows}
        by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for pk, username, name in rows:
            by_name[name].append((pk, _person(name, username)))
        found: dict[str, list[tuple[int, str]]] = {}
        for text in texts:
            username = qualified.get(text, text)
            if username in by_username:
                found[text] = [by_username[username]]
            elif text in by_name:
                found[text] = by_name[text]
        return found

    def _labels(self, queryset: models.QuerySet) -> dict[int, str]:
        rows = list(queryset.values_list("pk", "username", "display_name"))
        names = [name for _pk, _username, name in rows]
        return {
            pk: name if name and names.count(name) == 1 else _person(name, username)
            for pk, username, name in rows
        }


def _person(name: str, username: str) -> str:
    return f"{name}（{username}）" if name else username


class DepartmentLookup(Lookup):
    """A department by name, or as 上级部门/部门 when two departments share a name."""

    def __init__(self, **filters: Any) -> None:
        super().__init__("orgs.Department", field="name", **filters)

    def resolve(
        self, texts: set[str], *, user: Any, keep_ids: Iterable[int] = ()
    ) -> dict[str, list[tuple[int, str]]]:
        paths = {text: re.split(r"\s*[/／]\s*", text) for text in texts}
        names = {parts[-1] for parts in paths.values()}
        rows = list(
            self.queryset(user=user, keep_ids=keep_ids)
            .filter(name__in=names)
            .values_list("pk", "name", "parent__name")
        )
        found: dict[str, list[tuple[int, str]]] = {}
        for text, parts in paths.items():
            matches = [
                (pk, f"{parent}/{name}" if parent else name)
                for pk, name, parent in rows
                if name == parts[-1] and (len(parts) == 1 or parent == parts[-2])
            ]
            if matches:
                found[text] = matches
        return found

    def _labels(self, queryset: models.QuerySet) -> dict[int, str]:
        rows = list(queryset.values_list("pk", "name", "parent__name"))
        names = [name for _pk, name, _parent in rows]
        return {
            pk: name if names.count(name) == 1 or not parent else f"{parent}/{name}"
            for pk, name, parent in rows
        }


@dataclass(frozen=True)
class Column:
    """A column of a register: its header and how a cell becomes a field's value.

    `field` is the model field the import writes ("" for a column the register reads itself,
    such as 登记日期); `source` is what the export and the comparison with the stored record
    read (a field, a `values()` path or an annotation of `Register.annotate`). Length, decimal
    places and what a blank cell means come from the model field.
    """

    header: str
    field: str = ""
    kind: str = TEXT
    required: bool = False
    choices: type[models.Choices] | None = None
    aliases: tuple[tuple[str, str], ...] = ()  # more labels a choice accepts: (label, value)
    lookup: Lookup | None = None
    readonly: bool = False  # exported for reading; the import ignores it
    create_only: bool = False  # read when a record is created; must match a stored record
    keep_blank: bool = False  # a blank cell leaves a stored record's value as it is
    locked_hint: str = ""  # said when a create-only value differs from the stored one
    negative: bool = False  # numbers below zero allowed
    max_length: int | None = None
    places: int = 2
    bound: Bound | None = None  # the largest number (and its sentence); the field's by default
    source: str = ""
    dropdown: bool = True
    width: int = 14
    note: str = ""
    header_aliases: tuple[str, ...] = ()
    date_kind: DateKind | None = None  # a date's plausible range; else the model field's
    # Filled in by the register from the model field:
    name: str = ""  # the key of the value in a row: the field's attname, else the header
    empty: Any = None  # what a blank cell means
    multiline: bool = False  # a text that keeps line breaks (the field is a TextField)

    @property
    def number_bound(self) -> Bound:
        """The numbers a number column takes, and the sentences refusing the others: its field's
        bound (or its own), any number its column stores without one; never below zero unless
        the column allows negative numbers. An integer column takes no decimals."""
        places = 0 if self.kind == INTEGER else self.places
        bound = self.bound or Bound.storable(self.header, places=places)
        minimum = bound.minimum if self.negative else max(bound.minimum, Decimal(0))
        return replace(bound, minimum=minimum, places=min(bound.places, places))

    @property
    def cell_kind(self) -> str:
        """How the template writes the cell."""
        return TEXT if self.kind in (CHOICE, LOOKUP) else self.kind

    def label(self, value: Any) -> str:
        """A parsed value as the user typed it, for messages."""
        if value is None or value == "":
            return ""
        if self.choices is not None:
            return str(dict(self.choices.choices).get(value, value))
        if isinstance(value, bool):
            return YES if value else NO
        if self.kind == MONTH and isinstance(value, date):
            return f"{value:%Y-%m}"
        if isinstance(value, date):
            return value.isoformat()
        return str(value)
