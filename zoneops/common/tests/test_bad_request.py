"""A request the server cannot read (too many form fields, a malformed body) is told the same
sentence on the pages and at the API, with 400, and nothing is changed."""

from django.test import Client

from zoneops.common.views import bad_request_message
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.parks.models import Park


def test_too_many_fields_get_the_same_sentence_on_the_page_and_at_the_api(org, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client = Client()
    client.force_login(make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]]))
    fields = {"name": "新材料产业园", **{f"extra{n}": "x" for n in range(10)}}

    page = client.post("/admin/parks/park/add/", fields)
    api = client.post("/api/v1/enterprises/import/enterprises", fields)

    assert (page.status_code, api.status_code) == (400, 400)
    assert bad_request_message() in page.content.decode()
    assert api.json()["message"] == bad_request_message()
    assert "未作任何修改" in bad_request_message()
    assert not Park.objects.exists()
