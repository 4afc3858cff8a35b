"""Bonds (issue 16, item 4): one per detention, its contributions and receipt, its status moving only
along the allowed steps, the recovery task when it is to be returned, and the organisation's ledger."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crossings.accounts.models import ApiToken
from crossings.accounts.roles import OrgKind, Role
from crossings.audit.models import AccessLog
from crossings.bonds import selectors, services
from crossings.bonds.models import Bond
from crossings.cases.models import Task
from crossings.errors import Conflict, Refused
from crossings.legal import services as legal
from crossings.legal.models import Detention
from crossings.people.models import Person
from crossings.storage import is_encrypted
from crossings.uploads import DOCUMENT
from tests.conftest import verified_client

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%receipt\n"


def _detention(person: Person, user: Any, facility: str = "Tacoma") -> Detention:
    response = legal.mark_detained(
        person=person,
        organisation_id=person.organisation_id,
        facility=facility,
        date=timezone.localdate(),
        user=user,
    )
    return response.detention


def _api(user: Any) -> Client:
    _token, raw = ApiToken.issue(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_bond_s_whole_life(caseworker: Any, person: Person) -> None:
    detention = _detention(person, caseworker)
    bond = services.post_bond(detention=detention, amount="5000", obligor="Srey Mom", user=caseworker)
    assert bond.status == "posted" and bond.amount == Decimal("5000.00")
    services.add_contribution(bond=bond, amount="3000", source="own", user=caseworker)
    services.add_contribution(
        bond=bond, amount="2000", source="family", from_whom="Srey Mom", user=caseworker
    )
    services.attach_receipt(
        bond=bond, upload=SimpleUploadedFile("i305.pdf", PDF, content_type="application/pdf"), user=caseworker
    )
    bond.refresh_from_db()
    with open(bond.receipt.path, "rb") as stored:  # encrypted at rest
        assert is_encrypted(stored.read())

    bond = services.change_status(bond=bond, status="active", user=caseworker)
    with pytest.raises(Conflict):  # posted -> active -> (not back to posted)
        services.change_status(bond=bond, status="posted", user=caseworker)
    assert Task.objects.count() == 0
    bond = services.change_status(bond=bond, status="being_returned", user=caseworker, reason="case closed")
    task = Task.objects.get(pk=bond.recovery_task_id)
    assert "5000.00" in task.title and task.due_on is not None and task.case.person_id == person.pk
    bond = services.change_status(bond=bond, status="returned", user=caseworker)
    with pytest.raises(Conflict):  # returned is the end
        services.change_status(bond=bond, status="active", user=caseworker)
    assert Task.objects.count() == 1
    assert [h.status for h in bond.history.order_by("history_id")][-4:] == [
        "posted",
        "active",
        "being_returned",
        "returned",
    ]


def test_a_breached_bond_goes_nowhere(caseworker: Any, person: Person) -> None:
    bond = services.post_bond(
        detention=_detention(person, caseworker), amount="1500", obligor="x", user=caseworker
    )
    with pytest.raises(Conflict):  # posted cannot be breached before it is active
        services.change_status(bond=bond, status="breached", user=caseworker)
    services.change_status(bond=bond, status="active", user=caseworker)
    services.change_status(bond=bond, status="breached", user=caseworker)
    with pytest.raises(Conflict):
        services.change_status(bond=bond, status="being_returned", user=caseworker)


def test_bad_bonds_are_refused(caseworker: Any, person: Person) -> None:
    detention = _detention(person, caseworker)
    for amount in ("0", "-5", "abc", "NaN"):
        with pytest.raises(Refused):
            services.post_bond(detention=detention, amount=amount, obligor="x", user=caseworker)
    with pytest.raises(Refused):
        services.post_bond(detention=detention, amount="10", obligor=" ", user=caseworker)
    services.post_bond(detention=detention, amount="10", obligor="x", user=caseworker)
    with pytest.raises(Conflict):  # one bond per detention
        services.post_bond(detention=detention, amount="10", obligor="x", user=caseworker)
    bond = Bond.objects.get()
    with pytest.raises(Refused):
        services.add_contribution(bond=bond, amount="10", source="lottery", user=caseworker)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * DOCUMENT.max_bytes, content_type="application/pdf")
    with pytest.raises(Exception, match="MB"):
        services.attach_receipt(bond=bond, upload=big, user=caseworker)


def test_the_api_refuses_an_illegal_transition_with_409_and_bad_input_with_422(
    caseworker: Any, person: Person
) -> None:
    detention = _detention(person, caseworker)
    api = _api(caseworker)
    created = _post(api, "/api/bonds", {"detention_id": detention.pk, "amount": "2500.00", "obligor": "Srey"})
    assert created.status_code == 201, created.content
    bond_id = created.json()["id"]
    assert _post(api, f"/api/bonds/{bond_id}/status", {"status": "returned"}).status_code == 409
    assert _post(api, f"/api/bonds/{bond_id}/status", {"status": "lost"}).status_code == 422
    assert (
        _post(api, f"/api/bonds/{bond_id}/contributions", {"amount": "-1", "source": "own"}).status_code
        == 422
    )
    assert _post(api, f"/api/bonds/{bond_id}/status", {"status": "active"}).json()["status"] == "active"
    answer = _post(api, f"/api/bonds/{bond_id}/status", {"status": "being_returned"})
    assert answer.status_code == 200 and answer.json()["recovery_task_id"] is not None
    receipt = api.post(f"/api/bonds/{bond_id}/receipt", {"file": SimpleUploadedFile("r.pdf", PDF)})
    assert receipt.status_code == 200 and receipt.json()["has_receipt"] is True
    not_pdf = api.post(f"/api/bonds/{bond_id}/receipt", {"file": SimpleUploadedFile("r.pdf", b"MZ....")})
    assert not_pdf.status_code == 422


def test_the_ledger_totals(
    caseworker: Any, advocacy: Any, person: Person, make_org: Any, make_user: Any
) -> None:
    second = Person.objects.create(organisation=advocacy, family_name="Keo", given_name="Bopha")
    third = Person.objects.create(organisation=advocacy, family_name="Lim", given_name="Sophal")
    a = services.post_bond(
        detention=_detention(person, caseworker), amount="5000", obligor="x", user=caseworker
    )
    b = services.post_bond(
        detention=_detention(second, caseworker), amount="1500", obligor="y", user=caseworker
    )
    services.post_bond(detention=_detention(third, caseworker), amount="800", obligor="z", user=caseworker)
    services.change_status(bond=a, status="active", user=caseworker)
    services.change_status(bond=b, status="active", user=caseworker)
    services.change_status(bond=b, status="being_returned", user=caseworker)
    services.add_contribution(bond=a, amount="4000", source="own", user=caseworker)
    services.add_contribution(bond=a, amount="1000", source="family", user=caseworker)
    services.add_contribution(bond=b, amount="1500", source="bond_fund", user=caseworker)
    # another organisation's bond never counts
    other = make_org("Elsewhere", OrgKind.ADVOCACY)
    theirs = make_user(Role.CASEWORKER, other)
    stranger = Person.objects.create(organisation=other, family_name="Chhun", given_name="Vuthy")
    services.post_bond(detention=_detention(stranger, theirs), amount="99999", obligor="q", user=theirs)

    ledger = selectors.ledger(caseworker, advocacy.pk)
    assert ledger.by_status == {
        "posted": (1, Decimal("800.00")),
        "active": (1, Decimal("5000.00")),
        "being_returned": (1, Decimal("1500.00")),
    }
    assert ledger.by_source == {
        "own": Decimal("4000.00"),
        "family": Decimal("1000.00"),
        "bond_fund": Decimal("1500.00"),
    }
    page = verified_client(caseworker).get(reverse("bond_ledger"))
    assert page.status_code == 200
    assert [x.pk for x in page.context["page"].object_list] and all(
        x.organisation_id == advocacy.pk for x in page.context["page"].object_list
    )
    api = _api(caseworker).get("/api/bonds/ledger").json()
    assert api["by_status"]["active"] == {"count": 1, "amount": "5000.00"}
    assert api["by_status"]["returned"] == {"count": 0, "amount": "0.00"}
    assert api["contributions_by_source"]["own"] == "4000.00"


def test_a_bond_of_another_organisation_is_not_seen_or_changed(
    caseworker: Any, make_org: Any, make_user: Any
) -> None:
    other = make_org("Elsewhere", OrgKind.ADVOCACY)
    theirs = make_user(Role.CASEWORKER, other)
    stranger = Person.objects.create(organisation=other, family_name="Chhun", given_name="Vuthy")
    bond = services.post_bond(detention=_detention(stranger, theirs), amount="100", obligor="q", user=theirs)
    client = verified_client(caseworker)
    assert client.get(reverse("bond_detail", args=[bond.pk])).status_code == 404
    assert client.post(reverse("bond_status", args=[bond.pk]), {"s-status": "active"}).status_code == 404
    api = _api(caseworker)
    assert api.get(f"/api/bonds/{bond.pk}").status_code == 404
    assert api.get("/api/bonds").json()["results"] == []
    assert _post(api, f"/api/bonds/{bond.pk}/status", {"status": "active"}).status_code == 404
    assert (
        _post(
            api, "/api/bonds", {"detention_id": bond.detention_id, "amount": "1", "obligor": "x"}
        ).status_code
        == 404
    )
    bond.refresh_from_db()
    assert bond.status == "posted"


@pytest.mark.parametrize("role", [Role.OUTREACH_WORKER, Role.ANALYST, Role.ORG_ADMIN])
def test_a_role_without_case_access_is_refused(role: str, make_user: Any, advocacy: Any) -> None:
    user = make_user(role, advocacy)
    assert verified_client(user).get(reverse("bond_ledger")).status_code in (302, 403)
    assert _api(user).get("/api/bonds").status_code == 403


def test_the_bond_page_changes_the_status_and_logs_the_read(caseworker: Any, person: Person) -> None:
    bond = services.post_bond(
        detention=_detention(person, caseworker), amount="100", obligor="x", user=caseworker
    )
    client = verified_client(caseworker)
    assert client.get(reverse("bond_detail", args=[bond.pk])).status_code == 200
    assert AccessLog.objects.filter(object_type="bonds.bond", object_id=str(bond.pk)).exists()
    client.post(reverse("bond_status", args=[bond.pk]), {"s-status": "returned"})
    bond.refresh_from_db()
    assert bond.status == "posted"  # refused: shown as a message, nothing changed
    client.post(reverse("bond_status", args=[bond.pk]), {"s-status": "active"})
    bond.refresh_from_db()
    assert bond.status == "active"


def test_the_ledger_takes_the_same_queries_for_any_number_of_bonds(
    caseworker: Any, advocacy: Any, person: Person
) -> None:
    client = verified_client(caseworker)
    services.post_bond(detention=_detention(person, caseworker), amount="100", obligor="x", user=caseworker)
    client.get(reverse("bond_ledger"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("bond_ledger"))
    for i in range(10):
        someone = Person.objects.create(organisation=advocacy, family_name=f"P{i}", given_name="X")
        services.post_bond(
            detention=_detention(someone, caseworker), amount="100", obligor="x", user=caseworker
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("bond_ledger"))
    assert len(many) == len(few)


def test_a_contribution_sent_twice_is_counted_once(caseworker: Any, person: Person) -> None:
    bond = services.post_bond(
        detention=_detention(person, caseworker), amount="2000", obligor="x", user=caseworker
    )
    client = verified_client(caseworker)
    token = client.get(reverse("bond_detail", args=[bond.pk])).context["contribution_form"]["idempotency_key"]
    form = {"c-amount": "500", "c-source": "family", "c-given_on": "2026-01-05"}
    form["c-idempotency_key"] = token.value()
    client.post(reverse("bond_contribution", args=[bond.pk]), form)
    client.post(reverse("bond_contribution", args=[bond.pk]), form)  # a double click
    assert selectors.ledger(caseworker, bond.organisation_id).by_source == {"family": Decimal("500.00")}
    api = _api(caseworker)
    body = json.dumps({"amount": "100.00", "source": "own"})
    url = f"/api/bonds/{bond.pk}/contributions"
    a = api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="pay-1")
    b = api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert a.status_code == b.status_code == 201 and a.json()["id"] == b.json()["id"]
    assert bond.contributions.count() == 2


def test_a_status_sent_twice_moves_the_bond_once(caseworker: Any, person: Person) -> None:
    bond = services.post_bond(
        detention=_detention(person, caseworker), amount="100", obligor="x", user=caseworker
    )
    services.change_status(bond=bond, status="active", user=caseworker)
    client = verified_client(caseworker)
    for _ in range(2):
        client.post(reverse("bond_status", args=[bond.pk]), {"s-status": "being_returned"})
    bond.refresh_from_db()
    assert bond.status == "being_returned"
    assert Task.objects.count() == 1  # one recovery task, not two
    assert [h.status for h in bond.history.order_by("history_id")] == ["posted", "active", "being_returned"]


def test_the_status_form_offers_only_the_allowed_moves(caseworker: Any, person: Person) -> None:
    bond = services.post_bond(
        detention=_detention(person, caseworker), amount="100", obligor="x", user=caseworker
    )
    services.change_status(bond=bond, status="active", user=caseworker)
    page = verified_client(caseworker).get(reverse("bond_detail", args=[bond.pk]))
    offered = [value for value, _label in page.context["status_form"].fields["status"].choices]
    assert offered == ["breached", "being_returned"]


def test_a_receipt_over_the_limit_is_refused_from_its_size_before_it_is_read(
    caseworker: Any, person: Person, monkeypatch: Any
) -> None:
    from crossings import uploads

    bond = services.post_bond(
        detention=_detention(person, caseworker), amount="100", obligor="x", user=caseworker
    )

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the content was read before the size was checked")

    monkeypatch.setattr(uploads, "sniff", never)
    client = verified_client(caseworker)
    page = client.get(reverse("bond_detail", args=[bond.pk])).content.decode()
    assert "up to 10 MB" in page  # the limit is said before anyone tries
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    answer = client.post(reverse("bond_receipt", args=[bond.pk]), {"r-receipt": big}, follow=True)
    assert "the limit is 10 MB" in answer.content.decode()
    big.seek(0)
    api = _api(caseworker).post(f"/api/bonds/{bond.pk}/receipt", {"file": big})
    assert api.status_code == 422 and "the limit is 10 MB" in api.content.decode()
    bond.refresh_from_db()
    assert not bond.receipt and bond.history.count() == 1


def test_a_receipt_that_is_not_a_pdf_or_image_is_refused_on_the_page(caseworker: Any, person: Person) -> None:
    bond = services.post_bond(
        detention=_detention(person, caseworker), amount="100", obligor="x", user=caseworker
    )
    exe = SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00" + b"\x00" * 64, content_type="application/pdf")
    answer = verified_client(caseworker).post(
        reverse("bond_receipt", args=[bond.pk]), {"r-receipt": exe}, follow=True
    )
    assert "not an accepted type" in answer.content.decode()
    bond.refresh_from_db()
    assert not bond.receipt


def test_the_same_receipt_sent_again_changes_nothing(caseworker: Any, person: Person) -> None:
    bond = services.post_bond(
        detention=_detention(person, caseworker), amount="100", obligor="x", user=caseworker
    )
    for _ in range(2):
        bond = services.attach_receipt(bond=bond, upload=SimpleUploadedFile("i305.pdf", PDF), user=caseworker)
    assert bond.history.count() == 2  # recorded, then the receipt once


def test_the_receipt_is_downloaded_decrypted_and_the_download_logged(
    caseworker: Any, person: Person, make_org: Any, make_user: Any
) -> None:
    bond = services.post_bond(
        detention=_detention(person, caseworker), amount="100", obligor="x", user=caseworker
    )
    client = verified_client(caseworker)
    assert client.get(reverse("bond_receipt_file", args=[bond.pk])).status_code == 404  # none yet
    services.attach_receipt(bond=bond, upload=SimpleUploadedFile("i305.pdf", PDF), user=caseworker)
    response = client.get(reverse("bond_receipt_file", args=[bond.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf" and "sandbox" in response["Content-Security-Policy"]
    assert AccessLog.objects.filter(
        object_type="bonds.bond", object_id=str(bond.pk), action="download"
    ).exists()
    stranger = make_user(Role.CASEWORKER, make_org("Elsewhere", OrgKind.ADVOCACY))
    assert verified_client(stranger).get(reverse("bond_receipt_file", args=[bond.pk])).status_code == 404


def test_the_legal_page_records_the_bond_of_the_current_detention(caseworker: Any, person: Person) -> None:
    detention = _detention(person, caseworker)
    client = verified_client(caseworker)
    page = client.get(reverse("person_legal", args=[person.pk]))
    assert page.status_code == 200 and reverse("bond_new") in page.content.decode()
    form = {"bond-detention": detention.pk, "bond-amount": "7500", "bond-obligor": "Srey Mom"}
    form["bond-posted_on"] = timezone.localdate().isoformat()
    created = client.post(reverse("bond_new"), form)
    bond = Bond.objects.get()
    assert created["Location"] == reverse("bond_detail", args=[bond.pk]) and bond.amount == Decimal("7500.00")
    again = client.get(reverse("person_legal", args=[person.pk])).content.decode()
    assert reverse("bond_detail", args=[bond.pk]) in again and reverse("bond_new") not in again


def test_a_bond_on_another_organisation_s_detention_is_refused_on_the_page(
    caseworker: Any, make_org: Any, make_user: Any
) -> None:
    other = make_org("Elsewhere", OrgKind.ADVOCACY)
    theirs = make_user(Role.CASEWORKER, other)
    stranger = Person.objects.create(organisation=other, family_name="Chhun", given_name="Vuthy")
    detention = _detention(stranger, theirs)
    form = {"bond-detention": detention.pk, "bond-amount": "10", "bond-obligor": "x"}
    form["bond-posted_on"] = timezone.localdate().isoformat()
    assert verified_client(caseworker).post(reverse("bond_new"), form).status_code == 404
    with pytest.raises(PermissionDenied):
        services.post_bond(detention=detention, amount="10", obligor="x", user=caseworker)
    assert not Bond.objects.exists()


def test_the_bond_list_api_takes_the_same_queries_for_any_number_of_bonds(
    caseworker: Any, advocacy: Any, person: Person
) -> None:
    api = _api(caseworker)
    services.post_bond(detention=_detention(person, caseworker), amount="100", obligor="x", user=caseworker)
    api.get("/api/bonds")
    with CaptureQueriesContext(connection) as few:
        assert api.get("/api/bonds").status_code == 200
    for i in range(10):
        someone = Person.objects.create(organisation=advocacy, family_name=f"P{i}", given_name="X")
        services.post_bond(
            detention=_detention(someone, caseworker), amount="100", obligor="x", user=caseworker
        )
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/api/bonds").json()["results"]) == 11
    assert len(many) == len(few)
