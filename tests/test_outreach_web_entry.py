"""Web entry at the drop-in centre: Khmer or Latin names give one client, names are never stored, a code
one slip away asks for confirmation; the API records the same encounter."""

from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crossings.accounts.roles import OrgKind, Role
from crossings.outreach.models import Client, Encounter, Site

pytestmark = pytest.mark.django_db


def today() -> str:
    """Asked when used, not when the file is imported: a run may cross midnight."""
    return timezone.localdate().isoformat()


@pytest.fixture
def org(make_org: Any) -> Any:
    return make_org("Outreach web", OrgKind.OUTREACH, "KH")


@pytest.fixture
def worker(make_user: Any, org: Any) -> Any:
    return make_user(Role.OUTREACH_WORKER, org)


def form(**extra: Any) -> dict[str, Any]:
    return {
        "date": today(),
        "district": "Chamkar Mon",
        "mother_name": "ដារា",
        "father_name": "សុខ",
        "birth_order": "2",
        "birth_date": "1985-03-07",
        "sex": "male",
        "key_population": "pwid",
        "needles_syringes": "10",
        "condoms": "0",
        "naloxone": "0",
        "swabs": "0",
        "hiv_test": "not_done",
        "referral": "",
    } | extra


def test_khmer_then_latin_names_reach_the_same_client(worker: Any, login: Any) -> None:
    client = login(worker)
    assert client.post("/outreach/encounters/new/", form()).status_code == 302
    assert (
        client.post("/outreach/encounters/new/", form(mother_name="Dara", father_name="Sok")).status_code
        == 302
    )
    assert Client.objects.get().uic == "DASO0207031985"
    assert Encounter.objects.count() == 2


def test_no_name_is_stored_anywhere_in_outreach_tables(worker: Any, login: Any) -> None:
    login(worker).post("/outreach/encounters/new/", form(mother_name="Chanthou", father_name="Vibol"))
    for model in apps.get_app_config("outreach").get_models():
        for row in model.objects.values():
            text = repr(row)
            assert "Chanthou" not in text and "Vibol" not in text, model


def test_no_model_links_to_person() -> None:
    for model in apps.get_app_config("outreach").get_models():
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            assert related is None or related._meta.app_label != "people", f"{model.__name__}.{field.name}"


def test_bad_facts_are_shown_next_to_their_field(worker: Any, login: Any) -> None:
    response = login(worker).post("/outreach/encounters/new/", form(mother_name="", birth_order="0"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "mother" in errors["mother_name"][0] and "birth_order" in errors
    assert not Encounter.objects.exists()


def test_a_near_collision_asks_before_saving(worker: Any, login: Any) -> None:
    client = login(worker)
    client.post("/outreach/encounters/new/", form())
    response = client.post("/outreach/encounters/new/", form(birth_date="1985-03-08"))
    assert response.status_code == 200
    assert b'data-testid="near-collision"' in response.content and b"DASO0207031985" in response.content
    assert Encounter.objects.count() == 1
    confirmed = client.post("/outreach/encounters/new/", form(birth_date="1985-03-08", different_client="on"))
    assert confirmed.status_code == 302
    assert Client.objects.count() == 2


def test_pages_answer_with_few_queries(
    worker: Any, login: Any, org: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(worker)
    site = Site.objects.create(organisation=org, name="BKK")
    for i in range(5):
        client.post(
            "/outreach/encounters/new/",
            form(birth_order=str(i + 1), site=str(site.pk), different_client="on"),
        )
    for url in (
        "/outreach/",
        "/outreach/encounters/",
        "/outreach/supplies/",
        "/outreach/supplies/reconciliation/",
        "/outreach/submissions/",
    ):
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200, url


def test_api_records_an_encounter_from_names(worker: Any, login: Any) -> None:
    body = {
        "date": today(),
        "district": "Daun Penh",
        "mother_name": "ស្រីមុំ",
        "father_name": "Chhun",
        "birth_order": None,
        "birth_date": "1990-12-01",
        "key_population": "pwid",
        "needles_syringes": 5,
    }
    response = login(worker).post("/api/outreach/encounters", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["encounter"]["uic"] == "SRJO9901121990"
    bad = login(worker).post(
        "/api/outreach/encounters", body | {"birth_date": None}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "birth_date"
    listed = login(worker).get("/api/outreach/encounters").json()
    assert listed["count"] == 1 and listed["results"][0]["uic"] == "SRJO9901121990"


def test_home_page_stock_warnings_cost_the_same_however_many_sites(
    org: Any, worker: Any, login: Any, django_assert_num_queries: Any
) -> None:
    client = login(worker)
    Site.objects.create(organisation=org, name="BKK")
    client.get("/outreach/")
    with CaptureQueriesContext(connection) as one_site:
        assert client.get("/outreach/").status_code == 200
    for i in range(6):
        Site.objects.create(organisation=org, name=f"Hot spot {i}")
    with django_assert_num_queries(len(one_site.captured_queries)):
        response = client.get("/outreach/")
    assert response.content.decode().count("Stock-out") == 7 * 5  # every item at every site is at zero


def test_no_key_population_is_chosen_for_the_worker(worker: Any, login: Any) -> None:
    """An encounter without a key population is refused, not counted as a person who injects drugs."""
    page = login(worker).get("/outreach/encounters/new/").content.decode()
    select = page.split('id="id_key_population"')[1].split("</select>")[0]
    assert '<option value="" selected>' in select
    response = login(worker).post("/outreach/encounters/new/", form(key_population=""))
    assert response.status_code == 200 and "key_population" in response.context["form"].errors
    assert not Encounter.objects.exists()


def test_a_refused_form_starts_with_a_summary_linking_to_each_field(worker: Any, login: Any) -> None:
    response = login(worker).post("/outreach/encounters/new/", form(mother_name="", birth_order="0"))
    page = response.content.decode()
    summary = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_mother_name"' in summary and 'href="#id_birth_order"' in summary
    assert page.index('data-testid="error-summary"') < page.index('id="id_mother_name"')


def test_reconciliation_names_the_items_in_the_readers_language(worker: Any, login: Any, org: Any) -> None:
    client = login(worker)
    site = Site.objects.create(organisation=org, name="BKK")
    client.post("/outreach/encounters/new/", form(site=str(site.pk), different_client="on"))
    worker.language = "km"
    worker.save(update_fields=["language"])
    page = client.get("/outreach/supplies/reconciliation/").content.decode()
    assert "needles_syringes" not in page.split("<tbody>")[1]
    assert "ម្ជុល" in page.split("<tbody>")[1]
