"""The pre-arrival handover (issue 16 item 6, docs/handover.md): a packet refused without consent and received
with it; only the parts the consent covers; the reception organisation sees who is expected before the
flight but not the legal file; receiving opens the record; the packet pre-fills the intake; the flight's
manifest matches the person instead of creating a second record; every read logged; refusals by role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils import timezone, translation

from crossings.accounts.roles import OrgKind, Role
from crossings.audit.models import AccessLog
from crossings.errors import Conflict, Refused
from crossings.people import sharing
from crossings.people.access import access_for
from crossings.people.models import Consent, FamilyMember, Person, Referral
from crossings.reception import handover, services
from crossings.reception.models import ArrivalBatch, Packet

TODAY = timezone.localdate()


@pytest.fixture
def officer(make_user, reception):
    return make_user(Role.CASEWORKER, reception, username="rith")


def consent(person, user, org, sections, **extra):
    return sharing.record_consent(
        person=person,
        user=user,
        scope=Consent.Scope.SHARE,
        given_on=TODAY,
        shared_with=org,
        sections=sections,
        **extra,
    )


def prepare(person, user, org, **data):
    fields = {"expected_on": TODAY + dt.timedelta(days=10), "flight": "Charter KH-12"}
    fields.update(data)
    return handover.prepare_packet(person=person, to_organisation=org, user=user, data=fields)


def test_a_packet_is_refused_without_a_consent_naming_the_reception_organisation(
    person, caseworker, reception
):
    with pytest.raises(sharing.ConsentMissing, match="No consent to share"):
        prepare(person, caseworker, reception)
    assert not Packet.objects.exists() and not Referral.objects.exists()


def test_a_withdrawn_consent_refuses_the_packet_and_hides_one_already_sent(
    person, caseworker, reception, officer
):
    given = consent(person, caseworker, reception, ["contact"])
    packet = prepare(person, caseworker, reception, belongings="one bag")
    assert list(handover.expected_packets(officer)) == [packet]
    sharing.withdraw_consent(consent=given, user=caseworker)
    assert list(handover.expected_packets(officer)) == []
    with pytest.raises(Http404):
        handover.packet_access(officer, packet.pk)
    # the sender still sees what it sent (its own disclosure record)
    assert handover.packet_access(caseworker, packet.pk) == packet
    with pytest.raises(sharing.ConsentMissing, match="withdrawn"):
        prepare(person, caseworker, reception)


def test_a_part_the_consent_does_not_cover_is_refused_by_name(person, caseworker, reception):
    consent(person, caseworker, reception, ["contact"])
    with pytest.raises(sharing.ConsentMissing, match="health and medication needs") as refused:
        prepare(person, caseworker, reception, medication="insulin, 10 days")
    assert refused.value.field == "medication"
    assert not Packet.objects.exists()
    packet = prepare(person, caseworker, reception, us_family="daughter Lina, Long Beach")
    assert packet.us_family == "daughter Lina, Long Beach"


def test_the_packet_goes_with_a_referral_carrying_the_global_id(person, caseworker, reception):
    consent(person, caseworker, reception, ["contact", "health"])
    packet = prepare(person, caseworker, reception, medication="metformin")
    assert packet.referral.status == Referral.Status.PENDING
    assert set(packet.referral.sections) == {"contact", "health"}
    assert "Pre-arrival handover" in packet.referral.purpose
    assert str(person.global_id) in str(handover.packet_access(caseworker, packet.pk).person.global_id)


def test_a_second_open_packet_to_the_same_organisation_is_refused(person, caseworker, reception):
    consent(person, caseworker, reception, [])
    prepare(person, caseworker, reception)
    with pytest.raises(Conflict, match="already open"):
        prepare(person, caseworker, reception)
    assert Packet.objects.count() == 1


@pytest.mark.parametrize(
    "day, message",
    [(TODAY - dt.timedelta(days=1), "has passed"), (TODAY + dt.timedelta(days=181), "more than 180 days")],
)
def test_the_expected_date_is_checked(person, caseworker, reception, day, message):
    consent(person, caseworker, reception, [])
    with pytest.raises(Refused, match=message):
        prepare(person, caseworker, reception, expected_on=day)


def test_a_packet_goes_only_to_a_reception_organisation(person, caseworker, make_org):
    other = make_org("Other advocates", OrgKind.ADVOCACY, "US")
    consent(person, caseworker, other, [])
    with pytest.raises(Refused, match="reception organisation"):
        prepare(person, caseworker, other)


def test_wrong_roles_are_refused(person, caseworker, reception, officer, make_user, advocacy):
    consent(person, caseworker, reception, [])
    viewer = make_user(Role.VOLUNTEER, advocacy)
    with pytest.raises((PermissionDenied, Http404)):
        prepare(person, viewer, reception)
    with pytest.raises((PermissionDenied, Http404)):
        prepare(person, officer, reception)  # the reception cannot announce someone it does not hold
    packet = prepare(person, caseworker, reception)
    with pytest.raises(PermissionDenied):
        handover.receive_packet(packet=packet, user=caseworker)  # only the reception answers
    with pytest.raises(PermissionDenied):
        handover.cancel_packet(packet=packet, user=officer)  # only the sender cancels


def test_before_receiving_the_reception_sees_the_packet_not_the_record(
    person, caseworker, reception, officer
):
    consent(person, caseworker, reception, ["contact", "journey"])
    packet = prepare(person, caseworker, reception, contacts_cambodia="uncle Sam Ol, Battambang")
    assert access_for(officer, person) is None  # not the record, let alone the legal file
    handover.receive_packet(packet=packet, user=officer)
    packet.refresh_from_db()
    assert packet.status == Packet.Status.RECEIVED
    access = access_for(officer, Person.objects.get(pk=person.pk))
    assert access is not None and access.shows("contact") and not access.holder
    with pytest.raises(Conflict, match="already answered"):
        handover.receive_packet(packet=packet, user=officer)


def test_declining_declines_the_referral(person, caseworker, reception, officer):
    consent(person, caseworker, reception, [])
    packet = handover.decline_packet(
        packet=prepare(person, caseworker, reception), user=officer, reason="full"
    )
    assert packet.status == Packet.Status.DECLINED
    assert Referral.objects.get().status == Referral.Status.DECLINED
    assert list(handover.expected_packets(officer)) == []


def test_cancelling_cancels_a_waiting_referral(person, caseworker, reception, officer):
    consent(person, caseworker, reception, [])
    packet = handover.cancel_packet(packet=prepare(person, caseworker, reception), user=caseworker)
    assert packet.status == Packet.Status.CANCELLED
    assert Referral.objects.get().status == Referral.Status.CANCELLED
    with pytest.raises(Conflict):
        handover.cancel_packet(packet=packet, user=caseworker)


def test_the_packet_prefills_the_first_intake_with_what_the_consent_covers(
    person, caseworker, reception, officer
):
    person.khmer_ability = "basic"
    person.save()
    consent(person, caseworker, reception, ["contact"])
    packet = prepare(
        person,
        caseworker,
        reception,
        documents=["id_card", "birth_certificate"],
        contacts_cambodia="aunt Sophal, Kandal",
        us_family="son Dara Jr., Stockton",
    )
    assert handover.intake_initial(person, reception.pk) == {}  # not before the packet is received
    handover.receive_packet(packet=packet, user=officer)
    initial = handover.intake_initial(person, reception.pk)
    assert initial == {
        "has_id_card": True,
        "has_birth_certificate": True,
        "khmer_level": "basic",
        "family_cambodia": "aunt Sophal, Kandal",
        "family_us": "son Dara Jr., Stockton",
    }
    assert "health" not in initial


def test_the_draft_starts_from_the_family_list_and_the_scheduled_flight(person, caseworker):
    FamilyMember.objects.create(
        person=person, name="Lina", relationship="daughter", location="us", contact="555"
    )
    FamilyMember.objects.create(person=person, name="Sophal", relationship="aunt", location="cambodia")
    person.events.create(kind="removal_scheduled", date=TODAY + dt.timedelta(days=5), flight="KH-12")
    draft = handover.draft_for(caseworker, person)
    assert draft == {
        "contacts_cambodia": "Sophal (aunt)",
        "us_family": "Lina (daughter): 555",
        "flight": "KH-12",
        "expected_on": TODAY + dt.timedelta(days=5),
    }


MANIFEST = (
    "Surname,First Name,DOB,Sex,A-Number\nSok,Dara,1980-03-04,M,A-012-345-678\nKeo,Bopha,1985-09-30,F,\n"
)


def test_the_manifest_matches_a_packet_person_instead_of_creating_a_second_record(
    person, caseworker, reception, officer
):
    consent(person, caseworker, reception, ["health"])
    packet = prepare(person, caseworker, reception, medication="insulin, carries 10 days")
    batch = ArrivalBatch.objects.create(
        organisation=reception, flight="Charter KH-12", date=packet.expected_on, created_by=officer
    )
    record = services.store_upload(batch=batch, data=MANIFEST.encode(), filename="m.csv", user=officer)
    report = services.run_import(record=record, visible=Person.objects.visible_to(officer), user=officer)
    assert report["created"] == 1 and report["matched"] == 1  # Keo Bopha is new; Sok Dara is the packet's
    assert "pre-arrival packet received" in report["rows"][0]["result"]
    assert Person.objects.filter(family_name="Sok").count() == 1
    packet.refresh_from_db()
    assert packet.status == Packet.Status.RECEIVED and packet.arrival is not None
    assert packet.arrival.person_id == person.pk
    assert packet.arrival.medical_need == "insulin, carries 10 days"
    assert list(handover.expected_packets(officer)) == []  # on the flight now, no longer "expected"
    # the same file again creates nothing new
    again = services.store_upload(batch=batch, data=MANIFEST.encode(), filename="m.csv", user=officer)
    second = services.run_import(record=again, visible=Person.objects.visible_to(officer), user=officer)
    assert second["created"] == 0 and Person.objects.count() == 2


def test_packet_fields_are_encrypted_at_rest(person, caseworker, reception):
    consent(person, caseworker, reception, ["health", "contact"])
    packet = prepare(person, caseworker, reception, medication="methadone 80mg", us_family="wife Maly")
    with connection.cursor() as cursor:
        cursor.execute("SELECT medication, us_family FROM reception_packet WHERE id = %s", [packet.pk])
        raw = " ".join(cursor.fetchone())
    assert "methadone" not in raw and "Maly" not in raw


# --- pages -----------------------------------------------------------------------------------------------


def test_pages_prepare_list_show_and_receive_with_every_read_logged(
    person, caseworker, reception, officer, login
):
    consent(person, caseworker, reception, ["contact"])
    advocate = login(caseworker)
    page = advocate.get(f"/people/{person.pk}/packet/")
    assert page.status_code == 200 and "Reception (test)" in page.content.decode()
    sent = advocate.post(
        f"/people/{person.pk}/packet/",
        {
            "to_organisation": reception.pk,
            "expected_on": (TODAY + dt.timedelta(days=7)).isoformat(),
            "flight": "KH-12",
            "contacts_cambodia": "aunt Sophal",
            "documents": ["travel_document"],
        },
    )
    packet = Packet.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/reception/packets/{packet.pk}/"
    refused = advocate.post(
        f"/people/{person.pk}/packet/",
        {"to_organisation": reception.pk, "expected_on": TODAY.isoformat(), "medication": "x"},
        follow=True,
    )
    assert "does not cover health and medication needs" in refused.content.decode()

    desk = login(officer)
    before = AccessLog.objects.count()
    listing = desk.get("/reception/expected/")
    assert "SOK Dara" in listing.content.decode() and "KH-12" in listing.content.decode()
    shown = desk.get(f"/reception/packets/{packet.pk}/")
    body = shown.content.decode()
    assert "aunt Sophal" in body and "travel document" in body and "A-012" not in body
    assert AccessLog.objects.count() == before + 2
    assert AccessLog.objects.filter(reason__startswith="pre-arrival packet").exists()
    assert desk.get(f"/people/{person.pk}/").status_code == 404  # the record opens only once received
    received = desk.post(f"/reception/packets/{packet.pk}/answer/", {"answer": "receive"})
    assert received.status_code == 302 and received["Location"] == f"/people/{person.pk}/"
    intake = desk.get(f"/people/{person.pk}/reception/").content.decode()
    assert 'data-testid="intake-prefilled"' in intake and "aunt Sophal" in intake


def test_pages_refuse_other_organisations(person, caseworker, reception, make_org, make_user, login):
    consent(person, caseworker, reception, [])
    packet = prepare(person, caseworker, reception)
    stranger_org = make_org("Elsewhere", OrgKind.RECEPTION, "KH")
    stranger = login(make_user(Role.CASEWORKER, stranger_org))
    assert stranger.get(f"/reception/packets/{packet.pk}/").status_code == 404
    assert stranger.post(f"/reception/packets/{packet.pk}/answer/", {"answer": "receive"}).status_code == 404
    assert stranger.get(f"/people/{person.pk}/packet/").status_code == 404
    assert "SOK" not in stranger.get("/reception/expected/").content.decode()


def test_the_packet_pages_are_in_khmer(person, caseworker, reception, officer, login):
    consent(person, caseworker, reception, ["health"])
    packet = prepare(person, caseworker, reception, medication="insulin")
    officer.language = "km"
    officer.save()
    desk = login(officer)
    for url in (f"/reception/packets/{packet.pk}/", "/reception/expected/"):
        body = desk.get(url).content.decode()
        assert "កញ្ចប់ព័ត៌មានមុនមកដល់" in body or "អ្នកមកដល់ដែលរំពឹងទុក" in body
        for english in ("Pre-arrival packet", "Expected arrival date", "Medication", "Expected arrivals"):
            assert english not in body, (url, english)
    caseworker.language = "km"
    caseworker.save()
    with translation.override("km"), pytest.raises(sharing.ConsentMissing, match="មិនគ្របដណ្តប់"):
        prepare(person, caseworker, reception, us_family="wife")


def test_the_reception_home_lists_the_expected_arrivals(person, caseworker, reception, officer, login):
    consent(person, caseworker, reception, [])
    prepare(person, caseworker, reception)
    body = login(officer).get("/").content.decode()
    assert 'data-testid="today-expected"' in body and "SOK Dara" in body and "Charter KH-12" in body
    assert AccessLog.objects.filter(user=officer, reason="home", object_ids__contains=str(person.pk)).exists()


def test_a_packet_follows_its_own_consent_even_beside_an_older_referral(
    person, caseworker, reception, officer
):
    """A referral sent months ago under a journey-only consent is still waiting; the person now agrees to
    share health needs too: the packet carries them (its consent), and rides on the waiting referral."""
    consent(person, caseworker, reception, ["journey"])
    older = sharing.refer(
        person=person, to_organisation=reception, purpose="meet the flight", user=caseworker
    )
    consent(person, caseworker, reception, ["journey", "health"])
    packet = prepare(person, caseworker, reception, medication="insulin")
    assert packet.referral == older and handover.covered(packet) == {"health_needs", "medication"}
    assert "insulin" in str(handover.packet_access(officer, packet.pk).medication)


def test_a_packet_typed_when_the_session_ended_comes_back_after_the_login(
    person, caseworker, reception, login
):
    """Typing is never lost (docs/forms.md): the packet's free text is kept, encrypted, and shown again."""
    from crossings.accounts.models import Draft
    from tests.test_typing_is_never_lost import end_session, log_in, next_of, raw_drafts

    consent(person, caseworker, reception, ["contact"])
    advocate = login(caseworker)
    advocate.get(f"/people/{person.pk}/packet/")
    end_session(advocate)
    response = advocate.post(
        f"/people/{person.pk}/packet/",
        {
            "to_organisation": reception.pk,
            "flight": "KH-12",
            "contacts_cambodia": "aunt Sophal in Battambang",
        },
    )
    next_url = next_of(response)
    assert "Sophal" not in raw_drafts() and not Packet.objects.exists()

    log_in(advocate, caseworker.username, next_url)
    assert advocate.get(next_url)["Location"] == f"/people/{person.pk}/packet/"
    page = advocate.get(f"/people/{person.pk}/packet/").content.decode()
    assert "aunt Sophal in Battambang" in page and 'value="KH-12"' in page
    assert not Packet.objects.exists() and not Draft.objects.exists()
