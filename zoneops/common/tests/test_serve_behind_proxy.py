"""`zoneops serve` behind a TLS reverse proxy, through real HTTP requests to the real server.

The proxy on the same machine (127.0.0.1, the default trusted proxy) forwards the scheme and the
client's address; another peer (127.0.0.2) reaching the server directly cannot claim either.
"""

import http.client
import json
import socket
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

from zoneops.common.tests.processes import run_zoneops, zoneops_env, zoneops_serve

PASSWORD = "Proxy-Test-2026!"
PROXY, STRANGER = "127.0.0.1", "127.0.0.2"

SETUP = f"""
from django.core.management import call_command
from zoneops.orgs.models import User
call_command("migrate", interactive=False, verbosity=0)
for name in ("alice", "bob"):
    User.objects.create_superuser(name, password={PASSWORD!r})
"""


def _can_bind(address: str) -> bool:
    try:
        with socket.socket() as probe:
            probe.bind((address, 0))
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two servers on one database behind a proxy: HTTPS required (the production default),
    and plain HTTP (ZONEOPS_HTTPS=false) where a login over HTTP is possible at all."""
    if not _can_bind(STRANGER):
        pytest.skip("127.0.0.2 is not a loopback address on this machine")
    data_dir = tmp_path_factory.mktemp("serve")
    env = zoneops_env(data_dir, ZONEOPS_BEHIND_PROXY="true", ZONEOPS_LOGIN_FAILURE_LIMIT="3")
    run_zoneops(env, "shell", "--no-imports", "-c", SETUP)
    with zoneops_serve(
        {**env, "STATIC_ROOT": str(data_dir / "static-https")},
        {**env, "STATIC_ROOT": str(data_dir / "static-http"), "ZONEOPS_HTTPS": "false"},
    ) as (https_port, http_port):
        yield {"https": https_port, "http": http_port}


def fetch(port, method, path, *, peer=PROXY, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(peer, 0))
    try:
        connection.request(
            method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})}
        )
        response = connection.getresponse()
        response.body = response.read()
        return response
    finally:
        connection.close()


def forwarded(*, proto=None, client=None):
    headers = {}
    if proto:
        headers["X-Forwarded-Proto"] = proto
    if client:
        headers["X-Forwarded-For"] = client
    return headers


def login(port, username, password, *, peer=PROXY, proto="https", client=None):
    """The back office's login form as a browser sends it; the answer's status."""
    headers = forwarded(proto=proto, client=client)
    page = fetch(port, "GET", "/admin/login/", peer=peer, headers=headers)
    assert page.status == 200, page.status
    cookie = SimpleCookie()
    for value in page.headers.get_all("Set-Cookie") or []:
        cookie.load(value)
    token = cookie["csrftoken"].value
    scheme = proto or "http"
    answer = fetch(
        port,
        "POST",
        "/admin/login/",
        peer=peer,
        headers={
            **headers,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={token}",
            "Origin": f"{scheme}://127.0.0.1:{port}",
        },
        body=urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": token,
                "next": "/admin/",
            }
        ),
    )
    return answer.status


def test_a_request_the_proxy_forwarded_over_https_is_served_not_redirected(servers):
    port = servers["https"]

    page = fetch(port, "GET", "/admin/login/", headers=forwarded(proto="https"))
    index = fetch(port, "GET", "/admin/", headers=forwarded(proto="https"))

    assert page.status == 200
    assert index.status == 302
    assert index.headers["Location"] == "/admin/login/?next=/admin/"
    assert "Secure" in page.headers["Set-Cookie"]


def test_a_plain_http_request_is_redirected_to_https(servers):
    port = servers["https"]

    answer = fetch(port, "GET", "/admin/login/")

    assert answer.status == 301
    assert answer.headers["Location"] == f"https://127.0.0.1:{port}/admin/login/"


def test_a_peer_other_than_the_proxy_cannot_claim_https(servers):
    port = servers["https"]

    answer = fetch(port, "GET", "/admin/login/", peer=STRANGER, headers=forwarded(proto="https"))

    assert answer.status == 301
    assert answer.headers["Location"] == f"https://127.0.0.1:{port}/admin/login/"


def test_the_client_behind_the_proxy_is_locked_out_not_everyone(servers):
    port, attacker, colleague = servers["https"], "203.0.113.5", "198.51.100.7"
    for _attempt in range(3):
        assert login(port, "alice", "wrong", client=attacker) in (200, 429)

    assert login(port, "alice", PASSWORD, client=attacker) == 429
    assert login(port, "alice", PASSWORD, client=colleague) == 302


def test_a_peer_other_than_the_proxy_cannot_pass_for_other_clients(servers):
    port = servers["http"]
    for n in range(1, 4):
        claimed = f"192.0.2.{n}"
        assert login(port, "bob", "wrong", proto=None, client=claimed, peer=STRANGER) in (200, 429)

    # Its claims are dropped: every attempt was its own, and it is locked out as itself.
    assert login(port, "bob", PASSWORD, proto=None, client="192.0.2.9", peer=STRANGER) == 429
    assert login(port, "bob", PASSWORD, proto=None, client="192.0.2.1") == 302


def test_the_request_id_is_the_proxys_and_no_other_peers(servers):
    port, offered = servers["http"], "proxy-request-0123456789abcdef"

    through_proxy = fetch(port, "GET", "/healthz", headers={"X-Request-ID": offered})
    direct = fetch(port, "GET", "/healthz", peer=STRANGER, headers={"X-Request-ID": offered})

    assert through_proxy.headers["X-Request-ID"] == offered
    assert direct.headers["X-Request-ID"] not in ("", offered)


def test_a_probe_over_plain_http_is_answered_not_redirected(servers):
    answer = fetch(servers["https"], "GET", "/readyz", headers={"Host": "10.0.0.5:8000"})

    # Answered, not redirected to HTTPS; not ready, as no `zoneops worker` runs beside it.
    assert answer.status == 503
    assert json.loads(answer.body)["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "cache": "ok",
        "worker": "no worker has run (zoneops worker)",
    }
