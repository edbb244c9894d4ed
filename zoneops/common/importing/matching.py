"""Matching a file's rows to the stored records: many keys in one query (`key_set`), what the
user may read and change (`scope_flags`), each row's key, coded values resolved to ids (one
query per column), and what each row would change (`match_rows`)."""

import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from zoneops.common.importing.columns import Column
from zoneops.common.importing.registers import (
    CheckedChunk,
    Existing,
    Plan,
    Register,
    Row,
    compact_key,
    shown_value,
)
from zoneops.common.scope import (
    scope_widening_field,
    widening_message,
)


def _widening_change(
    register: Register, record: Existing, row: Row, user: Any
) -> tuple[Column, str] | None:
    """A change naming the importer (or his departments) as the record's owner, where he does
    not keep the record by its own fields: the same rule as an edit (common.scope)."""
    if user is None:
        return None
    columns = {column.name: column for column in register.columns}
    new_values = {
        name.removesuffix("_id"): value
        for name, value in row.changes.items()
        if name.endswith("_id") and columns.get(name) is not None
    }
    field = (
        scope_widening_field(user, register.model, record.pk, new_values) if new_values else None
    )
    if field is None:
        return None
    return columns[f"{field}_id"], widening_message(register.model, field)


def match_rows(
    register: Register, checked: CheckedChunk, plan: Plan, *, user: Any, lock: bool
) -> None:
    """Match a chunk's rows to the stored records, resolve coded values, tell what would
    change; then the register's own `check` of those rows."""
    started = time.perf_counter()
    values, numbers = dict(checked.values), checked.numbers  # the checked cells stay as read
    keys = _keys(register, values, numbers, plan)
    existing = (
        register.load_existing(list({key for key in keys if key}), user=user, lock=lock)
        if any(keys)
        else {}
    )
    plan.stored_versions((record.pk, record.version) for record in existing.values())
    for column in plan.columns:
        if column.lookup is not None:
            values[column.name] = _resolve(
                column, values[column.name], numbers, existing, plan, user
            )
    names, columns = [], []
    for column in plan.columns:
        cells = values[column.name]
        if column.empty is not None:  # a blank cell means the field's empty value
            cells = [column.empty if value is None else value for value in cells]
        names.append(column.name)
        columns.append(cells)
    rows_values = (
        [dict(zip(names, cells, strict=True)) for cells in zip(*columns, strict=True)]
        if columns
        else [{} for _number in numbers]
    )
    may_create, may_update = register.permissions(user)
    compared = [
        column
        for column in plan.columns
        if column.field and not column.create_only and column not in register.key_columns
    ]
    locked = [column for column in plan.columns if column.create_only]
    first = register.key_columns[0]
    for index, row_values in enumerate(rows_values):
        key = keys[index]
        row = Row(number=numbers[index], values=row_values, key=key)
        record = existing.get(key) if key is not None else None
        if record is None:
            if key is None and not register.blank_key_creates:
                continue  # the key's cells say what is wrong
            if not register.allow_create:
                plan.error(
                    row.number,
                    first.header,
                    _key_text(key),
                    register.unknown_key_message(key or ()),
                )
            elif not may_create:
                plan.error(
                    row.number,
                    first.header,
                    _key_text(key),
                    _("您没有新增%(register)s的权限。") % {"register": register.title},
                )
            plan.rows.append(row)
            continue
        row.existing = record
        plan.rows.append(row)
        if not record.visible:
            plan.error(
                row.number, first.header, _key_text(key), register.hidden_key_message(key or ())
            )
            continue
        stored = record.values
        row.changes = {
            column.name: row_values[column.name]
            for column in compared
            if row_values[column.name] != stored.get(column.name)
            and not (_empty(row_values[column.name]) and _empty(stored.get(column.name)))
            and not (column.keep_blank and row_values[column.name] is None)
        }
        for column in locked:
            value = row_values[column.name]
            if value is not None and value != stored.get(column.name):
                shown = register.shown(column, stored.get(column.name), plan)
                plan.error(
                    row.number,
                    column.header,
                    register.shown(column, value, plan),
                    _("“%(column)s”只在新登记时填写，不能通过导入修改（现为“%(stored)s”）。")
                    % {"column": column.header, "stored": shown}
                    + str(column.locked_hint),
                )
        if not row.changes:
            continue
        version = checked.versions[index] if checked.versions is not None else None
        widening = _widening_change(register, record, row, user)
        if not record.writable:
            plan.error(
                row.number, first.header, _key_text(key), register.read_only_key_message(key or ())
            )
        elif widening is not None:
            column, message = widening
            plan.error(
                row.number,
                column.header,
                register.shown(column, row.changes[column.name], plan),
                message,
            )
        elif not may_update:
            plan.error(
                row.number,
                first.header,
                _key_text(key),
                _("您没有修改%(register)s的权限。") % {"register": register.title},
            )
        elif version is not None and version != record.version:
            plan.error(
                row.number,
                register.version_column.header,
                version,
                _("该记录在导出后已被他人修改（现为第 %(current)s 版），请重新导出后再修改。")
                % {"current": record.version},
            )
    register.check(plan, user=user)
    plan.timings["match"] = plan.timings.get("match", 0.0) + time.perf_counter() - started


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _key_text(key: tuple[Any, ...] | None) -> str:
    return " ".join(shown_value(part) for part in key or ())


