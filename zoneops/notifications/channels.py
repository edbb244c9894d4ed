"""How a digest leaves the platform: e-mail (Django's mail backend), SMS-ready text (a
pluggable sender) and the group robots of 企业微信, 钉钉 and 飞书 (HTTP webhooks).

Each send returns nothing or raises `SendError` with the reason; the caller (services) keeps
the attempt, the error and when to try again.

The robots' payloads and signatures, as their documentation gives them (checked against
copies of it found through the project's search, e.g. the DingTalk open-platform page
"自定义机器人安全设置" quoted at apifox.com/apidoc/docs-site/467052/doc-3550006 and Feishu's
"自定义机器人使用指南" quoted at createh5.com/post/277.html):
- 钉钉: string_to_sign = f"{timestamp_ms}\\n{secret}", HMAC-SHA256 keyed by the secret,
  base64, url-encoded; `timestamp` and `sign` as query parameters; body {"msgtype": ...}.
  Answer {"errcode": 0, ...} on success.
- 飞书: string_to_sign = f"{timestamp_s}\\n{secret}" is the HMAC-SHA256 KEY over an empty
  message, base64; `timestamp` and `sign` in the JSON body beside {"msg_type": ...}.
  Answer {"code": 0, ...} (older {"StatusCode": 0}) on success.
- 企业微信: the key is in the URL, no signature; body {"msgtype": "markdown", ...}.
  Answer {"errcode": 0, ...} on success.
"""

import base64
import hashlib
import hmac
import json
import logging
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from zoneops.notifications.enums import RobotKind

logger = logging.getLogger(__name__)

# Seconds a robot's endpoint has to answer.
HTTP_TIMEOUT = 10
# 企业微信 refuses a markdown message over 4096 bytes.
WECOM_MAX_BYTES = 4096
# What of an endpoint's answer is kept with a failure.
ANSWER_KEPT = 500


class SendError(Exception):
    """A send that did not go through, with the reason kept on the delivery."""


# --- e-mail ----------------------------------------------------------------------------------


def send_email(*, address: str, subject: str, text: str) -> None:
    try:
        send_mail(subject, text, None, [address], fail_silently=False)
    except Exception as error:  # any backend's failure (SMTP, socket) is the delivery's
        raise SendError(f"{type(error).__name__}: {error}") from error


# --- SMS ---------------------------------------------------------------------------------------


class ConsoleSmsSender:
    """The default SMS sender: writes the message where the operator sees it (stdout)."""

    def __call__(self, *, phone: str, text: str) -> None:
        sys.stdout.write(f"[SMS → {phone}] {text}\n")
        sys.stdout.flush()


@cache
def _sms_sender(path: str) -> Callable[..., None]:
    sender = import_string(path)
    return sender() if isinstance(sender, type) else sender


def send_sms(*, phone: str, text: str) -> None:
    """Hand SMS-ready text to the configured sender (ZONEOPS_SMS_SENDER: a dotted path to a
    callable, or a class whose instances are, taking `phone` and `text`)."""
    try:
        _sms_sender(settings.ZONEOPS_SMS_SENDER)(phone=phone, text=text)
    except SendError:
        raise
    except Exception as error:  # the gateway's own failure, whatever it raises
        raise SendError(f"{type(error).__name__}: {error}") from error


# --- group robots ------------------------------------------------------------------------------


def dingtalk_sign(*, secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: base64 of HMAC-SHA256(secret, f"{timestamp}\\n{secret}"), not yet url-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(*, secret: str, timestamp_s: int) -> str:
    """飞书 签名校验: base64 of HMAC-SHA256 keyed by f"{timestamp}\\n{secret}" over nothing."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def _with_query(url: str, **params: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.urlencode([*urllib.parse.parse_qsl(parts.query), *params.items()])
    return urllib.parse.urlunsplit(parts._replace(query=query))


def robot_request(
    *, kind: str, url: str, secret: str, title: str, text: str, now_ms: int
) -> tuple[str, dict[str, Any]]:
    """The URL and JSON body of a robot's message (markdown where the robot reads it)."""
    if kind == RobotKind.DINGTALK:
        body: dict[str, Any] = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        if secret:
            sign = dingtalk_sign(secret=secret, timestamp_ms=now_ms)
            url = _with_query(url, timestamp=str(now_ms), sign=sign)
        return url, body
    if kind == RobotKind.FEISHU:
        body = {"msg_type": "text", "content": {"text": f"{title}\n{text}"}}
        if secret:
            timestamp = now_ms // 1000
            body = {
                "timestamp": str(timestamp),
                "sign": feishu_sign(secret=secret, timestamp_s=timestamp),
                **body,
            }
        return url, body
    content = _cut(f"**{title}**\n{text}", WECOM_MAX_BYTES)
    return url, {"msgtype": "markdown", "markdown": {"content": content}}


def _cut(text: str, max_bytes: int) -> str:
    """The text within `max_bytes` of UTF-8, cut at a character and marked as cut."""
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode(errors="ignore") + "…"


def _answer_ok(kind: str, answer: Any) -> bool:
    if not isinstance(answer, dict):
        return False
    if kind == RobotKind.FEISHU:
        return answer.get("code", answer.get("StatusCode")) == 0
    return answer.get("errcode") == 0


def send_robot(*, kind: str, url: str, secret: str, title: str, text: str, now_ms: int) -> None:
    target, body = robot_request(
        kind=kind, url=url, secret=secret, title=title, text=text, now_ms=now_ms
    )
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 -- the scheme is checked on the channel
        target, data=data, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    if urllib.parse.urlsplit(target).scheme not in ("http", "https"):
        raise SendError(f"unsupported URL scheme: {target[:50]}")
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # nosec B310 # noqa: S310  http(s) only, checked above
            raw = response.read(64 * 1024)
    except urllib.error.HTTPError as error:
        raise SendError(f"HTTP {error.code}: {error.read(ANSWER_KEPT)!r}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise SendError(f"{type(error).__name__}: {error}") from error
    try:
        answer = json.loads(raw or b"null")
    except ValueError:
        answer = None
    if not _answer_ok(kind, answer):
        raise SendError(f"refused: {raw[:ANSWER_KEPT].decode(errors='replace')}")
