"""The channels a reminder goes by, each a small plug-in with one method, ``send``: e-mail (Django's mail),
SMS through an HTTP gateway speaking Twilio's Messages API, and the Telegram Bot API. ``CHANNELS`` maps a
channel's name to it; another gateway is one more class here.

A channel raises ``SendError`` with a short description that never quotes the number, the text or what the
gateway wrote back beyond its error code, and says whether trying again could help (``permanent``).
Gateway addresses are checked like webhook addresses (crossings/webhooks/targets.py) before every request:
https to a public address in production, loopback allowed in tests and the demo; redirects never followed.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.core.mail import send_mail

from crossings.errors import Refused
from crossings.legal.notifications import describe as describe_mail_error
from crossings.reminders.models import Channel, ReminderSettings
from crossings.webhooks import targets

USER_AGENT = "Crossings-Reminders/1"


class SendError(Exception):
    def __init__(self, description: str, *, permanent: bool = False):
        super().__init__(description)
        self.description = description[:200]
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    address: str
    text: str
    subject: str = ""


class Sender(Protocol):
    name: ClassVar[str]

    def send(self, config: ReminderSettings, message: Message) -> str:
        """Send it; return the gateway's id of the message (or "")."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _safe(text: str) -> str:
    """A gateway's description with every digit taken out (a number or a chat id could be quoted)."""
    return re.sub(r"\d+", "#", text)[:80]


def _post(url: str, data: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """POST; the status and the JSON answer, for a success and for an HTTP error alike. A failure to
    connect or an answer that is not JSON raises SendError (worth retrying)."""
    try:
        targets.check(url)
    except Refused as exc:
        raise SendError("Refused address", permanent=True) from exc
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    request.add_header("User-Agent", USER_AGENT)
    try:
        with _opener.open(request, timeout=settings.WEBHOOKS_TIMEOUT) as response:
            status, raw = int(response.status), response.read(65536)
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read(65536) if exc.fp is not None else b""
    except urllib.error.URLError as exc:
        reason = exc.reason
        raise SendError(f"URLError {reason if isinstance(reason, str) else type(reason).__name__}") from exc
    except (TimeoutError, OSError) as exc:
        raise SendError(type(exc).__name__) from exc
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        body = {}
    return status, body if isinstance(body, dict) else {}


def _temporary(status: int) -> bool:
    """Worth trying again: the gateway's own failure or its rate limit."""
    return status >= 500 or status in (408, 429)


class Email:
    name: ClassVar[str] = Channel.EMAIL

    def send(self, config: ReminderSettings, message: Message) -> str:
        try:
            send_mail(
                message.subject or message.text[:60],
                message.text,
                settings.DEFAULT_FROM_EMAIL,
                [message.address],
                fail_silently=False,
            )
        except Exception as exc:  # the mail server: kept as its kind, never its text
            raise SendError(describe_mail_error(exc)) from exc
        return ""


class TwilioSms:
    """Twilio's Messages API, the shape most SMS gateways copy:
    ``POST <base>/2010-04-01/Accounts/<account>/Messages.json``, form-encoded ``To``, ``From``, ``Body``,
    HTTP Basic authentication with the account id and its token; 201 and ``{"sid": …}`` on success, an error
    status and ``{"code": …, "message": …}`` otherwise (docs/reminders.md)."""

    name: ClassVar[str] = Channel.SMS

    def send(self, config: ReminderSettings, message: Message) -> str:
        account = urllib.parse.quote(config.sms_account, safe="")
        url = f"{config.sms_base_url.rstrip('/')}/2010-04-01/Accounts/{account}/Messages.json"
        auth = base64.b64encode(f"{config.sms_account}:{config.sms_token}".encode()).decode()
        data = urllib.parse.urlencode(
            {"To": message.address, "From": config.sms_from, "Body": message.text}
        ).encode()
        status, body = _post(
            url,
            data,
            {"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {auth}"},
        )
        if 200 <= status < 300:
            return str(body.get("sid", ""))[:64]
        code = body.get("code")
        raise SendError(
            f"SMS gateway HTTP {status}" + (f" code {int(code)}" if isinstance(code, int) else ""),
            permanent=not _temporary(status),
        )


class Telegram:
    """The Telegram Bot API: ``POST <base>/bot<token>/sendMessage`` with ``chat_id`` and ``text``; the answer
    is ``{"ok": true, "result": {"message_id": …}}`` or ``{"ok": false, "error_code": …, "description": …}``.
    The person starts a chat with the organisation's bot and gives the caseworker the chat id."""

    name: ClassVar[str] = Channel.TELEGRAM

    def send(self, config: ReminderSettings, message: Message) -> str:
        url = f"{config.telegram_base_url.rstrip('/')}/bot{config.telegram_token}/sendMessage"
        data = json.dumps({"chat_id": message.address, "text": message.text}).encode()
        status, body = _post(url, data, {"Content-Type": "application/json"})
        if body.get("ok") is True:
            result = body.get("result")
            return str(result.get("message_id", "")) if isinstance(result, dict) else ""
        given = body.get("error_code")
        code = given if isinstance(given, int) else status
        description = body.get("description")
        raise SendError(
            f"Telegram {code}" + (f": {_safe(description)}" if isinstance(description, str) else ""),
            permanent=not _temporary(code),
        )


CHANNELS: dict[str, Sender] = {sender.name: sender for sender in (Email(), TwilioSms(), Telegram())}
