"""Form helpers shared by the back office and the pages outside it.

Every form derives from `Form` or `ModelForm` here: what a user types is held to the rules of
zoneops.common.inputs before the form's own checks and any query — a text (one line unless its
widget is a text area) with no control character and not only invisible characters, a date in
a plausible range, a record picked by an id that a record can have — and a refusal is shown at
its field.
"""

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from zoneops.common.exceptions import ApplicationError
from zoneops.common.inputs import DateKind, date_error, parse_id, text_error


class InputRulesMixin:
    """The rules of zoneops.common.inputs on every field of a form."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    data: Any
    files: Any

    def _clean_fields(self) -> None:
        wrong_ids = self._wrong_ids()
        if wrong_ids:
            # The field must not look them up: it cleans as if left blank, and says why.
            self.data = _without(self.data, [self.add_prefix(name) for name in wrong_ids])  # type: ignore[attr-defined]
        super()._clean_fields()  # type: ignore[misc]
        for name, message in wrong_ids.items():
            self._errors.pop(name, None)  # type: ignore[attr-defined]
            self.add_error(name, message)  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            if name in wrong_ids or name not in self.cleaned_data:
                continue
            message = _input_error(field, self.cleaned_data[name])
            if message:
                self.add_error(name, message)  # type: ignore[attr-defined]

    def _wrong_ids(self) -> dict[str, str]:
        """Records picked by a value that no record's id can be: refused before the field looks
        them up (SQLite cannot even bind an integer beyond 64 bits)."""
        wrong: dict[str, str] = {}
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField) or field.disabled:
                continue
            if not _by_integer(field):
                continue
            raw = field.widget.value_from_datadict(
                self.data,
                self.files,
                self.add_prefix(name),  # type: ignore[attr-defined]
            )
            values = raw if isinstance(raw, list | tuple) else [raw]
            for value in values:
                if value in (None, "") or parse_id(value) is not None:
                    continue
                if isinstance(field, forms.ModelMultipleChoiceField):
                    message = field.error_messages["invalid_pk_value"] % {"pk": value}
                else:
                    message = field.error_messages["invalid_choice"]
                wrong[name] = str(message)
                break
        return wrong


def _without(data: Any, keys: list[str]) -> Any:
    data = data.copy()
    for key in keys:
        data.pop(key, None)
    return data


def _by_integer(field: forms.ModelChoiceField) -> bool:
    """Whether the field picks records by an integer (their id, as every picker here does)."""
    meta = field.queryset.model._meta
    key = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    return isinstance(key, models.IntegerField | models.AutoField)


def _input_error(field: forms.Field, value: Any) -> str | None:
    if isinstance(value, str):
        return text_error(value, multiline=isinstance(field.widget, forms.Textarea))
    if isinstance(value, datetime):
        return date_error(value.date(), DateKind.ANY)
    if isinstance(value, date):
        return date_error(value, DateKind.ANY)
    return None


class Form(InputRulesMixin, forms.Form):
    """A form of the back office or the enterprise pages."""


class ModelForm(InputRulesMixin, forms.ModelForm):
    """A form that edits a record; the record's own checks (`BusinessModel.clean_fields`) follow."""

    # unfold's inline rows ask every form for its nested formsets (we nest none); a form without
    # the attribute makes each of those template lookups fail, and a failed lookup costs a dir()
    # of the form: about 400 of them on a project's page.
    nested_formsets: tuple = ()


def add_service_error(form: forms.BaseForm, error: ApplicationError | ValidationError) -> None:
    """Show a service's refusal at the field it names, or above the form."""
    if isinstance(error, ApplicationError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return
    for message in error.messages:
        form.add_error(None, message)
