"""The phones' encounter form on the web (ODK Web Forms, crossings/outreach/webform.py): the same XForm and
attachments over the web session, the instance through the phones' ``receive``; the one page that relaxes
the Content-Security-Policy, and only as far as Web Forms needs."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from crossings.accounts.roles import OrgKind, Role
from crossings.outreach.models import Encounter, Submission
from crossings.outreach.odk.forms_registry import upload_form
from crossings.outreach.odk.xlsforms import ENCOUNTER_XLSX, build_encounter_xlsx, compile_xlsform
from tests.test_openrosa_exchange import ENCOUNTER, submission_xml

pytestmark = pytest.mark.django_db

PAGE = "/outreach/encounters/odk/"


@pytest.fixture
def org(make_org: Callable[..., Any]) -> Any:
    return make_org("Drop-in centre (web form)", OrgKind.OUTREACH, "KH")


@pytest.fixture
def worker(make_user: Callable[..., Any], org: Any) -> Any:
    return make_user(Role.OUTREACH_WORKER, org, username="dropin")


def instance(**values: str) -> bytes:
    form = compile_xlsform(ENCOUNTER_XLSX.read_bytes()).xml
    return submission_xml(form, {**ENCOUNTER, "district": "1201", "province": "12", **values})


def send(client: Client, xml: bytes) -> Any:
    upload = SimpleUploadedFile("submission.xml", xml, "text/xml")
    return client.post(f"{PAGE}submission", {"xml_submission_file": upload})


def test_the_page_loads_web_forms_under_a_policy_relaxed_for_it_alone(
    login: Callable[..., Client], worker: Any
) -> None:
    client = login(worker)
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'<script type="importmap" nonce="{nonce}">' in page
    assert "'wasm-unsafe-eval'" in policy and "style-src 'self' 'unsafe-inline'" in policy
    assert "'unsafe-eval'" not in policy.replace("'wasm-unsafe-eval'", "")
    assert "vendor/odk-web-forms-0.22.0/index.js" in page and "js/odk-web-form.js" in page
    # every other page keeps the strict policy
    other = client.get("/outreach/encounters/new/")["Content-Security-Policy"]
    assert "unsafe-inline" not in other and "wasm" not in other
    assert PAGE in client.get("/outreach/encounters/new/").content.decode()  # offered beside the web form


def test_the_form_opens_in_the_readers_language(login: Callable[..., Client], worker: Any) -> None:
    client = login(worker)
    english = client.get(f"{PAGE}form.xml").content.decode()
    assert '<translation lang="English (en)" default="true()">' in english

    worker.language = "km"
    worker.save(update_fields=["language"])
    khmer = client.get(f"{PAGE}form.xml").content.decode()
    assert '<translation lang="Khmer (km)" default="true()">' in khmer
    assert '<translation lang="English (en)">' in khmer


def test_attachments_are_the_phones_files_and_nothing_else(login: Callable[..., Client], worker: Any) -> None:
    client = login(worker)
    assert client.get(f"{PAGE}media/sites.csv").content.startswith(b"name,label")
    assert client.get(f"{PAGE}media/clients_due.csv").content.startswith(b"name,reason,")
    assert client.get(f"{PAGE}media/people.csv").status_code == 404


def test_an_instance_is_recorded_once_and_a_resend_says_so(
    login: Callable[..., Client], worker: Any, org: Any
) -> None:
    client = login(worker)
    xml = instance()

    first = send(client, xml)
    again = send(client, xml)

    assert first.status_code == 201 and first.json()["message"].startswith("Encounter recorded at ")
    assert again.status_code == 202 and "nothing was recorded twice" in again.json()["message"]
    assert Encounter.objects.filter(organisation=org).count() == 1
    submission = Submission.objects.get(organisation=org)
    assert submission.submitted_by == worker and "ដារា".encode() not in bytes(submission.xml)


def test_refusals_say_why_in_the_readers_language(login: Callable[..., Client], worker: Any) -> None:
    worker.language = "km"
    worker.save(update_fields=["language"])
    client = login(worker)

    nothing = client.post(f"{PAGE}submission", {})
    bad_code = send(client, instance(uic_known="yes", uic="NOT-A-CODE"))
    garbage = send(client, b"<data><unclosed>")

    assert nothing.status_code == 400 and nothing.json()["message"] == "គ្មានអ្វីត្រូវបានផ្ញើទេ៖ សូមបំពេញទម្រង់។"
    assert bad_code.status_code == 422 and bad_code.json()["message"].startswith("មិនអាចកត់ត្រាការជួបបានទេ៖")
    assert garbage.status_code == 400
    assert not Encounter.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(worker: Any, login: Callable[..., Client]) -> None:
    client = login(worker)
    client.handler.enforce_csrf_checks = True
    response = send(client, instance())
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_an_encrypted_form_is_not_offered_in_the_browser(
    login: Callable[..., Client], worker: Any, org: Any
) -> None:
    key = base64.b64encode(uuid.uuid4().bytes * 8).decode()  # any base64 marks the form encrypted
    upload_form(
        organisation_id=org.pk, data=build_encounter_xlsx(version="2026120499", public_key=key), by=None
    )
    client = login(worker)
    page = client.get(PAGE).content.decode()
    assert 'data-testid="odk-encrypted"' in page and "odk-web-form.js" not in page
    assert client.get(f"{PAGE}form.xml").status_code == 404
