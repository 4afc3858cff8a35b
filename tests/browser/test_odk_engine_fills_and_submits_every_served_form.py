"""ODK's own XForms engine (@getodk/xforms-engine, the engine of ODK Web Forms) is the judge of the forms we
serve, not our own reading of them: in real Chromium, as an outreach worker's phone, it follows formList →
downloadUrl and the manifest's media, loads each served form with its attachments, is answered in Khmer the
way a worker taps through it (only the questions it shows, only the choices it offers: the district list
holds only the chosen province's districts), serialises the instance itself and posts it to
/openrosa/submission, which must answer 201 and record the encounter. The encrypted variant is loaded,
filled and serialised by the engine too; the engine does not encrypt (ODK Web Forms refuses encrypted
forms), so the engine's own instance is then encrypted exactly as ODK Collect does it before posting.

The engine bundle is built from the npm registry by `make odk-engine` (tests/odk_engine/)."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import defusedxml.ElementTree as SafeET
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command
from django.utils import timezone, translation

from crossings import gazetteer
from crossings.accounts.roles import OrgKind, Role
from crossings.outreach.encounters import EncounterData, record_encounter
from crossings.outreach.followup import Reason
from crossings.outreach.models import Encounter, Referral, Site, Submission
from crossings.outreach.odk.auth import set_credential
from crossings.outreach.odk.forms_registry import upload_form
from crossings.outreach.odk.xlsforms import ENCOUNTER_FORM_ID, build_encounter_xlsx
from tests.browser.conftest import screenshot
from tests.test_openrosa_encrypted_submissions import collect_encrypt, pem_file
from tests.test_openrosa_exchange import ODK_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

ENGINE = Path(__file__).resolve().parents[2] / "build" / "odk-engine.js"
OPENROSA = "{http://openrosa.org/xforms/xformsList}"
MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"
PAGE = "/odk-engine-test/"  # answered by the test itself (page.route), on the live server's origin
ENCRYPTED_VERSION = "2026120401"

# A worker's taps, in order: the engine must show each question at that point and offer each choice.
ANSWERS: list[tuple[str, str]] = [
    ("encounter_date", "2026-11-30"),
    ("province", "12"),  # Phnom Penh
    ("district", "1201"),  # Chamkar Mon: offered only once Phnom Penh is chosen
    ("commune", "120101"),  # Tonle Basak
    ("hot_spot", "Riverside"),
    ("uic_known", "no"),
    ("mother_name", "ដារា"),
    ("father_name", "សុខ"),
    ("birth_order", "2"),
    ("birth_date", "1985-03-07"),
    ("sex", "male"),
    ("key_population", "pwid"),
    ("needles_syringes", "20"),
    ("condoms", "10"),
    ("hiv_test", "non_reactive"),
    ("referral", "ost"),
    ("referral_completed", "no"),
]


@pytest.fixture(scope="module")
def engine_js() -> str:
    if not ENGINE.exists():
        if os.environ.get("CROSSINGS_REQUIRE_BROWSER"):
            pytest.fail(f"{ENGINE} is missing: `make odk-engine` builds it from the npm registry")
        pytest.skip(f"{ENGINE} not built (make odk-engine needs npm)")
    return ENGINE.read_text()


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def a_worker(make_org: Callable[..., Any], make_user: Callable[..., Any], name: str, username: str) -> Any:
    org = make_org(name, OrgKind.OUTREACH, "KH")
    user = make_user(Role.OUTREACH_WORKER, org, username=username)
    set_credential(user=user, organisation=org, password=ODK_PASSWORD, by=None)
    Site.objects.create(organisation=org, name="Drop-in Boeung Keng Kang", district="1201")
    return org


@pytest.fixture
def phone_of(browser: Any, live_server: Any, engine_js: str) -> Iterator[Callable[[str], Any]]:
    """A 360 px phone holding the worker's ODK credentials (Chromium answers the Digest challenge) with
    the engine loaded on a blank page of the server's own origin, so its fetches are same-origin."""
    contexts: list[Any] = []

    def open_phone(username: str) -> Any:
        context = browser.new_context(
            viewport={"width": 360, "height": 740},
            is_mobile=True,
            http_credentials={"username": username, "password": ODK_PASSWORD},
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        html = (
            '<!doctype html><meta charset="utf-8"><title>ODK engine</title>'
            f'<script type="module" src="{PAGE}engine.js"></script>'
        )
        page.route(
            f"{live_server.url}{PAGE}", lambda route: route.fulfill(body=html, content_type="text/html")
        )
        page.route(
            f"{live_server.url}{PAGE}engine.js",
            lambda route: route.fulfill(body=engine_js, content_type="text/javascript"),
        )
        page.goto(live_server.url + PAGE)
        page.wait_for_function("window.odkEngine !== undefined")
        return page

    yield open_phone
    for context in contexts:
        context.close()


def served_forms(page: Any) -> list[dict[str, Any]]:
    """formList → each form's downloadUrl and its manifest's media, read as a phone reads them."""
    listing = page.evaluate(
        "async () => (await fetch('/openrosa/formList', {headers: {'X-OpenRosa-Version': '1.0'}})).text()"
    )
    forms = []
    for xform in SafeET.fromstring(listing).iter(f"{OPENROSA}xform"):
        download = xform.findtext(f"{OPENROSA}downloadUrl") or ""
        manifest_url = xform.findtext(f"{OPENROSA}manifestUrl") or ""
        form_xml = page.evaluate("async url => (await fetch(url)).text()", urlparse(download).path)
        media: dict[str, str] = {}
        if manifest_url:
            manifest = page.evaluate("async url => (await fetch(url)).text()", urlparse(manifest_url).path)
            for file in SafeET.fromstring(manifest).iter(f"{MANIFEST}mediaFile"):
                name = file.findtext(f"{MANIFEST}filename") or ""
                media[name] = urlparse(file.findtext(f"{MANIFEST}downloadUrl") or "").path
        forms.append(
            {
                "form_id": xform.findtext(f"{OPENROSA}formID"),
                "version": xform.findtext(f"{OPENROSA}version"),
                "xml": form_xml,
                "media": media,
            }
        )
    return forms


def fill(page: Any, form: dict[str, Any], language: str | None = "Khmer (km)") -> dict[str, Any]:
    return page.evaluate(
        "job => window.odkEngine.fill(job)",
        {"formXml": form["xml"], "media": form["media"], "language": language, "answers": ANSWERS},
    )


def submit(page: Any, parts: list[dict[str, str]]) -> dict[str, Any]:
    return page.evaluate("parts => window.odkEngine.submit('/openrosa/submission', parts)", parts)


def assert_filled_as_a_worker_would(result: dict[str, Any]) -> None:
    assert result["status"] == "ready", result["violations"]
    shown = {entry["name"]: entry for entry in result["shown"]}
    # Khmer labels from the form itself, and the cascade: Phnom Penh's districts only, Chamkar Mon's communes
    assert shown["province"]["label"] == "ខេត្ត"
    assert shown["province"]["choiceLabel"] == gazetteer.place("12").name_km  # រាជធានីភ្នំពេញ
    assert 0 < shown["district"]["offered"] < 20, shown["district"]
    assert shown["district"]["choiceLabel"] == gazetteer.place("1201").name_km
    assert 0 < shown["commune"]["offered"] < 20
    assert "uic" in result["hidden"]  # the worker said the client does not know their code
    assert sorted(result["fetched"]) == ["clients_due.csv", "sites.csv"]
    assert result["notes"] == []  # a client who does not know their code is not looked up


def test_the_engine_fills_and_submits_the_built_in_form(
    phone_of: Callable[[str], Any], make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    org = a_worker(make_org, make_user, "Street outreach (engine)", "vanna")
    page = phone_of("vanna")

    forms = served_forms(page)

    assert [f["form_id"] for f in forms] == [ENCOUNTER_FORM_ID]
    result = fill(page, forms[0])
    assert_filled_as_a_worker_would(result)
    assert result["encryptionKey"] is None
    assert "Khmer (km)" in result["languages"] and "English (en)" in result["languages"]
    assert "<mother_name>" in result["xml"]  # the engine's instance, names and all, goes to the server…

    answer = submit(
        page,
        [
            {
                "field": "xml_submission_file",
                "filename": "submission.xml",
                "type": "text/xml",
                "text": result["xml"],
            }
        ],
    )

    assert answer["status"] == 201, answer["body"]
    submission = Submission.objects.get(organisation=org)
    assert submission.status == Submission.Status.PARSED, submission.reason
    assert "ដារា".encode() not in bytes(submission.xml)  # …which keeps only the letters the code needs
    encounter = Encounter.objects.get(organisation=org)
    assert (encounter.province, encounter.district, encounter.commune) == ("12", "1201", "120101")
    assert encounter.needles_syringes == 20 and encounter.key_population == "pwid"
    assert encounter.client.uic.endswith("0207031985")
    # The phone sending the same instance again (lost connection) is told it arrived, once.
    again = submit(
        page,
        [
            {
                "field": "xml_submission_file",
                "filename": "submission.xml",
                "type": "text/xml",
                "text": result["xml"],
            }
        ],
    )
    assert again["status"] == 202, again["body"]
    assert Encounter.objects.filter(organisation=org).count() == 1
    screenshot(page, "odk-engine-built-in-form")


def test_the_engine_fills_the_encrypted_variant_which_collect_encryption_then_sends(
    phone_of: Callable[[str], Any],
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    key: rsa.RSAPrivateKey,
    tmp_path: Path,
) -> None:
    org = a_worker(make_org, make_user, "Street outreach (encrypted, engine)", "sokha")
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public_key = base64.b64encode(der).decode()
    upload_form(
        organisation_id=org.pk,
        data=build_encounter_xlsx(version=ENCRYPTED_VERSION, public_key=public_key),
        by=None,
    )
    page = phone_of("sokha")

    forms = served_forms(page)

    assert [(f["form_id"], f["version"]) for f in forms] == [(ENCOUNTER_FORM_ID, ENCRYPTED_VERSION)]
    result = fill(page, forms[0])
    assert_filled_as_a_worker_would(result)
    assert result["encryptionKey"] == public_key  # the engine read the key from the served form
    manifest, uploads = collect_encrypt(result["xml"].encode(), [], key.public_key())
    parts = [
        {
            "field": "xml_submission_file",
            "filename": "submission.xml",
            "type": "text/xml",
            "text": manifest.decode(),
        }
    ]
    for i, upload in enumerate(uploads):
        parts.append(
            {
                "field": f"file{i}",
                "filename": upload.name,
                "type": "application/octet-stream",
                "base64": base64.b64encode(upload.read()).decode(),
            }
        )

    answer = submit(page, parts)

    assert answer["status"] == 201, answer["body"]
    submission = Submission.objects.get(organisation=org)
    assert submission.status == Submission.Status.ENCRYPTED
    call_command("outreach_decrypt", "--key", str(pem_file(tmp_path, key)), "--org", org.name, verbosity=0)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PARSED, submission.reason
    encounter = Encounter.objects.get(organisation=org)
    assert (encounter.province, encounter.district, encounter.commune) == ("12", "1201", "120101")
    assert encounter.needles_syringes == 20


def test_the_engine_refuses_what_the_form_forbids(
    phone_of: Callable[[str], Any], make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    """The judge can fail: a district outside the chosen province is not offered, a birth order of 100
    breaks the form's constraint — the same rules the server applies, seen from ODK's side."""
    a_worker(make_org, make_user, "Street outreach (refusals)", "dara")
    page = phone_of("dara")
    form = served_forms(page)[0]
    job = {"formXml": form["xml"], "media": form["media"], "language": None}

    outside = [("province", "02"), ("district", "1201")]  # Battambang, then a Phnom Penh district
    with pytest.raises(Exception, match="district: 1201 is not among"):
        page.evaluate("job => window.odkEngine.fill(job)", {**job, "answers": outside})
    too_big = [("uic_known", "no"), ("birth_order", "100")]
    with pytest.raises(Exception, match="birth_order = 100: constraint"):
        page.evaluate("job => window.odkEngine.fill(job)", {**job, "answers": too_big})
    hidden = [("uic_known", "no"), ("uic", "DASO0207031985")]
    with pytest.raises(Exception, match="uic is not shown"):
        page.evaluate("job => window.odkEngine.fill(job)", {**job, "answers": hidden})


def test_the_phone_says_why_a_known_client_is_due_a_follow_up(
    phone_of: Callable[[str], Any], make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    """The engine loads clients_due.csv from the manifest and its pulldata() finds the code typed: the
    note tells the worker, in Khmer, why the client is due; a code not on the list shows nothing."""
    org = a_worker(make_org, make_user, "Street outreach (follow-up)", "chanthy")
    worker = org.memberships.get().user
    data = EncounterData(uic="DASO0207031985", date=timezone.localdate(), district="1201", province="12")
    data.referral = Referral.OST
    assert not data.check()
    record_encounter(organisation_id=org.pk, worker=worker, data=data, check_collisions=False, warn=False)
    page = phone_of("chanthy")
    form = served_forms(page)[0]
    job = {"formXml": form["xml"], "media": form["media"], "language": "Khmer (km)"}

    due = page.evaluate(
        "job => window.odkEngine.fill(job)",
        {**job, "answers": [("uic_known", "yes"), ("uic", "DASO0207031985")]},
    )
    not_due = page.evaluate(
        "job => window.odkEngine.fill(job)",
        {**job, "answers": [("uic_known", "yes"), ("uic", "SRVI0112111990")]},
    )

    with translation.override("km"):
        reason = str(Reason.REFERRAL.label)
    assert [(n["name"], n["text"].strip()) for n in due["notes"]] == [("due_note", f"ដល់ពេលតាមដាន: {reason}")]
    assert not_due["notes"] == []
