"""The product's icon: in the tab of every site (back office, hall, enterprise service) and at
/favicon.ico, which browsers ask for on their own."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ICON = "zoneops/favicon.svg"


def test_favicon_ico_leads_to_the_icon_which_is_served():
    client = Client()
    answer = client.get("/favicon.ico", secure=True)
    assert answer.status_code == 301
    assert answer["Location"].endswith(ICON)
    icon = client.get(answer["Location"], secure=True)
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)


@pytest.mark.parametrize(
    "url", [reverse("portal:home"), reverse("selfservice:login"), reverse("admin:login")]
)
def test_every_site_links_the_icon(url):
    page = Client().get(url, secure=True)
    assert page.status_code == 200
    assert 'rel="icon"' in page.content.decode() and ICON in page.content.decode()
