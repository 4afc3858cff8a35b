import pytest
from django.test import Client

from tests.conftest import PASSWORD


def logged_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.django_db
def test_logout_everywhere_ends_every_session_of_the_user(caseworker):
    phone, laptop = logged_in("caseworker"), logged_in("caseworker")
    assert phone.get("/").status_code == 200 and laptop.get("/").status_code == 200
    phone.post("/logout/everywhere/")
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302


@pytest.mark.django_db
def test_logout_needs_a_post_so_a_link_cannot_log_you_out(caseworker):
    client = logged_in("caseworker")
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.mark.django_db
def test_the_chosen_language_is_remembered_on_the_user_across_devices(caseworker):
    first = logged_in("caseworker")
    first.post("/i18n/setlang/", {"language": "km", "next": "/"})
    caseworker.refresh_from_db()
    assert caseworker.language == "km"
    other_device = logged_in("caseworker")
    page = other_device.get("/").content.decode()
    assert 'lang="km"' in page


@pytest.mark.django_db
def test_an_anonymous_visitor_can_switch_the_login_page_to_khmer():
    client = Client()
    client.post("/i18n/setlang/", {"language": "km", "next": "/login/"})
    assert 'lang="km"' in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_pages_send_the_security_headers(caseworker):
    response = logged_in("caseworker").get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_khmer_users_request_does_not_leave_khmer_active_in_the_thread(caseworker, login):
    from django.utils import translation

    caseworker.language = "km"
    caseworker.save()
    with translation.override("en"):
        login(caseworker).get("/")
        assert translation.get_language() == "en"


@pytest.mark.django_db
def test_logout_everywhere_also_revokes_api_tokens_and_calendar_feeds(caseworker, supervisor):
    from crossings.accounts.models import ApiToken
    from crossings.legal.models import CalendarFeed

    _token, raw = ApiToken.issue(user=caseworker)
    _feed, secret = CalendarFeed.issue(user=caseworker, scope="mine")
    _other, other_raw = ApiToken.issue(user=supervisor)
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bearer.get("/api/me").status_code == 200
    assert Client().get(f"/legal/calendar/{secret}.ics").status_code == 200
    page = logged_in("caseworker")
    assert "also revokes your API tokens and calendar feeds" in page.get("/").content.decode()
    response = page.post("/logout/everywhere/", follow=True)
    assert "Revoked as well: 1 API token(s) and 1 calendar feed(s)." in response.content.decode()
    assert bearer.get("/api/me").status_code == 401
    assert Client().get(f"/legal/calendar/{secret}.ics").status_code == 404
    # Another user's token is untouched.
    assert Client(HTTP_AUTHORIZATION=f"Bearer {other_raw}").get("/api/me").status_code == 200


@pytest.mark.django_db
def test_a_khmer_phone_stays_in_khmer_after_login(caseworker):
    """The browser asks for Khmer; the login page is Khmer, and so is every page after login, on this
    device and (the language now stored) on any other."""
    phone = Client(HTTP_ACCEPT_LANGUAGE="km-KH,km;q=0.9")
    assert 'lang="km"' in phone.get("/login/").content.decode()
    assert phone.post("/login/", {"username": "caseworker", "password": PASSWORD}).status_code == 302
    assert 'lang="km"' in phone.get("/").content.decode()
    caseworker.refresh_from_db()
    assert caseworker.language == "km"
    laptop = Client(HTTP_ACCEPT_LANGUAGE="en-US")
    laptop.post("/login/", {"username": "caseworker", "password": PASSWORD})
    assert 'lang="km"' in laptop.get("/").content.decode()


@pytest.mark.django_db
def test_a_language_switched_on_the_login_page_is_kept(caseworker):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US")
    client.post("/i18n/setlang/", {"language": "km", "next": "/login/"})
    client.post("/login/", {"username": "caseworker", "password": PASSWORD})
    caseworker.refresh_from_db()
    assert caseworker.language == "km"


@pytest.mark.django_db
def test_a_chosen_language_is_not_overridden_by_the_browser(caseworker):
    caseworker.language = "en"
    caseworker.save(update_fields=["language"])
    phone = Client(HTTP_ACCEPT_LANGUAGE="km-KH,km;q=0.9")
    phone.post("/login/", {"username": "caseworker", "password": PASSWORD})
    assert 'lang="en"' in phone.get("/").content.decode()
    caseworker.refresh_from_db()
    assert caseworker.language == "en"


@pytest.mark.django_db
def test_a_refused_csrf_token_gets_a_translated_page_that_leads_back(caseworker):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="km")
    client.post("/login/", {"username": "caseworker", "password": PASSWORD})  # refused: no token
    response = client.post("/people/new/", {"given_name": "x"}, HTTP_REFERER="http://testserver/people/new/")
    page = response.content.decode()
    assert response.status_code == 403
    assert 'lang="km"' in page and "CSRF verification" not in page
    assert 'href="http://testserver/people/new/"' in page
    elsewhere = client.post("/people/new/", {}, HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in elsewhere.content.decode()
