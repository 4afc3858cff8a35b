"""Typing is never lost (docs/forms.md) on the legal page's forms and the consent form: they post to
small handlers, so the page binds each form to what was kept for its own action."""

import re

import pytest
from django.utils import timezone

from crossings.accounts.models import Draft
from crossings.legal.models import CheckIn, Proceeding
from crossings.people.models import Consent
from tests.test_typing_is_never_lost import end_session, log_in, next_of, raw_drafts

pytestmark = pytest.mark.django_db


def sent_after_the_end(client, path, data):
    end_session(client)
    return next_of(client.post(path, data))


@pytest.mark.parametrize(
    ("action", "data", "shown", "model"),
    [
        (
            "proceedings",
            {"proceeding-court": "Tacoma Immigration Court"},
            "Tacoma Immigration Court",
            Proceeding,
        ),
        (
            "check-ins",
            {
                "checkin-date": "2026-12-20",
                "checkin-office": "Seattle ERO field office",
                "checkin-outcome": "",
            },
            "Seattle ERO field office",
            CheckIn,
        ),
    ],
)
def test_a_legal_form_sent_after_the_session_ended_is_shown_again_on_the_legal_page(
    caseworker, person, login, action, data, shown, model
):
    client = login(caseworker)
    page = f"/people/{person.pk}/legal/"
    client.get(page)
    next_url = sent_after_the_end(client, f"/people/{person.pk}/legal/{action}/", data)
    assert shown not in raw_drafts()  # encrypted at rest
    log_in(client, caseworker.username, next_url)
    assert client.get(next_url)["Location"] == page
    html = client.get(page).content.decode()
    assert shown in html and "what you typed is restored" in html
    assert not model.objects.exists() and not Draft.objects.exists()


def test_a_consent_sent_after_the_session_ended_is_shown_again_on_the_person_page(
    caseworker, person, reception, login
):
    client = login(caseworker)
    client.get(f"/people/{person.pk}/")
    next_url = sent_after_the_end(
        client,
        f"/people/{person.pk}/consents/",
        {
            "scope": "share",
            "shared_with": reception.pk,
            "given_on": str(timezone.localdate()),
            "sections": ["contact"],
        },
    )
    log_in(client, caseworker.username, next_url)
    assert client.get(next_url)["Location"] == f"/people/{person.pk}/"
    html = client.get(f"/people/{person.pk}/").content.decode()
    consent = html.split(f'action="/people/{person.pk}/consents/"', 1)[1].split("</form>", 1)[0]
    assert f'value="{reception.pk}" selected' in consent
    assert re.search(r'value="contact"[^>]*checked', consent)
    assert not Consent.objects.exists()


def test_a_bond_contribution_sent_after_the_session_ended_is_shown_again_on_the_bond(
    caseworker, person, login
):
    from crossings.bonds import services as bonds
    from crossings.bonds.models import Contribution
    from tests.test_bond_life import _detention

    bond = bonds.post_bond(
        detention=_detention(person, caseworker), amount="5000", obligor="x", user=caseworker
    )
    client = login(caseworker)
    client.get(f"/bonds/{bond.pk}/")
    next_url = sent_after_the_end(
        client,
        f"/bonds/{bond.pk}/contributions/",
        {
            "c-amount": "250",
            "c-source": "family",
            "c-from_whom": "cousin in Long Beach",
            "c-given_on": "2026-12-01",
        },
    )
    log_in(client, caseworker.username, next_url)
    assert client.get(next_url)["Location"] == f"/bonds/{bond.pk}/"
    html = client.get(f"/bonds/{bond.pk}/").content.decode()
    assert 'value="cousin in Long Beach"' in html and not Contribution.objects.exists()


def test_an_accompaniment_being_opened_is_shown_again_on_the_staff_page(caseworker, person, login):
    from crossings.accompaniment.models import Accompaniment
    from tests.test_accompaniment import _check_in

    check_in = _check_in(person, caseworker)
    client = login(caseworker)
    client.get("/accompaniment/staff/")
    next_url = sent_after_the_end(
        client,
        "/accompaniment/staff/open/",
        {
            "event": f"check_in:{check_in.pk}",
            "meets_at": "08:30",
            "meeting_point": "Front steps",
            "cap": "3",
            "note": "Bring the passport copy",
        },
    )
    log_in(client, caseworker.username, next_url)
    assert client.get(next_url)["Location"] == "/accompaniment/staff/"
    html = client.get("/accompaniment/staff/").content.decode()
    assert "Bring the passport copy" in html and not Accompaniment.objects.exists()
