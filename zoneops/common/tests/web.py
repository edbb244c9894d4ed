"""Requests to a running `zoneops serve` (processes.zoneops_serve) over real HTTP on loopback,
as its users send them:

- `api_call(port, token, method, path, body)`: a system with a token on the REST API.
- `Browser(port)`: a person at a browser: cookies kept, signed in once through the login form
  (`sign_in`), forms read from the page as it is served (`page_forms`) and posted back with
  every field the browser would send, the CSRF token included (`submit`), redirects followed.

A password hashed by the test process (MD5 in tests) is not one the server accepts: tests that
sign in set `settings.PASSWORD_HASHERS = SERVER_PASSWORD_HASHERS` before making their users.
"""

import http.client
import json
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

# A hasher the server's settings accept (config/settings.py outside tests).
SERVER_PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
TIMEOUT = 60  # seconds: a loaded 2-core machine with twenty writers queueing on two threads


def api_call(port: int, token: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """`METHOD /api/v1<path>` with the token; the status and the JSON answer (the text when the
    answer is not JSON: an error page)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request(
            method,
            f"/api/v1{path}",
            body=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
    finally:
        connection.close()
    try:
        return response.status, json.loads(text or "null")
    except ValueError:
        return response.status, text


def run_all(*calls: Callable[[], Any], timeout: float = 300) -> list[str]:
    """Run each call in its own thread, all at once, to the end; what they raised (as text:
    an exception in a writer's thread is a failure of the test, not a line on stderr)."""
    failures: list[str] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            call()
        except BaseException:  # reported to the test
            failures.append(traceback.format_exc())

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    failures += [
        f"{thread.name} still running after {timeout}s" for thread in threads if thread.is_alive()
    ]
    return failures


@dataclass
class Answer:
    """What the browser shows after a request: the last page's status, address and text, and
    the redirects it followed to get there (their Location headers)."""

    status: int
    path: str
    text: str
    redirects: list[str] = field(default_factory=list)


@dataclass
class PageForm:
    """A form as the page serves it: where it posts and the fields a browser would send, in
    order (checked boxes only, the selected options, no buttons, nothing disabled)."""

    action: str
    method: str
    fields: list[tuple[str, str]]
    options: dict[str, list[str]] = field(default_factory=dict)  # each <select>'s values
    file_fields: list[str] = field(default_factory=list)  # <input type="file">, sent as `files`
    ids: set[str] = field(default_factory=set)  # of the elements inside (a button's id)

    def value(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def has(self, marker: str) -> bool:
        """Whether the form has a field (or file field) of that name, or an element with that
        id ("#import-confirm")."""
        if marker.startswith("#"):
            return marker[1:] in self.ids
        return marker in self.file_fields or any(key == marker for key, _value in self.fields)


class Browser:
    """One person's browser on the server at `port`: its own cookies (session, CSRF token)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str = "",
        follow: bool = True,
    ) -> Answer:
        """Send one request; redirects are followed with GET, as a browser does after a POST."""
        redirects: list[str] = []
        while True:
            status, location, text = self._send(method, path, body, content_type)
            if not (follow and status in (301, 302, 303) and location):
                return Answer(status=status, path=path, text=text, redirects=redirects)
            redirects.append(location)
            path = (
                urlsplit(urljoin(f"{self.origin}{path}", location))
                ._replace(scheme="", netloc="")
                .geturl()
            )
            method, body, content_type = "GET", None, ""

    def _send(
        self, method: str, path: str, body: bytes | None, content_type: str
    ) -> tuple[int, str, str]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET":
            headers.update(Origin=self.origin, Referer=f"{self.origin}{path}")
        if content_type:
            headers["Content-Type"] = content_type
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location", ""), text

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(
        self,
        path: str,
        fields: list[tuple[str, str]],
        *,
        files: dict[str, tuple[str, bytes]] | None = None,
        follow: bool = True,
    ) -> Answer:
        """Post the fields (urlencoded; multipart with `files`: name → (filename, content))."""
        if files:
            body, content_type = _multipart(fields, files)
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        return self.request("POST", path, body=body, content_type=content_type, follow=follow)

    def sign_in(self, username: str, password: str, *, login: str = "/admin/login/") -> None:
        """Sign in through the login form, as the person types it."""
        form = self.open_form(login, having="password")
        assert form is not None, f"{login} has no login form"
        fields = _changed(form.fields, {"username": username, "password": password})
        answer = self.post(
            urljoin(login, form.action) if form.action else login, fields, follow=False
        )
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise AssertionError(f"{username} could not sign in ({answer.status}):\n{answer.text}")

    def open_form(self, path: str, *, having: str = "csrfmiddlewaretoken") -> PageForm | None:
        """Open the page and read its first form that `has(having)`; None when the page offers
        no such form (the step is not open)."""
        page = self.get(path)
        if page.status != 200:
            raise AssertionError(f"GET {path} answered {page.status}:\n{page.text[:2000]}")
        return next((form for form in page_forms(page.text) if form.has(having)), None)

    def send_form(
        self,
        path: str,
        form: PageForm,
        changes: dict[str, str] | None = None,
        *,
        files: dict[str, tuple[str, bytes]] | None = None,
    ) -> Answer:
        """Send a form read from the page at `path`, its fields set or added by `changes`."""
        target = urljoin(path, form.action) if form.action else path
        return self.post(target, _changed(form.fields, changes or {}), files=files)

    def submit(
        self,
        path: str,
        changes: dict[str, str] | None = None,
        *,
        having: str = "csrfmiddlewaretoken",
        files: dict[str, tuple[str, bytes]] | None = None,
    ) -> tuple[PageForm, Answer]:
        """Open the page, fill its form that `has(having)` and send it: the form as it was
        served, and the answer."""
        form = self.open_form(path, having=having)
        if form is None:
            raise AssertionError(f"{path} has no form with {having!r}")
        return form, self.send_form(path, form, changes, files=files)


def page_forms(html: str) -> list[PageForm]:
    """The forms of a page, each with the fields a browser would send."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def _changed(fields: list[tuple[str, str]], changes: dict[str, str]) -> list[tuple[str, str]]:
    result = [(key, str(changes[key]) if key in changes else value) for key, value in fields]
    present = {key for key, _value in fields}
    result += [(key, str(value)) for key, value in changes.items() if key not in present]
    return result


def _multipart(
    fields: list[tuple[str, str]], files: dict[str, tuple[str, bytes]]
) -> tuple[bytes, str]:
    boundary = f"----zoneops{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields:
        if name in files:
            continue
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class _FormParser(HTMLParser):
    """What a browser sends of each form: <input> (text and hidden as they are, checkboxes and
    radios when checked; no buttons, no files), <select> (the selected options, else the first
    of a single choice), <textarea> (its text). Fields in a <template> or disabled are not sent."""

    SKIPPED = {"submit", "button", "reset", "image", "file"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._template = 0
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        attrs = {name: value or "" for name, value in attributes}
        flags = {name for name, _value in attributes}
        if tag == "template":
            self._template += 1
        elif tag == "form":
            self._form = PageForm(attrs.get("action", ""), attrs.get("method", "get").lower(), [])
            self.forms.append(self._form)
        if self._form is None or self._template:
            return
        if attrs.get("id"):
            self._form.ids.add(attrs["id"])
        if "disabled" in flags:
            return
        name = attrs.get("name", "")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind == "file":
                self._form.file_fields.append(name)
            if kind in self.SKIPPED:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in flags:
                    self._form.fields.append((name, attrs.get("value", "on")))
                return
            self._form.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in flags, "options": []}
        elif tag == "option" and self._select is not None:
            value = dict(attributes).get("value")  # None: the option's text is its value
            self._option = {"value": value, "selected": "selected" in flags, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._template = max(0, self._template - 1)
        elif tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            self._end_select(self._select)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                text = self._textarea["text"]
                # The newline right after <textarea> belongs to the markup, not to the text.
                text = text[1:] if text.startswith("\n") else text
                self._form.fields.append((self._textarea["name"], text))
            self._textarea = None

    def _end_select(self, select: dict[str, Any]) -> None:
        if self._form is None:
            return
        options = select["options"]
        self._form.options[select["name"]] = [_option_value(option) for option in options]
        chosen = [option for option in options if option["selected"]]
        if not chosen and options and not select["multiple"]:
            chosen = options[:1]
        for option in chosen:
            self._form.fields.append((select["name"], _option_value(option)))


def _option_value(option: dict[str, Any]) -> str:
    return option["value"] if option["value"] is not None else option["text"].strip()
