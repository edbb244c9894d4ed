"""The enterprise pages' menu entries that other apps add.

An app declares on its AppConfig

    selfservice_pages = [(title, url name in "selfservice", permission, section), ...]

and the menu shows each entry the signed-in enterprise user holds the permission for; a page
marks itself current by setting `section` in its context, as the enterprise pages do.
"""

from functools import cache
from typing import Any

from django import template
from django.apps import apps
from django.urls import reverse

register = template.Library()


@cache
def _declared() -> tuple[tuple[Any, str, str, str], ...]:
    return tuple(
        tuple(page)
        for config in apps.get_app_configs()
        for page in getattr(config, "selfservice_pages", ())
    )


@register.simple_tag(takes_context=True)
def selfservice_pages(context: template.Context) -> list[dict[str, Any]]:
    user = context["request"].user
    return [
        {"title": title, "link": reverse(f"selfservice:{url_name}"), "section": section}
        for title, url_name, permission, section in _declared()
        if user.has_perm(permission)
    ]
