import stat
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection, connections
from django.test import Client, RequestFactory

from zoneops.common.services import record_save
from zoneops.demo import data
from zoneops.demo.loader import load_demo_zone
from zoneops.demo.management.commands.demo import PASSWORD_ENV, PASSWORD_FILE, _sqlite_file_in
from zoneops.enterprises.models import Enterprise
from zoneops.industry.models import IndustryCategory
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import Department, Membership, User
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Park

PASSWORD = "demo-Pass-2020"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _seeded_data_back_after_the_reset(django_db_blocker):
    """`test_reset_starts_over` ends with Django flushing the test database (a transactional
    test), which takes away what migrations seeded (roles, the work calendar, request limits).
    Django restores it only at the start of the next serialized test; when the tests are spread
    over workers (pytest-xdist) the next module on this worker needs it back right away."""
    yield
    with django_db_blocker.unblock():
        for each in connections.all():
            contents = getattr(each, "_test_serialized_contents", None)
            if contents:
                each.creation.deserialize_db_from_string(contents)
                # `--reset` flushed with its sequences restarted (PostgreSQL): the rows put
                # back keep their ids, so the sequences continue after them, as loaddata does.
                models = apps.get_models(include_auto_created=True)
                with each.cursor() as cursor:
                    for statement in each.ops.sequence_reset_sql(no_style(), models):
                        cursor.execute(statement)


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    settings.STATIC_ROOT = tmp_path / "static"
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    for name in ("ZONEOPS_HOST", "ZONEOPS_PORT", "ZONEOPS_THREADS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _without_projects(monkeypatch):
    """The ~190 demo projects and what hangs on them (scheduling, problems, meetings) are loaded
    and checked in their own test modules; here they would only make every load slow."""
    for loader in (
        "load_projects",
        "load_enterprise_register",
        "load_scheduling",
        "load_problems",
        "load_meetings",
        "load_enterprise_service",
    ):
        monkeypatch.setattr(f"zoneops.demo.loader.{loader}", lambda **kwargs: {})
    # The later years (`demo.living`) stand on the projects: checked in test_demo_living.
    monkeypatch.setattr("zoneops.demo.living.load_living", lambda **kwargs: None)
    monkeypatch.setattr("zoneops.demo.living.new_projects", lambda **kwargs: ())


@pytest.fixture
def served(monkeypatch):
    """Stand-in for waitress: records what would have been served instead of blocking."""
    calls = []
    monkeypatch.setattr("waitress.serve", lambda app, **kwargs: calls.append((app, kwargs)))
    return calls


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Department, Park, Enterprise, User, Membership, IndustryCategory)
    }


def _can_log_in(username, password):
    # django-axes wants the request that the login comes with.
    return Client().login(request=RequestFactory().get("/"), username=username, password=password)


def _demo(*args):
    out = StringIO()
    call_command("demo", "--no-serve", "--no-input", *args, stdout=out)
    return out.getvalue()


def test_loading_twice_creates_nothing_twice_and_keeps_user_edits():
    load_demo_zone(password=PASSWORD)
    counts = _counts()
    investment = Department.objects.get(code="zsj")
    investment.name = "投资促进局"
    record_save(instance=investment, by=None)

    second = load_demo_zone(password=PASSWORD)

    assert second.created_total == 0
    assert _counts() == counts
    assert Department.objects.get(code="zsj").name == "投资促进局"


def test_every_role_has_a_demo_user_who_can_log_in():
    result = load_demo_zone(password=PASSWORD)

    for code in RoleCode:
        usernames = User.objects.filter(roles__code=code).values_list("username", flat=True)
        assert usernames, code
        for username in usernames:
            assert _can_log_in(username, PASSWORD), username
    assert {a.username for a in result.accounts} == {a.username for a in data.ACCOUNTS}


def test_a_changed_password_takes_effect_on_existing_demo_accounts():
    load_demo_zone(password=PASSWORD)

    load_demo_zone(password="another-Pass-1")

    assert _can_log_in("zsj_staff", "another-Pass-1")
    assert not _can_log_in("zsj_staff", PASSWORD)


def test_enterprise_user_is_bound_to_the_hyundai_plant_and_is_not_staff():
    load_demo_zone(password=PASSWORD)

    user = User.objects.select_related("enterprise").get(username="enterprise")

    assert user.enterprise.name == "北京现代沧州工厂"
    assert user.enterprise.country == "中国（中韩合资）"
    assert not user.enterprise.is_sample
    assert not user.is_staff


def test_leader_is_in_charge_of_investment_and_project_office():
    load_demo_zone(password=PASSWORD)

    leader = User.objects.get(username="leader")

    assert {d.short_name for d in leader.in_charge_of.all()} == {"招商局", "项目办"}
    assert not User.objects.get(username="admin").is_superuser


def test_project_liaison_leaders_each_are_in_charge_of_a_project_service_office():
    load_demo_zone(password=PASSWORD)

    leaders = User.objects.filter(
        roles__code__in=[RoleCode.PRINCIPAL, RoleCode.LEADER]
    ).prefetch_related("in_charge_of")

    assert {u.title for u in leaders} == {"管委会主任", "管委会副主任"}
    offices = [
        {d.code for d in u.in_charge_of.all() if d.code.startswith("xmfw-")} for u in leaders
    ]
    assert sorted(code for codes in offices for code in codes) == ["xmfw-1", "xmfw-2", "xmfw-3"]


