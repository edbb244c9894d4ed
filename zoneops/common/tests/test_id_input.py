"""An id no record can have — 2**63 and above, which SQLite cannot even bind (OverflowError) —
never answers 500 outside the API either: every list of the back office with every relation as
a filter, every add form with every relation picked, a list's action, a record's step page, the
enterprise's own pages. The lists and forms are walked from the admin site, so a new one is
covered too. (The API has its own walk: zoneops/api/tests/test_bad_input.py.)"""

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import helpers
from django.db import models
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse

from zoneops.common.admin_base import InputRulesAdminMixin
from zoneops.common.forms import Form, InputRulesMixin
from zoneops.common.inputs import MAX_ID, IdConverter, parse_id
from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import Department, User
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.tests.factories import make_project

BIG = str(MAX_ID + 1)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.com", "pass-Word-123")


@pytest.fixture
def client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


def _admins():
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        try:
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        yield model, model_admin, url


def _rows() -> int:
    return sum(
        model._base_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("zoneops.")
    )


def _relations(model):
    return [field for field in model._meta.get_fields() if field.is_relation and field.concrete]


def test_the_rule():
    assert parse_id("42") == 42
    assert parse_id(str(MAX_ID)) == MAX_ID
    for text in (BIG, "0", "-1", "abc", "1.5", "", "١٢"):
        assert parse_id(text) is None
    with pytest.raises(ValueError):
        IdConverter().to_python(BIG)


def test_every_list_filtered_by_an_impossible_id_answers_finding_nothing(client, superuser):
    """The lookups find no row for a number no column holds (zoneops.common.lookups): the
    list answers, filtered, with nothing in it — never a 500. (A relation's list filter with
    no record to offer is left out by Django, and its parameter with it.) A lookup through a
    relation the list does not offer as a filter is refused by Django (400, since 5.2.20)."""
    make_project("氟化锂晶体项目")
    make_enterprise("沧州甲零部件有限公司")
    tried = refused = 0
    for model, model_admin, url in _admins():
        params = ["id", "pk__in", "id__gte"]
        for field in _relations(model):
            params += [field.name, f"{field.name}__exact", f"{field.name}__id__exact"]
            params += [f"{field.name}__id__in", field.attname]
        request = RequestFactory().get(url)
        request.user = superuser
        for param in params:
            response = client.get(url, {param: BIG})
            allowed = model_admin.lookup_allowed(param, str(BIG), request)
            expected = 200 if allowed else 400
            assert response.status_code == expected, (url, param, response.status_code)
            refused += not allowed
            if param in ("id", "pk__in", "id__gte"):
                assert list(response.context["cl"].result_list) == [], (url, param)
            tried += 1
        assert client.get(url, {"p": BIG}).status_code in (200, 302), url  # a page, not a filter
    assert tried > 200 and refused < tried


def test_a_text_field_is_filtered_by_its_text_however_many_digits_it_holds(client, org):
    """A phone number of 20 digits is text, not an id beyond 64 bits (the list refused it as
    “筛选条件无效” before)."""
    digits = "1" * 20
    user = make_user(RoleCode.STAFF, departments=[org["zone"]])
    User.objects.filter(pk=user.pk).update(phone=digits)
    response = client.get(reverse("admin:orgs_user_changelist"), {"phone": digits})
    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [user.pk]

    tried = 0
    for model, _model_admin, url in _admins():
        for field in model._meta.concrete_fields:
            if field.name == "password":
                continue  # Django refuses to filter by it (400)
            if isinstance(field, models.CharField | models.TextField) and not field.choices:
                for text in (digits, "0001-01-01"):  # nor is a text that looks like a day a date
                    response = client.get(url, {field.name: text})
                    assert response.status_code == 200, (url, field.name, response.status_code)
                tried += 1
    assert tried > 50


def test_every_add_form_refuses_an_impossible_related_record_at_its_field(client):
    rows, tried = _rows(), 0
    for model, model_admin, url in _admins():
        if not model_admin.has_add_permission(client.request().wsgi_request):
            continue
        add = url + "add/"
        assert client.get(add, {field.name: BIG for field in _relations(model)}).status_code == 200
        data = {field.name: BIG for field in _relations(model) if not field.auto_created}
        response = client.post(add, data)
        assert response.status_code == 200, (add, response.status_code)
        form = response.context["adminform"].form
        for name in data:
            if name in form.fields and not form.fields[name].disabled:
                assert name in form.errors, (add, name, form.errors)
                tried += 1
    assert tried > 20
    assert _rows() == rows


def test_a_list_action_on_an_impossible_record_does_nothing(client):
    project = make_project("氟化锂晶体项目")
    url = reverse("admin:projects_project_changelist")
    response = client.post(
        url, {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [project.pk, BIG]}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert "所选记录无效" in client.get(url).content.decode()


@pytest.mark.parametrize("object_id", [BIG, "abc"])
def test_a_step_page_for_an_impossible_record_is_not_found(client, object_id):
    make_project("氟化锂晶体项目")
    for path in (
        f"/admin/projects/problem/{object_id}/reroute/",
        f"/admin/enterprises/enterpriserequest/{object_id}/accept/",
        f"/admin/enterprises/liaisonassignment/{object_id}/end/",
        f"/admin/meetings/meeting/{object_id}/hold/",
        f"/admin/projects/project/{object_id}/move/",
    ):
        assert client.get(path).status_code in (302, 404), path


def test_a_past_version_page_of_an_impossible_version_is_not_found(client, superuser):
    project = make_project("氟化锂晶体项目")
    for record, name in ((project, "projects/project"), (superuser, "orgs/user")):
        for version in (BIG, "abc"):
            response = client.get(f"/admin/{name}/{record.pk}/history/{version}/")
            assert response.status_code == 404, (name, version)


def test_the_enterprise_pages_do_not_find_an_impossible_request(db):
    enterprise = make_enterprise("沧州甲零部件有限公司")
    user = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    client = Client()
    client.force_login(user)
    for path in (f"/enterprise/requests/{BIG}/", f"/enterprise/requests/{BIG}/rate/"):
        assert client.get(path).status_code == 404
    response = client.post("/enterprise/requests/new/", {"title": "道路未通", "project": BIG})
    assert response.status_code == 200
    assert "project" in response.context["form"].errors


def test_a_form_picking_many_records_refuses_an_impossible_one_before_any_query(org):
    from django import forms

    class PickForm(Form):
        departments = forms.ModelMultipleChoiceField(queryset=Department.objects.all())

    form = PickForm({"departments": [org["zone"].pk, BIG]})
    assert not form.is_valid()
    assert BIG in form.errors["departments"][0]


def test_every_form_of_the_back_office_and_the_pages_follows_the_input_rules(superuser):
    """A form class written without the common base would skip every rule here."""
    from django import forms
    from django.test import RequestFactory

    for module in ("zoneops.enterprises.forms", "zoneops.projects.forms"):
        import_module(module)  # the pages' forms, whatever the admin has imported

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [
        form
        for form in subclasses(forms.BaseForm)
        if form.__module__.startswith("zoneops.") and ".tests" not in form.__module__
    ]
    assert len(ours) > 40
    assert [form for form in ours if not issubclass(form, InputRulesMixin)] == []

    request = RequestFactory().get("/")
    request.user = superuser
    for _model, model_admin, _url in _admins():
        assert isinstance(model_admin, InputRulesAdminMixin), model_admin
        assert issubclass(model_admin.get_form(request), InputRulesMixin), model_admin
        for inline in model_admin.get_inline_instances(request):
            assert issubclass(inline.get_formset(request).form, InputRulesMixin), inline
