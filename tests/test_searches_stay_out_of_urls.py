"""A name or an A-number typed into a search is posted, never put in a URL, where proxy logs and browser
history would keep it; and the search is written in the access log, encrypted."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from crossings.audit.models import AccessLog


@pytest.mark.django_db
def test_the_search_form_posts_and_the_page_never_pushes_the_query(caseworker: Any, login: Any) -> None:
    page = login(caseworker).get("/people/").content.decode()
    form = page[page.index('role="search"') - 40 : page.index("</form>", page.index('role="search"'))]
    assert (
        'method="post"' in form and "hx-post" in form and "hx-push-url" not in form and "hx-get" not in form
    )


@pytest.mark.django_db
def test_a_posted_search_finds_the_person_and_logs_the_query_encrypted(
    caseworker: Any, person: Any, login: Any
) -> None:
    response = login(caseworker).post("/people/", {"q": "A-012-345-678"})
    assert "SOK Dara" in response.content.decode()
    entry = AccessLog.objects.get(action="list")
    assert entry.query == "A-012-345-678" and entry.count == 1 and entry.object_ids == str(person.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM audit_accesslog WHERE id = %s", [entry.pk])
        assert "345" not in cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_query_in_the_address_is_not_searched(caseworker: Any, person: Any, login: Any) -> None:
    response = login(caseworker).get("/people/?q=Sok")
    assert 'data-testid="search-results"' not in response.content.decode()