def test_industries_are_loaded_once_and_keep_a_users_edit():
    load_demo_zone(password=PASSWORD)
    auto = IndustryCategory.objects.get(code="auto")
    auto.name = "汽车产业"
    record_save(instance=auto, by=None)

    second = load_demo_zone(password=PASSWORD)

    assert second.created_total == 0
    assert IndustryCategory.objects.count() == len(data.INDUSTRIES)
    assert IndustryCategory.objects.get(code="auto").name == "汽车产业"


def test_organisation_runs_from_city_through_zone_to_sections():
    load_demo_zone(password=PASSWORD)

    section = Department.objects.select_related("parent__parent__parent").get(code="zsj-1")

    assert section.name.startswith("招商一科")
    assert section.parent.name == "招商局"
    assert section.parent.parent.name == "沧州经济开发区管委会"
    assert section.parent.parent.parent.name == "沧州市"
    assert Department.objects.get(name="政务服务中心").parent.name == "行政审批局"
    assert Department.objects.filter(name__startswith="项目服务").count() == 3


def test_six_parks_and_six_centres_exist_with_their_kinds():
    load_demo_zone(password=PASSWORD)

    parks = dict(Park.objects.values_list("name", "kind"))

    for name in (
        "中商高科·沧州产业园",
        "汽车（新能源、智能网联）产业园",
        "中日韩产业园",
        "航空航天产业园",
        "管道升级产业园",
        "新材料产业园",
    ):
        assert parks[name] == CarrierKind.PARK
    for name in (
        "自动驾驶实验中心",
        "工业设计中心",
        "汽车配件检测中心",
        "金属新材料实验中心",
        "大学科技研究中心",
        "国家级创业中心",
    ):
        assert parks[name] == CarrierKind.CENTRE
    assert list(parks.values()).count(CarrierKind.INSTITUTE) == 3
    assert list(parks.values()).count(CarrierKind.TEST_AREA) == 1
    zshk = Park.objects.get(name="中商高科·沧州产业园")
    assert zshk.area_mu == Decimal("395")
    assert zshk.floor_area_m2 == Decimal("260000")
    assert "生物技术与医疗" in zshk.target_industries


def test_demo_command_prints_data_folder_addresses_and_accounts(settings, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)

    out = _demo("--port", "8123")

    assert str(settings.DATA_DIR) in out
    assert "http://127.0.0.1:8123/admin/" in out
    assert "http://127.0.0.1:8123/api/v1/docs" in out
    for account in data.ACCOUNTS:
        assert account.username in out
    assert PASSWORD in out
    assert "北京现代沧州工厂" in out
    assert not (settings.DATA_DIR / PASSWORD_FILE).exists()
    assert _can_log_in("admin", PASSWORD)


def test_demo_command_run_twice_keeps_the_data(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    _demo()
    park = Park.objects.get(name="管道升级产业园")
    park.description = "用户写的简介"
    record_save(instance=park, by=None)
    counts = _counts()

    out = _demo()

    assert _counts() == counts
    assert Park.objects.get(name="管道升级产业园").description == "用户写的简介"
    assert "nothing created" in out


def test_generated_password_is_kept_private_and_reused(settings):
    _demo()
    password_file = settings.DATA_DIR / PASSWORD_FILE
    password = password_file.read_text().strip()

    out = _demo()

    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert password in out
    assert password_file.read_text().strip() == password
    assert _can_log_in("stats", password)


# flush (the reset on a server database) cannot run inside a test's transaction on PostgreSQL.
# What migrations seed (roles, the work calendar, the request limits) comes back after every
# flush, the test's own included (post_migrate), so no serialized rollback is needed: one
# would load its copy onto the rows a previous test's flush had already seeded again.
@pytest.mark.django_db(transaction=True)
def test_reset_starts_over(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    _demo()
    Department.objects.filter(code="zsj").update(name="投资促进局")

    out = _demo("--reset")

    assert "data deleted" in out
    assert Department.objects.get(code="zsj").name == "招商局"
    assert _can_log_in("leader", PASSWORD)


def test_reset_of_a_server_database_is_refused_without_no_input(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "postgresql")

    with pytest.raises(CommandError, match="--no-input"):
        call_command("demo", "--reset", "--no-serve", stdout=StringIO())


def test_reset_deletes_only_a_sqlite_file_inside_the_data_folder(tmp_path):
    sqlite = "django.db.backends.sqlite3"
    inside = {"ENGINE": sqlite, "NAME": str(tmp_path / "zoneops.sqlite3")}
    outside = {"ENGINE": sqlite, "NAME": "/elsewhere/zoneops.sqlite3"}
    server = {"ENGINE": "django.db.backends.postgresql", "NAME": "zoneops"}

    assert _sqlite_file_in(inside, tmp_path) == tmp_path / "zoneops.sqlite3"
    assert _sqlite_file_in(outside, tmp_path) is None
    assert _sqlite_file_in(server, tmp_path) is None


def test_demo_command_serves_the_project_on_waitress(served, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)

    call_command("demo", "--no-input", "--port", "8765", stdout=StringIO())

    ((app, options),) = served
    assert {name: options[name] for name in ("host", "port", "threads")} == {
        "host": "127.0.0.1",
        "port": 8765,
        "threads": 8,
    }
    # The project's application behind the request id's gate and the proxy headers' handling
    # (zoneops serve's wsgi_application), which waitress does not repeat.
    assert app.__name__ == "gate" and options["clear_untrusted_proxy_headers"] is False


def test_serve_command_collects_static_files_and_serves(served, settings):
    call_command("serve", "--port", "9000", "--threads", "4", stdout=StringIO())

    options = served[0][1]
    assert (options["host"], options["port"], options["threads"]) == ("127.0.0.1", 9000, 4)
    assert (settings.STATIC_ROOT / "admin").is_dir()
