"""Issue 13, item 3: typing is never lost. A form sent after the session ended is shown again, filled in,
after the login (also through the second factor), kept encrypted, once, only in that browser and for that
user, never with a password; a refused CSRF token gets a page in the user's language that shows the form
again; a refused form starts with a summary linking each field; a refused referral keeps its purpose; a
create form sent twice creates once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from crossings.accounts.models import Draft, Submission
from crossings.accounts.roles import Role
from crossings.calls.models import Call
from crossings.cases.models import Case, Note, Task
from crossings.people.models import Person, Referral
from tests.conftest import PASSWORD, verified_client

PERSON = {
    "family_name": "Meas",
    "given_name": "Sophal",
    "contact": "Street 271, 012 999 888",
    "birth_date": "1984-03-02",
    "sex": "male",
    "birth_date_precision": "exact",
    "birthplace_kind": "unknown",
    "khmer_ability": "unknown",
}


def end_session(client: Client) -> None:
    """What eight hours do: the server's session row is past its expiry, the browser still sends it."""
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )


def next_of(response: Any) -> str:
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert location.path == "/login/", response["Location"]
    return parse_qs(location.query)["next"][0]


def log_in(client: Client, username: str, next_url: str) -> Any:
    return client.post("/login/", {"username": username, "password": PASSWORD, "next": next_url})


def raw_drafts() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT fields, action, page FROM accounts_draft")
        return repr(cursor.fetchall())


@pytest.fixture
def browser(caseworker: Any) -> Client:
    client = Client()
    client.force_login(caseworker)
    return client


@pytest.mark.django_db
def test_a_form_sent_after_the_session_ended_is_shown_again_after_the_login(browser, caseworker):
    browser.get("/people/new/")
    end_session(browser)
    response = browser.post("/people/new/", {**PERSON, "password": "hunter2-not-kept"})
    next_url = next_of(response)
    draft = Draft.objects.get()
    assert next_url == f"/drafts/{draft.pk}/"  # only the random id goes into a URL
    assert "Sophal" not in response["Location"] and "Meas" not in response["Location"]
    assert draft.user == caseworker and not draft.claimed
    assert not Person.objects.exists()

    # encrypted at rest; the password never kept, not even encrypted
    raw = raw_drafts()
    for typed in ("Sophal", "Meas", "012 999", "Street 271", "hunter2"):
        assert typed not in raw
    assert "password" not in dict(draft.fields)
    assert "csrfmiddlewaretoken" not in dict(draft.fields)

    assert log_in(browser, "caseworker", next_url)["Location"] == next_url
    back = browser.get(next_url)
    assert back.status_code == 302 and back["Location"] == "/people/new/"
    page = browser.get("/people/new/")
    html = page.content.decode()
    assert 'value="Sophal"' in html and 'value="Meas"' in html and "Street 271, 012 999 888" in html
    assert "what you typed is restored — check and save" in html
    assert not Person.objects.exists()  # shown, not saved
    assert not Draft.objects.exists()  # used once, then gone

    # once: neither the link nor the page gives it again
    again = browser.get(next_url)
    assert again.status_code == 302 and again["Location"] == "/"
    assert 'value="Sophal"' not in browser.get("/people/new/").content.decode()


@pytest.mark.django_db
def test_the_draft_is_restored_through_the_second_factor(make_user, advocacy):
    supervisor = make_user(Role.SUPERVISOR, advocacy, username="vanna")
    browser = verified_client(supervisor)
    device = TOTPDevice.objects.get(user=supervisor)
    end_session(browser)
    next_url = next_of(browser.post("/people/new/", PERSON))
    assert log_in(browser, "vanna", next_url)["Location"] == next_url
    second = browser.get(next_url)
    assert second.status_code == 302 and second["Location"].startswith("/account/2fa/")
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    verified = browser.post(second["Location"], {"otp_token": code, "next": next_url})
    assert verified["Location"] == next_url
    assert "otp_token" not in dict(Draft.objects.get().fields)
    assert browser.get(next_url)["Location"] == "/people/new/"
    assert 'value="Sophal"' in browser.get("/people/new/").content.decode()


