"""History (变更记录) of every business record, and refusal of stale edits."""

import pytest
from django.test import Client

from zoneops.common.exceptions import StaleEditError
from zoneops.common.services import record_delete, record_save, records_bulk_create
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Park


@pytest.fixture
def admin_user(org):
    return make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])


@pytest.fixture
def park(admin_user):
    return record_save(
        instance=Park(name="新材料产业园", kind=CarrierKind.PARK, target_industries="新材料"),
        by=admin_user,
    )


def test_create_change_and_delete_are_kept_with_who_and_each_field(park, admin_user):
    park.target_industries = "新材料、航空航天"
    park.area_mu = 300
    record_save(instance=park, by=admin_user, expected_version=1)

    latest, first = park.history.all()[:2]
    assert first.history_type == "+"
    assert latest.history_type == "~"
    assert latest.history_user == admin_user
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(first).changes}
    assert changes["target_industries"] == ("新材料", "新材料、航空航天")
    assert changes["area_mu"][0] is None

    pk = park.pk
    record_delete(instance=park, by=admin_user)
    assert Park.history.filter(id=pk, history_type="-").get().history_user == admin_user


def test_bulk_import_writes_history_for_every_row(admin_user):
    parks = [Park(name=f"导入园区{i}", kind=CarrierKind.PARK) for i in range(5)]
    records_bulk_create(model=Park, instances=parks, by=admin_user)
    assert Park.history.filter(history_type="+", history_user=admin_user).count() == 5
    assert set(Park.objects.values_list("version", flat=True)) == {1}


def test_stale_edit_is_refused_and_changes_nothing(park, admin_user):
    first_reader = Park.objects.get(pk=park.pk)
    second_reader = Park.objects.get(pk=park.pk)
    first_reader.description = "第一位同事的修改"
    record_save(instance=first_reader, by=admin_user, expected_version=1)

    second_reader.description = "第二位同事的修改"
    with pytest.raises(StaleEditError) as refused:
        record_save(instance=second_reader, by=admin_user, expected_version=1)
    assert "已被他人修改" in refused.value.message
    park.refresh_from_db()
    assert park.description == "第一位同事的修改"
    assert park.version == 2


def test_admin_form_from_an_old_version_is_refused_with_a_message(park, admin_user):
    client = Client()
    client.force_login(admin_user)
    url = f"/admin/parks/park/{park.pk}/change/"
    assert client.get(url).status_code == 200
    park.description = "别人刚刚保存"
    record_save(instance=park, by=admin_user, expected_version=1)

    response = client.post(
        url,
        {
            "name": park.name,
            "kind": park.kind,
            "description": "我的修改",
            "edit_version": 1,
            "order": 0,
        },
    )
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    park.refresh_from_db()
    assert park.description == "别人刚刚保存"


def test_admin_form_with_current_version_saves_and_history_page_shows_old_and_new(park, admin_user):
    client = Client()
    client.force_login(admin_user)
    url = f"/admin/parks/park/{park.pk}/change/"
    response = client.post(
        url,
        {
            "name": park.name,
            "kind": park.kind,
            "description": "首期395亩",
            "edit_version": 1,
            "order": 0,
        },
    )
    assert response.status_code == 302
    park.refresh_from_db()
    assert park.description == "首期395亩"
    assert park.version == 2

    history = client.get(f"/admin/parks/park/{park.pk}/history/")
    body = history.content.decode()
    assert history.status_code == 200
    assert "首期395亩" in body
    assert admin_user.username in body or str(admin_user) in body


def test_api_update_with_stale_version_is_refused_with_409(park, admin_user):
    client = Client()
    client.force_login(admin_user)
    ok = client.patch(
        f"/api/v1/parks/{park.pk}",
        {"version": 1, "description": "接口修改"},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["version"] == 2

    stale = client.patch(
        f"/api/v1/parks/{park.pk}",
        {"version": 1, "description": "过期的修改"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["field"] == "version"
    park.refresh_from_db()
    assert park.description == "接口修改"
