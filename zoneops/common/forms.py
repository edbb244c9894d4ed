"""Form helpers shared by the back office and the pages outside it."""

from django import forms

from zoneops.common.exceptions import ApplicationError


def add_service_error(form: forms.BaseForm, error: ApplicationError) -> None:
    """Show a service's refusal at the field it names, or above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