@pytest.mark.django_db
def test_another_browser_cannot_restore_the_draft(browser, caseworker):
    end_session(browser)
    next_url = next_of(browser.post("/people/new/", PERSON))
    other = Client()  # the same user, another browser: no signed cookie
    log_in(other, "caseworker", next_url)
    refused = other.get(next_url)
    assert refused.status_code == 302 and refused["Location"] == "/"
    assert 'value="Sophal"' not in other.get("/people/new/").content.decode()
    assert Draft.objects.filter(claimed=False).exists()  # still there for the browser that holds it
    log_in(browser, "caseworker", next_url)
    assert browser.get(next_url)["Location"] == "/people/new/"


@pytest.mark.django_db
def test_another_user_in_the_same_browser_cannot_restore_the_draft(browser, make_user, advocacy):
    make_user(Role.CASEWORKER, advocacy, username="colleague")
    end_session(browser)
    next_url = next_of(browser.post("/people/new/", PERSON))
    log_in(browser, "colleague", next_url)
    refused = browser.get(next_url)
    assert refused.status_code == 302 and refused["Location"] == "/"
    assert 'value="Sophal"' not in browser.get("/people/new/").content.decode()


@pytest.mark.django_db
def test_a_forged_draft_cookie_is_refused(browser):
    end_session(browser)
    next_url = next_of(browser.post("/people/new/", PERSON))
    draft_id = next_url.split("/")[2]
    browser.cookies["crossings_draft"] = draft_id  # unsigned: anyone could write that
    log_in(browser, "caseworker", next_url)
    assert browser.get(next_url)["Location"] == "/"


@pytest.mark.django_db
def test_an_expired_draft_is_not_restored_and_is_purged(browser, settings):
    end_session(browser)
    next_url = next_of(browser.post("/people/new/", PERSON))
    Draft.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    log_in(browser, "caseworker", next_url)
    assert browser.get(next_url)["Location"] == "/"
    assert 'value="Sophal"' not in browser.get("/people/new/").content.decode()
    # the next draft kept removes every expired one
    end_session(browser)
    next_of(browser.post("/people/new/", {**PERSON, "given_name": "Thida"}))
    assert Draft.objects.count() == 1 and Draft.objects.get().pk != next_url.split("/")[2]


@pytest.mark.django_db
def test_the_draft_lasts_the_configured_minutes(browser, settings):
    settings.CROSSINGS_DRAFT_MINUTES = 5
    end_session(browser)
    next_of(browser.post("/people/new/", PERSON))
    left = Draft.objects.get().expires_at - timezone.now()
    assert dt.timedelta(minutes=4) < left <= dt.timedelta(minutes=5)


@pytest.mark.django_db
def test_nothing_is_kept_without_a_session_to_say_whose_it_was(browser):
    browser.post("/logout/")
    response = browser.post("/people/new/", PERSON)
    assert next_of(response) == "/people/new/"
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_only_a_form_some_page_shows_again_is_kept(browser, person, advocacy, caseworker):
    case = Case.objects.create(
        organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
    )
    end_session(browser)
    # closing a case is a button, not typing: nothing to show again, so nothing is kept
    assert next_of(browser.post(f"/cases/{case.pk}/close/", {"closure_reason": "goals_met"}))
    # the duplicate check htmx sends while typing is not the form being sent
    browser.post("/people/check-duplicates/", PERSON, HTTP_HX_REQUEST="true")
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_expired_drafts_are_purged_at_every_login(browser, make_user, advocacy):
    end_session(browser)
    next_of(browser.post("/people/new/", PERSON))
    Draft.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    Client().force_login(make_user(Role.CASEWORKER, advocacy, username="someone-else"))
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_an_event_alias_and_family_member_are_restored_on_the_person_page(browser, person):
    page = f"/people/{person.pk}/"
    for action, data in (
        ("aliases", {"name": "Sok Darra", "note": "US passport"}),
        ("family", {"name": "Sok Channa", "relationship": "sister", "location": "Long Beach"}),
    ):
        browser.force_login(person.organisation.memberships.first().user)
        end_session(browser)
        next_url = next_of(browser.post(f"{page}{action}/", data, HTTP_REFERER=f"http://testserver{page}"))
        log_in(browser, "caseworker", next_url)
        assert browser.get(next_url)["Location"] == page
        html = browser.get(page).content.decode()
        assert data["name"] in html and "<details open>" in html


