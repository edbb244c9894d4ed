"""Post an admin change form the way a browser would: every field as the page rendered it."""

from typing import Any

from django.test import Client


def change_form_data(client: Client, url: str) -> dict[str, Any]:
    """The values of the change page at `url` (main form, inline formsets with their
    management forms), ready to be edited and posted back."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            if field.disabled:
                continue
            value = form[name].value()
            if value is None:
                continue
            data[form.add_prefix(name)] = value
    return data
