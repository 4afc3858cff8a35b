"""The parents' names are read once to build the UIC and never stored, whatever encoding the submission
arrives in: they are blanked in the parsed tree, not by a pattern over UTF-8 bytes (issue 11, item 14)."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest
from django.test import Client

from crossings.accounts.roles import OrgKind, Role
from crossings.outreach.models import Encounter, Submission
from crossings.outreach.odk.auth import set_credential
from crossings.outreach.odk.ingest import _fields, redact_names
from tests.test_openrosa_exchange import ENCOUNTER, ODK_PASSWORD, compiled_form, post, submission_xml

pytestmark = pytest.mark.django_db

MOTHER, FATHER = "ស្រីមុំ", "Vuthy"


@pytest.fixture
def worker(make_user: Callable[..., Any], make_org: Callable[..., Any]) -> Any:
    org = make_org("Outreach (test)", OrgKind.OUTREACH, "KH")
    user = make_user(Role.OUTREACH_WORKER, org, username="vanna")
    set_credential(user=user, organisation=org, password=ODK_PASSWORD, by=None)
    return user


def encoded(xml: bytes, codec: str, bom: bytes) -> bytes:
    text = xml.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"' if bom else 'encoding="UTF-8"')
    return bom + text.encode(codec)


def leaks(stored: bytes) -> list[str]:
    return [
        f"{name} in {codec}"
        for name in (MOTHER, FATHER)
        for codec in ("utf-8", "utf-16-le", "utf-16-be")
        if name.encode(codec) in stored
    ]


@pytest.mark.parametrize(
    ("codec", "bom"),
    [("utf-8", b""), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)],
    ids=["utf-8", "utf-16-le-bom", "utf-16-be-bom"],
)
def test_the_stored_submission_holds_no_name_in_any_encoding(
    client: Client, worker: Any, codec: str, bom: bytes
) -> None:
    sent = submission_xml(compiled_form().xml, ENCOUNTER | {"mother_name": MOTHER, "father_name": FATHER})
    xml = encoded(sent, codec, bom)
    assert MOTHER.encode(codec) in xml  # the names are in what the phone sent
    response = post(client, xml)
    assert response.status_code == 201
    sub = Submission.objects.get()
    stored = bytes(sub.xml)
    assert leaks(stored) == []
    # The names were read before they were blanked: the UIC is built from them.
    assert sub.status == Submission.Status.PARSED
    assert Encounter.objects.get().client.uic == "SRVO0207031985"
    # What is stored is still the submission: it parses, the names are empty, every other value is kept.
    fields = _fields(SafeET.fromstring(stored))
    assert fields["mother_name"] == "" and fields["father_name"] == ""
    assert {k: fields[k] for k in ("condoms", "birth_date", "district")} == {
        "condoms": "10",
        "birth_date": "1985-03-07",
        "district": "Chamkar Mon",
    }


def test_a_name_with_markup_inside_is_blanked_whole() -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?><data id="f"><mother_name>Srey<b>mom</b></mother_name>'
        "<father_name>Vuthy</father_name><x>kept</x></data>"
    ).encode("utf-16")
    stored = redact_names(xml)
    for part in ("Srey", "mom", "Vuthy"):
        assert part.encode("utf-16-le") not in stored and part.encode() not in stored
    assert b"<x>kept</x>" in stored


def test_an_unreadable_utf16_submission_is_stored_without_the_names() -> None:
    broken = "<data><mother_name>Sreymom</mother_name><unclosed></data>"
    xml = codecs.BOM_UTF16_LE + broken.encode("utf-16-le")
    stored = redact_names(xml)
    assert "Sreymom".encode("utf-16-le") not in stored
    assert "<mother_name></mother_name>".encode("utf-16-le") in stored


def test_a_submission_without_names_is_kept_byte_for_byte() -> None:
    xml = b'<?xml version="1.0"?><data xmlns:orx="http://openrosa.org/xforms"><orx:meta/><x>1</x></data>'
    assert redact_names(xml) == xml