@pytest.mark.django_db
def test_the_draft_is_kept_after_another_request_dropped_the_ended_session_cookie(caseworker):
    phone = Client()
    log_in(phone, "caseworker", "/")
    end_session(phone)
    # the duplicate check htmx sends while typing arrives first, and the server drops the session cookie
    phone.post("/people/check-duplicates/", PERSON, HTTP_HX_REQUEST="true")
    assert not phone.cookies["sessionid"].value
    next_url = next_of(phone.post("/people/new/", PERSON))
    assert Draft.objects.get().user == caseworker  # the signed login cookie says whose browser it is
    log_in(phone, "caseworker", next_url)
    assert phone.get(next_url)["Location"] == "/people/new/"


@pytest.mark.django_db
def test_nothing_is_kept_after_logging_out(caseworker):
    phone = Client()
    log_in(phone, "caseworker", "/")
    phone.post("/logout/")
    assert next_of(phone.post("/people/new/", PERSON)) == "/people/new/"
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_files_are_not_kept_and_the_user_is_told(browser):
    end_session(browser)
    photo = SimpleUploadedFile("face.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    next_url = next_of(browser.post("/people/new/", {**PERSON, "photo": photo}))
    assert Draft.objects.get().had_files
    log_in(browser, "caseworker", next_url)
    browser.get(next_url)
    html = browser.get("/people/new/").content.decode()
    assert "Files are not kept: choose the file again." in html


@pytest.mark.django_db
def test_an_edit_is_restored_with_the_version_it_was_typed_against(browser, person):
    end_session(browser)
    data = {**PERSON, "family_name": "Sok", "given_name": "Dara", "contact": "moved to Battambang"}
    next_url = next_of(browser.post(f"/people/{person.pk}/edit/", {**data, "version": person.version}))
    log_in(browser, "caseworker", next_url)
    assert browser.get(next_url)["Location"] == f"/people/{person.pk}/edit/"
    html = browser.get(f"/people/{person.pk}/edit/").content.decode()
    assert "moved to Battambang" in html and f'name="version" value="{person.version}"' in html
    person.refresh_from_db()
    assert person.contact != "moved to Battambang"


@pytest.mark.django_db
def test_a_form_on_another_page_is_restored_on_that_page(browser, person):
    page = f"/people/{person.pk}/"
    browser.get(page)
    end_session(browser)
    response = browser.post(
        f"/people/{person.pk}/refer/",
        {"purpose": "housing on arrival in Phnom Penh", "kind": "referral"},
        HTTP_REFERER=f"http://testserver{page}",
    )
    next_url = next_of(response)
    log_in(browser, "caseworker", next_url)
    assert browser.get(next_url)["Location"] == page
    html = browser.get(page).content.decode()
    assert "housing on arrival in Phnom Penh" in html
    assert "what you typed is restored" in html
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_a_note_is_restored_on_its_case(browser, person, advocacy, caseworker):
    case = Case.objects.create(
        organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
    )
    end_session(browser)
    next_url = next_of(
        browser.post(
            f"/cases/{case.pk}/notes/",
            {"body": "Called his sister in Long Beach"},  # no Referer: the view names its page
        )
    )
    log_in(browser, "caseworker", next_url)
    assert browser.get(next_url)["Location"] == f"/cases/{case.pk}/"
    assert "Called his sister in Long Beach" in browser.get(f"/cases/{case.pk}/").content.decode()
    assert not Note.objects.exists()


# --- CSRF ------------------------------------------------------------------------------------------------


def csrf_client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "The form could not be sent"), ("km", "មិនអាចផ្ញើទម្រង់បានទេ")],
)
def test_a_refused_csrf_token_gets_a_page_in_the_users_language_that_shows_the_form_again(
    caseworker, language, title
):
    caseworker.language = language
    caseworker.save(update_fields=["language"])
    client = csrf_client(caseworker)
    response = client.post("/people/new/", PERSON, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 403
    html = response.content.decode()
    assert title in html and 'data-testid="csrf-failure"' in html
    assert f'lang="{language}"' in html
    draft = Draft.objects.get()
    assert draft.claimed and draft.user == caseworker  # the user's own at once: they are logged in
    assert 'href="/people/new/"' in html
    page = client.get("/people/new/").content.decode()
    assert 'value="Sophal"' in page
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_refused_csrf_token_after_the_session_ended_keeps_the_form_for_after_the_login(caseworker):
    client = csrf_client(caseworker)
    end_session(client)
    response = client.post("/people/new/", PERSON, HTTP_REFERER="http://testserver/people/new/")
    assert response.status_code == 403
    draft = Draft.objects.get()
    assert not draft.claimed and draft.user == caseworker
    assert f'href="/drafts/{draft.pk}/"' in response.content.decode()  # "Log in and show the form again"
    token = client.get("/login/").cookies["csrftoken"].value
    client.post(
        "/login/",
        {"username": "caseworker", "password": PASSWORD, "next": f"/drafts/{draft.pk}/"},
        HTTP_X_CSRFTOKEN=token,
    )
    assert client.get(f"/drafts/{draft.pk}/")["Location"] == "/people/new/"
    assert 'value="Sophal"' in client.get("/people/new/").content.decode()


@pytest.mark.django_db
def test_a_form_another_site_sent_is_never_kept(caseworker):
    client = csrf_client(caseworker)
    response = client.post("/people/new/", PERSON, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert not Draft.objects.exists()
    assert 'data-testid="csrf-again"' not in response.content.decode()


# --- error summary, refused referral ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_form_starts_with_a_summary_linking_each_field(browser, person, advocacy, caseworker):
    response = browser.post(
        "/people/new/", {**PERSON, "family_name": "", "given_name": "", "birth_date": "x"}
    )
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary"[^>]*>', html)
    assert summary is not None
    for attribute in ('role="alert"', 'tabindex="-1"', "autofocus"):
        assert attribute in summary.group(0)
    assert 'href="#id_birth_date"' in html
    case = Case.objects.create(
        organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
    )
    refused = browser.post(f"/cases/{case.pk}/tasks/", {"title": "", "due_on": "tomorrow"})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert (
        'data-testid="error-summary"' in html and 'href="#id_title"' in html and 'href="#id_due_on"' in html
    )
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_a_refused_referral_keeps_its_purpose(browser, person, reception):
    response = browser.post(
        f"/people/{person.pk}/refer/",
        {"to_organisation": reception.pk, "kind": "referral", "purpose": "airport pick-up on 12 May"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "airport pick-up on 12 May" in html  # the purpose, as typed
    assert "No consent to share this person&#x27;s record with Reception (test)" in html
    assert 'data-testid="error-summary"' in html
    assert not Referral.objects.exists()


# --- sent twice, created once -----------------------------------------------------------------------------


def twice(client: Client, url: str, data: dict[str, Any]) -> tuple[Any, Any]:
    return client.post(url, data), client.post(url, data)


@pytest.mark.django_db
def test_registering_twice_registers_once(browser):
    first, second = twice(browser, "/people/new/", {**PERSON, "submission": "t-person"})
    person = Person.objects.get()
    assert first["Location"] == second["Location"] == f"/people/{person.pk}/"
    # not the duplicate warning about the person the first one registered
    assert "already saved" in browser.get(second["Location"]).content.decode()


@pytest.mark.django_db
def test_opening_a_case_twice_opens_one(browser, person):
    first, second = twice(
        browser, f"/people/{person.pk}/cases/", {"programme": "legal_defence", "submission": "t"}
    )
    case = Case.objects.get()
    assert first["Location"] == second["Location"] == f"/cases/{case.pk}/"


@pytest.mark.django_db
def test_a_task_and_a_note_sent_twice_are_added_once(browser, person, advocacy, caseworker):
    case = Case.objects.create(
        organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
    )
    twice(browser, f"/cases/{case.pk}/tasks/", {"title": "Find the A-file", "submission": "t-task"})
    twice(browser, f"/cases/{case.pk}/notes/", {"body": "Spoke to the lawyer", "submission": "t-note"})
    assert Task.objects.count() == 1 and Note.objects.count() == 1
    # a new form (a new token) adds another
    browser.post(f"/cases/{case.pk}/notes/", {"body": "Spoke to the lawyer", "submission": "t-note-2"})
    assert Note.objects.count() == 2


@pytest.mark.django_db
def test_a_referral_sent_twice_is_sent_once(browser, person, reception):
    from tests.test_referral_needs_consent import consent

    consent(person, person.organisation, reception)
    data = {"to_organisation": reception.pk, "kind": "referral", "purpose": "arrival", "submission": "t-ref"}
    first, second = twice(browser, f"/people/{person.pk}/refer/", data)
    assert Referral.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"].startswith(f"/people/{person.pk}/")


@pytest.mark.django_db
def test_a_call_sent_twice_is_recorded_once(browser):
    data = {
        "person_name": "Sok Dara",
        "relationship": "spouse",
        "caller_language": "en",
        "idempotency_key": "c",
    }
    data["received_at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    first, second = twice(browser, "/calls/new/", data)
    call = Call.objects.get()
    assert first["Location"] == second["Location"] == f"/calls/{call.pk}/"
    assert Submission.objects.filter(token="c", url=f"/calls/{call.pk}/").exists()


@pytest.mark.django_db
def test_a_refused_create_keeps_its_token_free_for_the_corrected_form(browser, person):
    refused = browser.post(
        "/people/new/", {**PERSON, "family_name": "", "given_name": "", "submission": "t-1"}
    )
    assert 'data-testid="error-summary"' in refused.content.decode() and not Submission.objects.exists()
    assert 'value="t-1"' in refused.content.decode()  # the same token, shown again
    browser.post("/people/new/", {**PERSON, "submission": "t-1"})
    assert Person.objects.filter(given_name="Sophal").count() == 1


@pytest.mark.django_db
def test_a_token_belongs_to_its_user(browser, make_user, advocacy, person):
    other = verified_client(make_user(Role.CASEWORKER, advocacy, username="other"))
    browser.post(f"/people/{person.pk}/cases/", {"programme": "legal_defence", "submission": "same"})
    other.post(f"/people/{person.pk}/cases/", {"programme": "reintegration", "submission": "same"})
    assert Case.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_racing_submissions_of_one_form_create_once(caseworker, person, advocacy):
    """The phone sent the form, lost the connection and sent it again while the first was still being
    saved: the second waits on the token's unique row, then answers with what the first created."""
    import threading
    import time

    from django.contrib.messages.storage.cookie import CookieStorage
    from django.db import connections
    from django.test import RequestFactory

    from crossings.accounts import keep

    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite database is not shared between threads; run on PostgreSQL")
    case = Case.objects.create(
        organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
    )
    start = threading.Barrier(2)
    answers: list[Any] = []

    def send() -> None:
        request = RequestFactory().post("/")
        request.user = caseworker
        request._messages = CookieStorage(request)  # type: ignore[attr-defined]

        def create() -> Note:
            time.sleep(0.5)  # still saving when the second arrives
            return case.notes.create(body="Bail hearing moved", author=caseworker)

        try:
            start.wait()
            answers.append(keep.once(request, "raced", create, lambda _note: f"/cases/{case.pk}/"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Note.objects.count() == 1
    assert sorted(type(a).__name__ for a in answers) == ["HttpResponseRedirect", "Note"]
