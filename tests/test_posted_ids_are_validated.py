"""A row id posted by a form (a hidden ``revoke`` field) is validated like any other input: a typo, a probe
or a number no column can hold is a 400 with a message, never a server error; another user's feed is a 404."""

from __future__ import annotations

import pytest
from django.utils import timezone

from crossings.legal.models import CalendarFeed


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "", "²", "9" * 30, "-1", "0", "1.5", "1\x00"])
def test_a_strange_revoke_id_is_a_bad_request_not_a_server_error(value, caseworker, login):
    feed, _secret = CalendarFeed.issue(user=caseworker, scope="mine")
    client = login(caseworker)
    client.raise_request_exception = False
    response = client.post("/legal/calendar/", {"revoke": value})
    assert response.status_code == 400
    assert "That feed does not exist." in response.content.decode()
    feed.refresh_from_db()
    assert feed.revoked_at is None


@pytest.mark.django_db
def test_a_valid_id_revokes_only_the_users_own_feed(caseworker, supervisor, login):
    mine, _ = CalendarFeed.issue(user=caseworker, scope="mine")
    theirs, _ = CalendarFeed.issue(user=supervisor, scope="mine")
    client = login(caseworker)
    assert client.post("/legal/calendar/", {"revoke": theirs.pk}).status_code == 404
    assert client.post("/legal/calendar/", {"revoke": str(mine.pk)}).status_code == 200
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and mine.revoked_at <= timezone.now()
    assert theirs.revoked_at is None
