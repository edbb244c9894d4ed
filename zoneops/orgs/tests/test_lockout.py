"""The lockout after failed logins: per user name at an address, and per address over all user
names at a higher limit, never per user name alone."""

import pytest
from django.test import Client

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user

PASSWORD = "Zone-ops-2026!"
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.ZONEOPS_LOGIN_ADDRESS_FAILURE_LIMIT = 5


@pytest.fixture
def colleague(org):
    return make_user(RoleCode.STAFF, departments=[org["zone"]], password=PASSWORD)


def _at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def _fail(client: Client, username: str) -> int:
    return client.post(LOGIN, {"username": username, "password": "wrong"}).status_code


def _sign_in(client: Client, user) -> int:
    return client.post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code


def test_one_address_trying_many_user_names_is_locked_out(colleague):
    attacker = _at("10.0.0.9")
    for name in ("zhang", "wang", "li", "zhao"):
        assert _fail(attacker, name) == 200  # one failure each: no user name reaches 3
    assert _sign_in(_at("10.0.0.9"), colleague) == 302

    assert _fail(attacker, "sun") == 429  # the address's fifth failure
    assert _sign_in(_at("10.0.0.9"), colleague) == 429
    assert _sign_in(_at("10.0.0.7"), colleague) == 302  # another address is not affected


def test_failures_on_a_colleagues_name_elsewhere_do_not_lock_him_out(colleague):
    for _attempt in range(3):
        _fail(_at("10.0.0.9"), colleague.username)

    assert _sign_in(_at("10.0.0.9"), colleague) == 429
    assert _sign_in(_at("10.0.0.7"), colleague) == 302


def test_signing_into_ones_own_account_does_not_clear_the_addresss_other_failures(org):
    attacker = make_user(RoleCode.STAFF, departments=[org["zone"]], password=PASSWORD)
    address = "10.0.0.9"
    for name in ("zhang", "wang", "li", "zhao"):
        _fail(_at(address), name)
    assert _sign_in(_at(address), attacker) == 302

    assert _fail(_at(address), "sun") == 429


def test_the_lockout_page_says_when_it_lifts_and_that_the_address_may_be_why(colleague, settings):
    """A colleague locked out because his address failed too often is not told his account is
    the problem, and he learns how long to wait."""
    settings.AXES_COOLOFF_TIME = 0.5  # hours
    for _attempt in range(3):
        _fail(_at("10.0.0.9"), colleague.username)
    response = _at("10.0.0.9").post(LOGIN, {"username": colleague.username, "password": PASSWORD})
    body = response.content.decode()
    assert response.status_code == 429
    assert "该账号（或本网络地址）的登录已暂时锁定，30 分钟后自动解除" in body