def _keys(
    register: Register, values: dict[str, list[Any]], numbers: list[int], plan: Plan
) -> list[tuple[Any, ...] | None]:
    """Each row's key (None when a part is blank or wrong); a key met twice is an error."""
    parts = [values.get(column.name) for column in register.key_columns]
    if any(part is None for part in parts):
        return [None] * len(numbers)  # a key column is missing: reported with the columns
    keys: list[tuple[Any, ...] | None] = [
        None if None in key else key
        for key in zip(*parts, strict=True)  # type: ignore[arg-type]
    ]
    if plan.file_keys is not None:
        # The cells a preview kept, which it keeps only from a file without errors: no key
        # is met twice, and the file's keys are held once (not again in `seen_keys`).
        return keys
    seen = plan.seen_keys  # the whole file's, chunk after chunk
    for index, key in enumerate(keys):
        if key is None:
            continue
        kept = compact_key(key)
        first = seen.setdefault(kept, numbers[index])
        if first != numbers[index]:
            plan.error(
                numbers[index],
                register.key_columns[0].header,
                _key_text(key),
                _("%(column)s“%(key)s”与第 %(row)s 行重复。")
                % {"column": register.key[0], "key": _key_text(key), "row": first},
            )
            keys[index] = None
    return keys


def _resolve(
    column: Column,
    texts: list[Any],
    numbers: list[int],
    existing: Mapping[tuple[Any, ...], Existing],
    plan: Plan,
    user: Any,
) -> list[Any]:
    """A coded column's texts → the records' ids: one query for the whole column."""
    assert column.lookup is not None
    wanted = {text for text in texts if text is not None}
    if not wanted:
        return texts
    keep = {record.values.get(column.name) for record in existing.values()}
    keep_ids = {pk for pk in keep if isinstance(pk, int)}
    found = column.lookup.resolve(wanted, user=user, keep_ids=keep_ids)
    resolved: list[Any] = []
    for index, text in enumerate(texts):
        matches = found.get(text, []) if text is not None else []
        if text is None or len(matches) == 1:
            resolved.append(matches[0][0] if matches else None)
            continue
        if not matches:
            message = _("找不到%(column)s“%(value)s”，请从下拉列表中选择。") % {
                "column": column.header,
                "value": text,
            }
        else:
            message = _("“%(value)s”对应多条记录：%(candidates)s，请改填其中之一。") % {
                "value": text,
                "candidates": "、".join(label for _pk, label in matches),
            }
        plan.error(numbers[index], column.header, text, message)
        resolved.append(None)
    return resolved


def remember_labels(plan: Plan) -> None:
    """The labels of the coded values the preview shows as changed (one query per column)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in plan.shown_changes:
        assert row.existing is not None
        for name, value in row.changes.items():
            wanted[name].update(
                pk for pk in (value, row.existing.values.get(name)) if isinstance(pk, int)
            )
    for column in plan.columns:
        if column.lookup is not None and wanted.get(column.name):
            for pk, label in column.lookup.labels(wanted[column.name]).items():
                plan.labels[(column.name, pk)] = label
