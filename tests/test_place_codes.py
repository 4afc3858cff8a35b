"""Cambodia's official place codes (issue 17, item 4): places are stored as the ministry's codes, read from a
code or a name in either script, shown in the reader's language, offered as pick lists that follow each
other, and counted by code, so "មានជ័យ" and "Mean Chey" are one district everywhere."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from crossings import gazetteer
from crossings.accounts.roles import OrgKind, Role
from crossings.errors import Refused
from crossings.outreach.models import Client, Encounter, Site

ALL = list(gazetteer._places().values())
TWICE = {f"2503{n}" for n in range(14, 22)}  # eight communes called Kokir (គគីរ) in district 2503 (2025 list)


def test_the_list_is_the_ministrys() -> None:
    levels = [p.level for p in ALL]
    assert (levels.count("province"), levels.count("district"), levels.count("commune")) == (25, 210, 1661)
    assert gazetteer.DATA_YEAR == 2025
    assert gazetteer.place("1206") == gazetteer.Place("district", "1206", "មានជ័យ", "Mean Chey", "12")


@pytest.mark.parametrize("language", ["en", "km"])
def test_every_code_round_trips_through_its_name_in_both_languages(language: str) -> None:
    """Each place's name, in the language shown to the reader, is read back as that place inside its parent:
    what a worker picks or types is what is stored."""
    wrong = []
    with translation.override(language):
        for place in ALL:
            name = gazetteer.name(place.code)
            assert name == (place.name_km if language == "km" else place.name_en)
            if place.code in TWICE:
                continue  # refused, see the test below
            if gazetteer.read_place(place.level, name, parent=place.parent) != place.code:
                wrong.append(place)
    assert not wrong, wrong


def test_a_name_the_list_gives_twice_in_one_district_is_refused_with_every_code() -> None:
    # The ministry's 2025 list has eight communes called Kokir (គគីរ) in district 2503: a name alone cannot
    # say which one is meant, and guessing would count people in the wrong commune.
    for text in ("Kokir", "គគីរ", "Khum Kokir"):
        with pytest.raises(Refused) as refused:
            gazetteer.read_place("commune", text, parent="2503")
        assert "250314" in str(refused.value) and "250315" in str(refused.value)
    assert gazetteer.read_place("commune", "250315", parent="2503") == "250315"


@given(st.sampled_from(ALL), st.sampled_from(["code", "khmer digits", "padded", "spaced", "upper"]))
def test_any_way_of_writing_a_code_or_name_reads_as_the_same_place(place: Any, form: str) -> None:
    text = {
        "code": place.code,
        "khmer digits": place.code.translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")),
        "padded": f"  {place.code} ",
        "spaced": place.name_en.replace(" ", ""),
        "upper": place.name_en.upper(),
    }[form]
    if place.code in TWICE and form in ("spaced", "upper"):
        with pytest.raises(Refused):
            gazetteer.read_place(place.level, text, parent=place.parent)
        return
    assert gazetteer.read_place(place.level, text, parent=place.parent) == place.code


@pytest.mark.parametrize(
    "given_places, codes",
    [
        ({"district": "Mean Chey"}, ("12", "1206", "")),
        ({"district": "មានជ័យ"}, ("12", "1206", "")),
        ({"district": "ខណ្ឌមានជ័យ"}, ("12", "1206", "")),
        ({"district": "Khan Mean Chey"}, ("12", "1206", "")),
        ({"province": "ភ្នំពេញ", "district": "Meanchey"}, ("12", "1206", "")),
        ({"district": "Daun Penh"}, ("12", "1202", "")),  # the spelling on street signs
        ({"province": "Kandal Province"}, ("08", "", "")),
        ({"district": "Chamkar Mon", "commune": "Tonle Basak"}, ("12", "1201", "120101")),
        ({"commune": "120101"}, ("12", "1201", "120101")),
        ({}, ("", "", "")),
    ],
)
def test_places_given_together_are_read_each_inside_the_one_above(given_places: Any, codes: Any) -> None:
    got = gazetteer.read_places(**given_places)
    assert (got["province"], got["district"], got["commune"]) == codes


def test_a_place_not_in_the_list_is_refused_with_the_nearest_names_never_guessed() -> None:
    with pytest.raises(Refused) as caught:
        gazetteer.read_places(district="Mean Cheyy")
    message = caught.value.message_dict["district"][0]
    assert "Mean Cheyy is not a district in the official list (2025)." in message
    assert "Mean Chey (1206)" in message
    with pytest.raises(Refused) as caught:
        gazetteer.read_places(province="Kandal", district="Chamkar Mon", commune="Nowhere")
    assert set(caught.value.message_dict) == {"district"}  # the commune is not judged inside a wrong district
    assert "is not a district of Kandal" in caught.value.message_dict["district"][0]
    with translation.override("km"), pytest.raises(Refused) as caught:
        gazetteer.read_places(district="Mean Cheyy")
    message = caught.value.message_dict["district"][0]
    assert "មានជ័យ (1206)" in message and "not a district" not in message


def test_input_is_cut_before_any_lookup() -> None:
    with pytest.raises(Refused) as caught:
        gazetteer.read_place("district", "x" * 100_000)
    assert len(caught.value.message_dict["district"][0]) < 400


# --- on the pages, the API and in the counts -----------------------------------------------------------


@pytest.fixture
def org(make_org: Any) -> Any:
    return make_org("Outreach places", OrgKind.OUTREACH, "KH")


@pytest.fixture
def worker(make_user: Any, org: Any) -> Any:
    return make_user(Role.OUTREACH_WORKER, org)


def form(**extra: Any) -> dict[str, Any]:
    return {
        "date": timezone.localdate().isoformat(),
        "province": "12",
        "district": "1206",
        "uic": "DASO0207031985",
        "sex": "male",
        "key_population": "pwid",
        "needles_syringes": "10",
        "condoms": "0",
        "naloxone": "0",
        "swabs": "0",
        "hiv_test": "not_done",
        "referral": "",
    } | extra


@pytest.mark.django_db
def test_the_form_offers_pick_lists_in_the_readers_language(worker: Any, login: Any) -> None:
    worker.language = "km"
    worker.save()
    client = login(worker)
    page = client.get("/outreach/encounters/new/").content.decode()
    assert '<select name="district"' in page and "មានជ័យ" in page
    worker.language = "en"
    worker.save()
    page = client.get("/outreach/encounters/new/").content.decode()
    # no province chosen: every district, grouped by province; the province list reloads it
    assert '<optgroup label="Phnom Penh">' in page and '<option value="1206">Mean Chey</option>' in page
    assert 'hx-get="/places/district/options"' in page and 'hx-target="#id_district"' in page
    # after a province and district are posted, the lists show that province's districts and communes
    page = client.post("/outreach/encounters/new/", form(uic="bad")).content.decode()
    assert "Sammeakki Mean Chey" not in page  # another province's district
    assert '<option value="120611">' in page  # a commune of Mean Chey


@pytest.mark.django_db
def test_the_lists_below_follow_the_one_above(worker: Any, login: Any) -> None:
    client = login(worker)
    districts = client.get("/places/district/options", {"province": "12"}).content.decode()
    assert districts.count("<option") == 15 and 'value="1206"' in districts and "optgroup" not in districts
    communes = client.get("/places/commune/options", {"district": "1206"}).content.decode()
    assert 'value="120611"' in communes and 'value="120101"' not in communes
    nowhere = client.get("/places/commune/options", {"district": "nowhere"}).content.decode()
    assert nowhere.count("<option") == 1
    assert client.get("/places/village/options").status_code == 404
    anonymous = client.__class__()
    assert anonymous.get("/places/district/options", {"province": "12"}).status_code == 302


@pytest.mark.django_db
def test_a_khmer_name_and_an_english_name_store_one_code(worker: Any, login: Any) -> None:
    client = login(worker)
    assert client.post("/outreach/encounters/new/", form(province="", district="មានជ័យ")).status_code == 302
    body = {"date": timezone.localdate().isoformat(), "district": "Mean Chey", "uic": "DASO0207031985"}
    response = client.post("/api/outreach/encounters", body, content_type="application/json")
    assert response.status_code in (200, 201), response.content
    assert set(Encounter.objects.values_list("province", "district")) == {("12", "1206")}
    assert Client.objects.get().district == "1206"


@pytest.mark.django_db
def test_a_district_outside_its_province_is_refused_beside_the_field(worker: Any, login: Any) -> None:
    client = login(worker)
    response = client.post("/outreach/encounters/new/", form(province="08", district="1206"))
    assert response.status_code == 200
    assert response.context["form"].errors["district"] == [
        "Mean Chey is not a district of Kandal in the official list (2025)."
    ]
    body = {"date": timezone.localdate().isoformat(), "district": "Nowhere", "uic": "DASO0207031985"}
    response = client.post("/api/outreach/encounters", body, content_type="application/json")
    assert response.status_code == 422
    assert "Nowhere is not a district" in response.content.decode()
    assert not Encounter.objects.exists()


@pytest.mark.django_db
def test_counts_by_district_and_province_name_the_places(
    worker: Any, login: Any, django_assert_num_queries: Any
) -> None:
    client = login(worker)
    for district in ("មានជ័យ", "Mean Chey", "Chamkar Mon"):
        response = client.post("/outreach/encounters/new/", form(province="", district=district))
        assert response.status_code == 302
    month = timezone.localdate().strftime("%Y-%m")
    worker.language = "km"
    worker.save()
    client.get("/outreach/indicators/by/site/", {"month": month})  # warm the session
    with django_assert_num_queries(4):  # session, user, roles; the breakdown (as for every breakdown)
        page = client.get(
            "/outreach/indicators/by/district/", {"month": month}, HTTP_HX_REQUEST="true"
        ).content.decode()
    rows = {name: page.split(f"<th>{name}</th><td>")[1].split("<")[0] for name in ("មានជ័យ", "ចំការមន")}
    assert rows == {"មានជ័យ": "1", "ចំការមន": "1"}  # one client each: same UIC, one district as one code
    worker.language = "en"
    worker.save()
    page = client.get("/outreach/indicators/by/province/", {"month": month}).content.decode()
    assert "<th>Phnom Penh</th>" in page


@pytest.mark.django_db
def test_places_typed_before_the_codes_become_codes_unknown_ones_stay_as_typed(org: Any, worker: Any) -> None:
    migration = importlib.import_module("crossings.outreach.migrations.0004_place_codes")
    site = Site.objects.create(organisation=org, name="Drop-in", province="Phnom Penh", district="Daun Penh")
    other = Site.objects.create(organisation=org, name="Hot spot", district="Somewhere we made up")
    client = Client.objects.create(
        organisation=org,
        uic="DASO0207031985",
        district="មានជ័យ",
        first_seen="2026-01-01",
        last_seen="2026-01-01",
    )
    Encounter.objects.create(
        organisation=org, client=client, date="2026-01-01", worker=worker, district="Tuol Kork", commune="x"
    )
    migration.forwards(apps, None)
    site.refresh_from_db()
    other.refresh_from_db()
    client.refresh_from_db()
    assert (site.province, site.district) == ("12", "1202")
    assert other.district == "Somewhere we made up"
    assert gazetteer.name(other.district) == "Somewhere we made up"  # shown as typed
    assert client.district == "1206"
    assert Encounter.objects.values_list("province", "district", "commune").get() == ("12", "1204", "x")


# --- on the phones (ODK Collect) ----------------------------------------------------------------------


def test_the_phone_form_offers_cascading_selects_of_the_codes() -> None:
    from tests.test_openrosa_exchange import compiled_form

    xml = compiled_form().xml
    assert "instance('district')/root/item[province= /data/province ]" in xml
    assert "instance('commune')/root/item[district= /data/district ]" in xml
    assert ">1206<" in xml and "មានជ័យ" in xml and "Mean Chey" in xml  # both labels of each code


@pytest.mark.django_db
def test_a_phone_sends_codes_and_they_are_stored_as_sent(client: Any, make_user: Any, org: Any) -> None:
    from crossings.outreach.models import Submission
    from crossings.outreach.odk.auth import set_credential
    from tests.test_openrosa_exchange import (
        ENCOUNTER,
        ODK_PASSWORD,
        compiled_form,
        message,
        post,
        submission_xml,
    )

    user = make_user(Role.OUTREACH_WORKER, org, username="vanna")
    set_credential(user=user, organisation=org, password=ODK_PASSWORD, by=None)
    codes = {"province": "12", "district": "1201", "commune": "120101"}
    response = post(client, submission_xml(compiled_form().xml, ENCOUNTER | codes))
    assert response.status_code == 201, message(response)
    assert Encounter.objects.values_list("province", "district", "commune").get() == ("12", "1201", "120101")
    # a phone still on the form of typed names, or a list edited by hand, is read or refused the same way
    response = post(client, submission_xml(compiled_form().xml, ENCOUNTER | codes | {"province": "08"}))
    assert response.status_code == 422
    assert "Chamkar Mon is not a district of Kandal" in message(response)
    assert Submission.objects.filter(status=Submission.Status.FAILED).count() == 1


# --- where a returnee lives (reception intake) --------------------------------------------------------


@pytest.mark.django_db
def test_the_intake_records_where_the_person_lives_as_codes(
    make_user: Any, reception: Any, login: Any
) -> None:
    from crossings.people.models import Person
    from crossings.reception.models import Assessment

    officer = make_user(Role.CASEWORKER, reception)
    person = Person.objects.create(organisation=reception, family_name="Keo", given_name="Bopha")
    client = login(officer)
    page = client.get(f"/people/{person.pk}/reception/").content.decode()
    assert 'name="assessment-district"' in page and 'hx-target="#id_assessment-commune"' in page
    # the commune list follows the prefixed district select
    communes = client.get("/places/commune/options", {"assessment-district": "1201"}).content.decode()
    assert 'value="120101"' in communes
    post = {"assessment-taken_on": "2026-03-10", "assessment-khmer_level": "basic"}
    client.post(f"/people/{person.pk}/reception/assessments/", post | {"assessment-district": "ចំការមន"})
    assert Assessment.objects.values_list("province", "district", "commune").get() == ("12", "1201", "")
    response = client.post(
        f"/api/people/{person.pk}/assessments",
        {"district": "Mean Chey", "commune": "Chak Angrae Leu"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    latest = Assessment.objects.get(version=2)
    assert (latest.province, latest.district, latest.commune) == ("12", "1206", "120606")
    page = client.get(f"/people/{person.pk}/reception/").content.decode()
    assert "Chak Angrae Leu, Mean Chey, Phnom Penh" in page
    assert "“Chamkar Mon” → “Mean Chey”" in page  # compared by name, not by code
    response = client.post(
        f"/api/people/{person.pk}/assessments",
        {"province": "Kandal", "district": "Mean Chey"},
        content_type="application/json",
    )
    assert (
        response.status_code == 422 and "Mean Chey is not a district of Kandal" in response.content.decode()
    )
    assert Assessment.objects.count() == 2


@pytest.mark.django_db
def test_a_site_typed_in_the_back_office_is_stored_as_codes(org: Any) -> None:
    site = Site(organisation=org, name="Drop-in", district="Tuol Kork")
    site.full_clean()
    assert (site.province, site.district) == ("12", "1204")
    with pytest.raises(ValidationError) as caught:
        Site(organisation=org, name="Elsewhere", province="Kandal", district="Tuol Kork").full_clean()
    assert caught.value.message_dict == {
        "district": ["Tuol Kork is not a district of Kandal in the official list (2025)."]
    }
