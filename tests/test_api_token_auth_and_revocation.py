import pytest
from django.core.management import call_command
from django.test import Client

from crossings.accounts.models import ApiToken


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
def test_a_token_authenticates_as_its_user_with_the_same_scope(caseworker, person, make_org, make_user):
    _token, raw = ApiToken.issue(user=caseworker)
    client = Client()
    me = client.get("/api/me", **bearer(raw)).json()
    assert me["username"] == "caseworker"
    assert me["memberships"][0]["role"] == "caseworker"
    assert client.get(f"/api/people/{person.pk}", **bearer(raw)).status_code == 200
    # A caseworker of another organisation gets 404 for the same person: scoping is the same as the UI's.
    other = make_user("caseworker", make_org("Elsewhere"))
    _t, other_raw = ApiToken.issue(user=other)
    assert client.get(f"/api/people/{person.pk}", **bearer(other_raw)).status_code == 404


@pytest.mark.django_db
def test_only_a_hash_of_the_token_is_stored(caseworker):
    token, raw = ApiToken.issue(user=caseworker)
    assert raw not in token.digest
    assert not ApiToken.objects.filter(digest=raw).exists()
    assert ApiToken.objects.filter(digest=ApiToken.digest_of(raw)).exists()


@pytest.mark.django_db
def test_a_revoked_token_is_refused(caseworker):
    token, raw = ApiToken.issue(user=caseworker)
    token.revoke()
    response = Client().get("/api/me", **bearer(raw))
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required.", "errors": []}


@pytest.mark.django_db
def test_an_unknown_token_and_no_token_are_refused():
    client = Client()
    assert client.get("/api/me", **bearer("cx_not-a-token")).status_code == 401
    assert client.get("/api/me").status_code == 401


@pytest.mark.django_db
def test_a_token_of_a_deactivated_user_is_refused(caseworker):
    _token, raw = ApiToken.issue(user=caseworker)
    caseworker.is_active = False
    caseworker.save()
    assert Client().get("/api/me", **bearer(raw)).status_code == 401


@pytest.mark.django_db
def test_the_cli_prints_a_token_once_and_revokes_it(caseworker, capsys):
    call_command("token", "create", "--username", "caseworker")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("cx_")
    assert Client().get("/api/me", **bearer(raw)).status_code == 200
    call_command("token", "revoke", "--username", "caseworker", "--hint", raw[:10])
    assert Client().get("/api/me", **bearer(raw)).status_code == 401


@pytest.mark.django_db
def test_the_owner_revokes_a_token_in_the_ui(caseworker, login):
    client = login(caseworker)
    response = client.post("/account/tokens/", {"name": "laptop script"})
    raw = response.context["new_token"]
    token = ApiToken.objects.get(user=caseworker)
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert Client().get("/api/me", **bearer(raw)).status_code == 401


@pytest.mark.django_db
def test_nobody_revokes_someone_elses_token(caseworker, supervisor, login):
    token, raw = ApiToken.issue(user=supervisor)
    response = login(caseworker).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert Client().get("/api/me", **bearer(raw)).status_code == 200
