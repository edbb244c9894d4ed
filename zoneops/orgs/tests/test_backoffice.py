"""The staff back office: Chinese first with an English switch, grouped sidebar, lockout."""

import os
import re
import subprocess
import sys

import pytest
from django.test import Client

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user

PASSWORD = "Zone-ops-2026!"


@pytest.fixture
def administrator(org):
    return make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]], password=PASSWORD)


def test_back_office_speaks_chinese_by_default_with_grouped_sidebar(administrator):
    client = Client()
    client.force_login(administrator)
    body = client.get("/admin/").content.decode()
    for group in ("园区与产业链", "企业服务", "系统管理"):
        assert group in body
    assert "部门" in body and "用户" in body
    assert 'lang="zh-hans"' in body


def test_english_switch(administrator):
    client = Client()
    client.force_login(administrator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    body = client.get("/admin/").content.decode()
    assert 'lang="en"' in body
    assert "System administration" in body and "系统管理" not in body


# Words of the libraries' UI that would show if a catalogue missed them.
ENGLISH_UI = (
    "Filters",
    "Type to search",
    "Search apps",
    "Apply Filters",
    "History",
    "Log out",
    "Change password",
    "Select all",
    "Save and continue",
    "Add another",
)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/orgs/user/",
        "/admin/parks/park/",
        "/admin/projects/project/",
        "/admin/projects/project/add/",
        "/admin/common/calendarday/",
    ],
)
def test_chinese_pages_show_no_english_ui(administrator, url):
    client = Client()
    client.force_login(administrator)
    text = re.sub(
        r"<script.*?</script>|<style.*?</style>|<[^>]+>",
        " ",
        client.get(url).content.decode(),
        flags=re.S,
    )
    assert [word for word in ENGLISH_UI if word in text] == []


def test_sidebar_shows_only_what_the_role_may_view(org):
    enterprise_staff = make_user(RoleCode.STAFF, departments=[org["investment"]])
    client = Client()
    client.force_login(enterprise_staff)
    body = client.get("/admin/").content.decode()
    assert "/admin/parks/park/" in body
    assert "/admin/orgs/role/" in body  # staff may view roles (system: view)
    assert "/admin/api/apitoken/add/" not in body


def test_login_is_locked_after_repeated_failures(administrator, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _attempt in range(3):
        client.post("/admin/login/", {"username": administrator.username, "password": "wrong"})
    response = client.post(
        "/admin/login/", {"username": administrator.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_correct_login_works_before_the_limit(administrator):
    client = Client()
    client.post("/admin/login/", {"username": administrator.username, "password": "wrong"})
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": administrator.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def production_env(tmp_path) -> dict:
    outside_pytest = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    return {
        **outside_pytest,
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-production-secret-key-with-enough-entropy-9f8e7d6c5b4a",
        "ALLOWED_HOSTS": "zone.example.cn",
        "ZONEOPS_DATA_DIR": str(tmp_path),
        "ZONEOPS_TESTING": "",
    }


def run_zoneops(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from zoneops.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = production_env(tmp_path)
    result = run_zoneops(env, "check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output and "?: (" not in output, output
    assert "no issues" in output


def test_production_hashes_passwords_with_argon2(tmp_path):
    code = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    result = run_zoneops(production_env(tmp_path), "shell", "--no-imports", "-c", code)
    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher", (
        result.stderr
    )


def test_back_office_login_points_enterprise_users_to_their_own_pages(db):
    body = Client().get("/admin/login/").content.decode()
    assert 'href="/enterprise/login/"' in body
    assert "企业用户请从企业服务平台登录" in body
