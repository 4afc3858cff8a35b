"""The whole ODK Collect exchange, with submissions built from the real pyxform-compiled encounter form:
formList, form download, manifest, HEAD, POST, resend, conflict, edit, auth challenges, bad input."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element, tostring

import defusedxml.ElementTree as SafeET
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client

from crossings.accounts.roles import OrgKind, Role
from crossings.outreach.models import Client as OutreachClient
from crossings.outreach.models import Encounter, OpenRosaCredential, Site, StockMovement, Submission
from crossings.outreach.odk import auth as odk_auth
from crossings.outreach.odk import ingest as odk_ingest
from crossings.outreach.odk import views as odk_views
from crossings.outreach.odk.auth import MAX_FAILURES, REALM, _check, _credential, set_credential
from crossings.outreach.odk.ingest import _fields, redact_names
from crossings.outreach.odk.xlsforms import ENCOUNTER_FORM_ID, ENCOUNTER_XLSX, compile_xlsform

XF = "{http://www.w3.org/2002/xforms}"
ODK_PASSWORD = "odk-phone-password-1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def org(make_org: Callable[..., Any]) -> Any:
    return make_org("Outreach (test)", OrgKind.OUTREACH, "KH")


@pytest.fixture
def worker(make_user: Callable[..., Any], org: Any) -> Any:
    user = make_user(Role.OUTREACH_WORKER, org, username="vanna")
    set_credential(user=user, organisation=org, password=ODK_PASSWORD, by=None)
    return user


@pytest.fixture
def site(org: Any) -> Site:
    return Site.objects.create(organisation=org, name="Drop-in Boeung Keng Kang", district="BKK")


def basic(username: str = "vanna", password: str = ODK_PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}", "HTTP_X_OPENROSA_VERSION": "1.0"}


def digest_header(
    challenge: str, method: str, uri: str, username: str = "vanna", password: str = ODK_PASSWORD, nc: int = 1
) -> str:
    from urllib.request import parse_http_list, parse_keqv_list

    params = parse_keqv_list(parse_http_list(challenge.split(" ", 1)[1]))
    md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731, S324
    ha1 = md5(f"{username}:{params['realm']}:{password}")
    ha2 = md5(f"{method}:{uri}")
    cnonce, ncs = "0a4f113b", f"{nc:08x}"
    response = md5(f"{ha1}:{params['nonce']}:{ncs}:{cnonce}:auth:{ha2}")
    return (
        f'Digest username="{username}", realm="{params["realm"]}", nonce="{params["nonce"]}", uri="{uri}", '
        f'algorithm=MD5, response="{response}", opaque="{params["opaque"]}", qop=auth, nc={ncs}, '
        f'cnonce="{cnonce}"'
    )


def compiled_form() -> Any:
    return compile_xlsform(ENCOUNTER_XLSX.read_bytes())


def instance_template(xform_xml: str) -> Element:
    """The primary instance of the compiled XForm: what Collect fills in and sends back."""
    root = SafeET.fromstring(xform_xml.encode())
    instance = root.find(f"{{http://www.w3.org/1999/xhtml}}head/{XF}model/{XF}instance")
    assert instance is not None
    data = copy.deepcopy(next(iter(instance)))
    for el in data.iter():  # Collect sends the instance without the XForms default namespace
        el.tag = el.tag.replace(XF, "")
    data.set("xmlns:orx", "http://openrosa.org/xforms")
    return data


def submission_xml(
    xform_xml: str, values: dict[str, str], *, instance_id: str | None = None, deprecated_id: str = ""
) -> bytes:
    data = instance_template(xform_xml)
    leaves = {el.tag: el for el in data.iter() if len(el) == 0}
    unknown = set(values) - set(leaves)
    assert not unknown, f"not fields of the compiled form: {unknown}"
    for name, value in values.items():
        leaves[name].text = value
    leaves["instanceID"].text = instance_id or f"uuid:{uuid.uuid4()}"
    if deprecated_id:
        meta = data.find("meta")
        assert meta is not None
        dep = Element("deprecatedID")
        dep.text = deprecated_id
        meta.append(dep)
    return b'<?xml version="1.0" encoding="UTF-8"?>' + tostring(data, encoding="unicode").encode()


ENCOUNTER = {
    "encounter_date": "2026-03-10",
    "district": "Chamkar Mon",
    "province": "Phnom Penh",
    "uic_known": "no",
    "mother_name": "ដារា",
    "father_name": "Sok",
    "birth_order": "2",
    "birth_date": "1985-03-07",
    "sex": "male",
    "key_population": "pwid",
    "needles_syringes": "20",
    "condoms": "10",
    "hiv_test": "non_reactive",
    "referral": "ost",
    "referral_completed": "no",
}


def post(client: Client, xml: bytes, *files: SimpleUploadedFile, auth: dict[str, str] | None = None) -> Any:
    data: dict[str, Any] = {"xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml")}
    for i, f in enumerate(files):
        data[f"file{i}"] = f
    return client.post("/openrosa/submission", data, **(auth if auth is not None else basic()))


def message(response: Any) -> str:
    root = SafeET.fromstring(response.content)
    return root.find("{http://openrosa.org/http/response}message").text or ""


def test_formlist_offers_the_encounter_form_with_hash_and_manifest(client: Client, worker: Any) -> None:
    response = client.get("/openrosa/formList", **basic())
    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    assert int(response["X-OpenRosa-Accept-Content-Length"]) > 0
    assert response["Date"]
    ns = "{http://openrosa.org/xforms/xformsList}"
    xform = SafeET.fromstring(response.content).find(f"{ns}xform")
    compiled = compiled_form()
    assert xform.findtext(f"{ns}formID") == ENCOUNTER_FORM_ID
    assert xform.findtext(f"{ns}version") == compiled.version
    assert xform.findtext(f"{ns}hash") == f"md5:{compiled.md5}"
    assert xform.findtext(f"{ns}manifestUrl").endswith("/manifest")

    download = client.get(xform.findtext(f"{ns}downloadUrl"), **basic())
    assert download.status_code == 200
    assert "md5:" + hashlib.md5(download.content).hexdigest() == xform.findtext(f"{ns}hash")  # noqa: S324


def test_manifest_lists_the_sites_file_and_it_downloads(client: Client, worker: Any, site: Site) -> None:
    version = compiled_form().version
    response = client.get(f"/openrosa/forms/{ENCOUNTER_FORM_ID}/{version}/manifest", **basic())
    ns = "{http://openrosa.org/xforms/xformsManifest}"
    files = {
        m.findtext(f"{ns}filename"): m for m in SafeET.fromstring(response.content).iter(f"{ns}mediaFile")
    }
    assert sorted(files) == ["clients_due.csv", "sites.csv"]
    media = files["sites.csv"]
    csv = client.get(media.findtext(f"{ns}downloadUrl"), **basic())
    assert media.findtext(f"{ns}hash") == "md5:" + hashlib.md5(csv.content).hexdigest()  # noqa: S324
    assert f"site{site.pk},Drop-in Boeung Keng Kang" in csv.content.decode()


def test_head_submission_answers_204_with_headers(client: Client, worker: Any) -> None:
    response = client.head("/openrosa/submission", **basic())
    assert response.status_code == 204
    assert response["X-OpenRosa-Accept-Content-Length"]


def test_post_records_client_encounter_and_stock(
    client: Client, worker: Any, site: Site, django_assert_max_num_queries: Any
) -> None:
    xml = submission_xml(compiled_form().xml, ENCOUNTER | {"site": f"site{site.pk}"})
    photo = SimpleUploadedFile("photo.jpg", b"\xff\xd8jpeg", "image/jpeg")
    post(client, submission_xml(compiled_form().xml, ENCOUNTER))  # warm: the built-in form is stored once
    with django_assert_max_num_queries(30):
        response = post(client, xml, photo)
    assert response.status_code == 201, message(response)
    assert (
        SafeET.fromstring(response.content).find("{http://openrosa.org/http/response}message").get("nature")
        == "submit_success"
    )
    sub = Submission.objects.get(instance_id__startswith="uuid:", sha256=hashlib.sha256(xml).hexdigest())
    assert sub.status == Submission.Status.PARSED
    assert sub.attachments.get().data == b"\xff\xd8jpeg"
    enc = sub.encounter
    assert enc.client.uic == "DASO0207031985"  # Khmer ដារា and Latin Dara give DA
    assert (enc.needles_syringes, enc.referral, enc.source) == (20, "ost", "odk")
    moved = dict(StockMovement.objects.filter(encounter=enc).values_list("item", "quantity"))
    assert moved == {"needles_syringes": 20, "condoms": 10, "hiv_test_kits": 1}


def test_a_submission_costs_a_fixed_handful_of_statements(
    client: Client, worker: Any, site: Site, django_assert_num_queries: Any
) -> None:
    """The ingest budget (200/s on two cores, docs/performance.md) rests on this staying small: look up
    the credential, the user's memberships and the instance ID, then in one transaction the site, the
    client (one upsert), the encounter, its stock lines, the site's running balances (one upsert), the
    client's follow-up facts (one read of their encounters, one update) and the raw submission, with two
    savepoints."""
    form = compiled_form().xml
    post(client, submission_xml(form, ENCOUNTER))  # warm: the built-in form is stored once
    with django_assert_num_queries(16):
        response = post(client, submission_xml(form, ENCOUNTER | {"site": f"site{site.pk}"}))
    assert response.status_code == 201, message(response)


def test_names_never_reach_the_database(client: Client, worker: Any) -> None:
    xml = submission_xml(compiled_form().xml, ENCOUNTER | {"mother_name": "Sreymom", "father_name": "Vuthy"})
    assert post(client, xml).status_code == 201
    stored = bytes(Submission.objects.get().xml)
    assert b"Sreymom" not in stored and b"Vuthy" not in stored
    assert stored == redact_names(xml)
    fields = _fields(SafeET.fromstring(stored))
    assert fields["mother_name"] == "" and fields["father_name"] == ""


def test_identical_resend_is_success_and_stored_once(client: Client, worker: Any) -> None:
    xml = submission_xml(compiled_form().xml, ENCOUNTER)
    assert post(client, xml).status_code == 201
    again = post(client, xml)
    assert again.status_code == 202
    assert Submission.objects.count() == 1 and Encounter.objects.count() == 1


def test_same_instance_id_with_different_content_is_a_conflict(client: Client, worker: Any) -> None:
    iid = f"uuid:{uuid.uuid4()}"
    assert post(client, submission_xml(compiled_form().xml, ENCOUNTER, instance_id=iid)).status_code == 201
    other = submission_xml(compiled_form().xml, ENCOUNTER | {"condoms": "99"}, instance_id=iid)
    response = post(client, other)
    assert response.status_code == 409
    assert "same instance ID" in message(response)
    assert Encounter.objects.get().condoms == 10


def test_an_edit_replaces_the_encounter_and_keeps_history(client: Client, worker: Any, site: Site) -> None:
    form = compiled_form().xml
    first = f"uuid:{uuid.uuid4()}"
    assert (
        post(
            client, submission_xml(form, ENCOUNTER | {"site": f"site{site.pk}"}, instance_id=first)
        ).status_code
        == 201
    )
    edit = submission_xml(
        form, ENCOUNTER | {"site": f"site{site.pk}", "needles_syringes": "5"}, deprecated_id=first
    )
    assert post(client, edit).status_code == 201
    assert Submission.objects.count() == 2
    old = Submission.objects.get(instance_id=first)
    new = Submission.objects.exclude(pk=old.pk).get()
    assert old.status == Submission.Status.SUPERSEDED and new.replaces_id == old.pk
    enc = Encounter.objects.get()
    assert enc.needles_syringes == 5 and new.encounter_id == enc.pk
    assert StockMovement.objects.get(encounter=enc, item="needles_syringes").quantity == 5


def test_no_credentials_get_a_digest_challenge_not_a_redirect(client: Client, worker: Any) -> None:
    for url in ("/openrosa/formList", "/openrosa/submission"):
        response = client.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith('Digest realm="Crossings OpenRosa"')
        assert 'qop="auth"' in response["WWW-Authenticate"]
        assert response["X-OpenRosa-Version"] == "1.0"


def test_over_https_basic_is_offered_too(client: Client, worker: Any) -> None:
    response = client.get("/openrosa/formList", secure=True)
    assert 'Basic realm="Crossings OpenRosa"' in response["WWW-Authenticate"]
    assert client.get("/openrosa/formList", secure=True, **basic()).status_code == 200


def test_digest_authentication_works_end_to_end(client: Client, worker: Any) -> None:
    challenge = client.head("/openrosa/submission")["WWW-Authenticate"]
    head = client.head(
        "/openrosa/submission", HTTP_AUTHORIZATION=digest_header(challenge, "HEAD", "/openrosa/submission")
    )
    assert head.status_code == 204
    xml = submission_xml(compiled_form().xml, ENCOUNTER)
    auth = {"HTTP_AUTHORIZATION": digest_header(challenge, "POST", "/openrosa/submission", nc=2)}
    assert post(client, xml, auth=auth).status_code == 201


def test_digest_with_a_wrong_password_or_another_uri_is_refused(client: Client, worker: Any) -> None:
    challenge = client.get("/openrosa/formList")["WWW-Authenticate"]
    wrong = digest_header(challenge, "GET", "/openrosa/formList", password="not-the-password")
    assert client.get("/openrosa/formList", HTTP_AUTHORIZATION=wrong).status_code == 401
    elsewhere = digest_header(challenge, "GET", "/openrosa/submission")
    assert client.get("/openrosa/formList", HTTP_AUTHORIZATION=elsewhere).status_code == 401


@pytest.mark.parametrize(
    ("nonce", "response"),
    [
        ("²³.abc", "0" * 32),  # digits str.isdigit accepts and int() refuses
        ("9" * 5000 + ".abc", "0" * 32),  # longer than int() reads
        ("1700000000.é", "0" * 32),  # non-ASCII: compare_digest refuses such str
        (None, "é" * 32),  # a real nonce, a non-ASCII response
    ],
)
def test_a_malformed_digest_header_is_a_challenge_not_a_server_error(
    client: Client, worker: Any, nonce: str | None, response: str
) -> None:
    challenge = client.get("/openrosa/formList")["WWW-Authenticate"]
    real = challenge.split('nonce="')[1].split('"')[0]
    header = (
        f'Digest username="{worker.username}", realm="{REALM}", nonce="{nonce or real}", '
        f'uri="/openrosa/formList", response="{response}", qop=auth, nc=00000001, cnonce="x"'
    )
    answer = client.get("/openrosa/formList", HTTP_AUTHORIZATION=header)
    assert answer.status_code == 401 and answer["WWW-Authenticate"].startswith("Digest")


def test_an_expired_nonce_is_answered_stale(
    client: Client, worker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    challenge = client.get("/openrosa/formList")["WWW-Authenticate"]
    monkeypatch.setattr(odk_auth, "NONCE_SECONDS", -1)
    response = client.get(
        "/openrosa/formList", HTTP_AUTHORIZATION=digest_header(challenge, "GET", "/openrosa/formList")
    )
    assert response.status_code == 401 and "stale=true" in response["WWW-Authenticate"]


def test_wrong_basic_password_is_401_and_repeated_failures_lock(client: Client, worker: Any) -> None:
    response = client.get("/openrosa/formList", **basic(password="wrong-password-123"))
    assert response.status_code == 401 and message(response)
    for _ in range(MAX_FAILURES):
        client.get("/openrosa/formList", **basic(password="wrong-password-123"))
    assert OpenRosaCredential.objects.get().locked_until is not None
    assert client.get("/openrosa/formList", **basic()).status_code == 401


def test_wrong_guesses_made_at_the_same_time_all_count(worker: Any) -> None:
    """Requests that each read the failure count before any of them wrote it (parallel guesses) must
    still add up to a lockout."""
    read_together = [_credential("vanna") for _ in range(MAX_FAILURES)]
    for credential in read_together:
        assert _check(credential, lambda c: False).credential is None
    assert OpenRosaCredential.objects.get().locked_until is not None


def test_the_web_password_does_not_open_openrosa(client: Client, worker: Any) -> None:
    from tests.conftest import PASSWORD

    assert client.get("/openrosa/formList", **basic(password=PASSWORD)).status_code == 401


def test_an_account_without_outreach_role_is_forbidden(client: Client, worker: Any, org: Any) -> None:
    worker.memberships.all().delete() if hasattr(worker, "memberships") else None
    from crossings.accounts.models import Membership

    Membership.objects.filter(user=worker).update(role=Role.CASEWORKER)
    assert client.get("/openrosa/formList", **basic()).status_code == 403


def test_unknown_form_or_version_is_404_and_kept(client: Client, worker: Any) -> None:
    version = compiled_form().version
    xml = submission_xml(compiled_form().xml, ENCOUNTER).replace(
        f'version="{version}"'.encode(), b'version="1999"'
    )
    response = post(client, xml)
    assert response.status_code == 404
    assert "no form" in message(response)
    assert Submission.objects.get().status == Submission.Status.FAILED


def test_malformed_xml_is_400_and_kept_once(client: Client, worker: Any) -> None:
    bad = b"<data id='outreach_encounter'><district>oops</data"
    assert post(client, bad).status_code == 400
    assert post(client, bad).status_code == 400
    sub = Submission.objects.get()
    assert sub.reason.startswith("malformed") and sub.instance_id.startswith("sha256:")


def test_entities_are_refused_by_the_safe_parser(client: Client, worker: Any) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><data id="outreach_encounter">&a;</data>'
    assert post(client, bomb).status_code == 400


def test_invalid_uic_is_422_with_the_reason_and_kept_for_the_supervisor(client: Client, worker: Any) -> None:
    xml = submission_xml(compiled_form().xml, ENCOUNTER | {"uic_known": "yes", "uic": "DASO0231021985"})
    response = post(client, xml)
    assert response.status_code == 422
    assert "not a real date" in message(response)
    sub = Submission.objects.get()
    assert sub.status == Submission.Status.FAILED and "not a real date" in sub.reason
    assert post(client, xml).status_code == 422  # a resend gets the same answer, still stored once
    assert Submission.objects.count() == 1 and not OutreachClient.objects.exists()


def test_oversized_attachment_is_413(client: Client, worker: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(odk_views, "MAX_ATTACHMENT", 10)
    xml = submission_xml(compiled_form().xml, ENCOUNTER)
    response = post(client, xml, SimpleUploadedFile("big.jpg", b"x" * 11, "image/jpeg"))
    assert response.status_code == 413 and "limit" in message(response)
    assert not Submission.objects.exists()


def test_attachments_sent_in_a_second_part_are_added(client: Client, worker: Any) -> None:
    xml = submission_xml(compiled_form().xml, ENCOUNTER)
    assert post(client, xml, SimpleUploadedFile("a.jpg", b"1", "image/jpeg")).status_code == 201
    assert post(client, xml, SimpleUploadedFile("b.jpg", b"2", "image/jpeg")).status_code == 201
    assert sorted(Submission.objects.get().attachments.values_list("name", flat=True)) == ["a.jpg", "b.jpg"]


def test_a_known_uic_is_used_as_given(client: Client, worker: Any) -> None:
    xml = submission_xml(
        compiled_form().xml,
        ENCOUNTER | {"uic_known": "yes", "uic": "daso0207031985", "mother_name": "", "father_name": ""},
    )
    assert post(client, xml).status_code == 201
    assert OutreachClient.objects.get().uic == "DASO0207031985"


def test_submission_list_page_shows_failed_ones(
    worker: Any, login: Callable[..., Client], client: Client
) -> None:
    post(client, b"<broken")
    response = login(worker).get("/outreach/submissions/")
    assert response.status_code == 200
    assert b"malformed" in response.content
    _ = dt


def test_an_unexpected_failure_keeps_the_submission_and_logs_no_values(
    client: Client, worker: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The bytes are safe, so the phone hears 201; the supervisor sees the submission as failed; the log
    says what failed and where, never the row's values (a database error's message quotes them)."""

    def broken(**kwargs: Any) -> Any:
        raise IntegrityError('duplicate key value (organisation_id, uic)=(1, "DASO0207031985")')

    monkeypatch.setattr(odk_ingest, "record_encounter", broken)
    xml = submission_xml(compiled_form().xml, ENCOUNTER)
    response = post(client, xml)
    assert response.status_code == 201
    assert "checked by your supervisor" in message(response)
    assert post(client, xml).status_code == 202  # a resend is told it arrived, not shown an error
    stored = Submission.objects.get()
    assert (stored.status, stored.reason, stored.encounter_id) == ("failed", "error: IntegrityError", None)
    assert not Encounter.objects.exists()
    assert "IntegrityError" in caplog.text and "DASO" not in caplog.text
