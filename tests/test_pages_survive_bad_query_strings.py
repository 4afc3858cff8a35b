"""Every page, opened by a role allowed to see it with a query string no form would send (a truncated link,
a typo, a probe), answers 2xx/3xx/4xx: never a server error. The values are the kinds that have broken
pages before: digits ``str.isdigit`` accepts but ``int`` refuses, numbers no column can hold, dates and
years outside the calendar, a NUL byte (PostgreSQL refuses it in any string)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.test_role_matrix import ANON, PAGES, _fill, clients, objects  # noqa: F401 (fixtures)

NASTY = {
    "page": "²",
    "q": "Sok\x00Dara",
    "site": "9" * 30,
    "worker": "٣",
    "month": "9999-12",
    "period": "9999-Q4",
    "quarter": "2026-Q9",
    "year": "99999",
    "from": "2026-02-30",
    "to": "yesterday",
    "start": "0000-00-00",
    "end": "-1",
    "status": "\x00",
    "format": "exe",
    "lang": "xx",
    "next": "//evil.example/",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_page_never_answers_a_server_error_to_a_strange_query(
    name: str,
    clients: dict[str, Any],  # noqa: F811
    objects: dict[str, int],  # noqa: F811
) -> None:
    kwargs, allowed = PAGES[name]
    url = kwargs["_url"] if "_url" in kwargs else reverse(name, kwargs=_fill(kwargs, objects))
    who = sorted(allowed - {ANON})[0] if allowed - {ANON} else ANON
    client = clients[who]
    client.raise_request_exception = False
    response = client.get(url, NASTY)
    assert response.status_code < 500, f"{who} GET {url} -> {response.status_code}"
