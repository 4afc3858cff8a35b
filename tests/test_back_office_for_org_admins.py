"""The back office for an organisation administrator: access comes from the membership role (no staff flag,
no Django model permissions), and it never offers a way out of their own organisation — no superuser or
staff flag, groups or permissions; no other organisation; no change to their own memberships; no change to
a superuser or to someone who is also another organisation's member. Hostile review, issue 11, finding 2."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from crossings.accounts.models import EnrolmentCode, Membership, User
from crossings.accounts.roles import Role
from tests.conftest import PASSWORD, verified_client

ESCALATIONS = {"is_superuser", "is_staff", "groups", "user_permissions"}


@pytest.fixture
def world(make_org: Any, make_user: Any, advocacy: Any) -> dict[str, Any]:
    other = make_org("Other organisation B")
    admin = make_user(Role.ORG_ADMIN, advocacy, username="orgadmin")  # no is_staff, no model permissions
    member = make_user(Role.CASEWORKER, advocacy, username="member")
    shared = make_user(Role.CASEWORKER, advocacy, username="shared")
    Membership.objects.create(user=shared, organisation=other, role=Role.SUPERVISOR)
    outsider = make_user(Role.SUPERVISOR, other, username="outsider")
    return {
        "a": advocacy,
        "b": other,
        "admin": admin,
        "member": member,
        "shared": shared,
        "outsider": outsider,
        "client": verified_client(admin),
    }


def change_data(user: User, **extra: Any) -> dict[str, Any]:
    """What the org admin's change form posts for ``user`` (their memberships in the admin's organisation)."""
    rows = list(Membership.objects.filter(user=user).order_by("pk"))
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": "New",
        "last_name": "Name",
        "email": "",
        "is_active": "on",
        "language": "en",
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(len(rows)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update(
            {
                f"memberships-{i}-id": str(row.pk),
                f"memberships-{i}-user": str(user.pk),
                f"memberships-{i}-organisation": str(row.organisation_id),
                f"memberships-{i}-role": row.role,
            }
        )
    data.update(extra)
    return data


def add_row(data: dict[str, Any], user: User, org_id: int, role: str) -> dict[str, Any]:
    i = int(data["memberships-TOTAL_FORMS"])
    data[f"memberships-{i}-user"] = str(user.pk) if user.pk else ""
    data[f"memberships-{i}-organisation"] = str(org_id)
    data[f"memberships-{i}-role"] = role
    data["memberships-TOTAL_FORMS"] = str(i + 1)
    return data


@pytest.mark.django_db
def test_an_org_admin_opens_the_back_office_without_staff_flag_or_model_permissions(world):
    client = world["client"]
    page = client.get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/admin/accounts/user/" in html and "/admin/accounts/membership/" in html
    users = client.get("/admin/accounts/user/").content.decode()
    assert "member" in users and "outsider" not in users
    assert client.get(f"/admin/accounts/user/{world['member'].pk}/change/").status_code == 200


@pytest.mark.django_db
def test_the_user_form_offers_no_escalation_and_no_other_organisation(world):
    response = world["client"].get(f"/admin/accounts/user/{world['member'].pk}/change/")
    form = response.context["adminform"].form
    assert set(form.fields) == {
        "username",
        "password",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "language",
    }
    html = response.content.decode()
    for name in ESCALATIONS:
        assert f'name="{name}"' not in html
    inline = response.context["inline_admin_formsets"][0].formset
    choices = {str(value) for value, _label in inline.empty_form.fields["organisation"].choices if value}
    assert choices == {str(world["a"].pk)}
    assert "Other organisation B" not in html


@pytest.mark.django_db
def test_posting_superuser_staff_groups_or_permissions_is_ignored(world):
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="everything")
    perm = Permission.objects.get(codename="change_user")
    member = world["member"]
    data = change_data(
        member, is_superuser="on", is_staff="on", groups=[group.pk], user_permissions=[perm.pk]
    )
    response = world["client"].post(f"/admin/accounts/user/{member.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    member.refresh_from_db()
    assert member.first_name == "New"  # the allowed change went through
    assert not member.is_superuser and not member.is_staff
    assert not member.groups.exists() and not member.user_permissions.exists()


@pytest.mark.django_db
def test_another_organisation_is_refused_on_post(world):
    member = world["member"]
    data = add_row(change_data(member), member, world["b"].pk, Role.SUPERVISOR)
    response = world["client"].post(f"/admin/accounts/user/{member.pk}/change/", data)
    assert response.status_code == 200  # the form again, with the error
    assert "Select a valid choice" in response.content.decode()
    assert not Membership.objects.filter(user=member, organisation=world["b"]).exists()
    # The same through the membership page.
    response = world["client"].post(
        "/admin/accounts/membership/add/",
        {"user": member.pk, "organisation": world["b"].pk, "role": Role.SUPERVISOR},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=member, organisation=world["b"]).exists()
    # Nor are other organisations' names listed in the membership filter.
    assert "Other organisation B" not in world["client"].get("/admin/accounts/membership/").content.decode()


@pytest.mark.django_db
def test_an_org_admin_cannot_give_themselves_a_casework_role(world):
    admin, client = world["admin"], world["client"]
    data = add_row(change_data(admin), admin, world["a"].pk, Role.SUPERVISOR)
    client.post(f"/admin/accounts/user/{admin.pk}/change/", data)
    response = client.post(
        "/admin/accounts/membership/add/",
        {"user": admin.pk, "organisation": world["a"].pk, "role": Role.SUPERVISOR},
    )
    assert response.status_code == 200
    own = Membership.objects.get(user=admin)
    assert (
        client.post(
            f"/admin/accounts/membership/{own.pk}/change/",
            {"user": admin.pk, "organisation": world["a"].pk, "role": Role.SUPERVISOR},
        ).status_code
        == 403
    )
    assert set(Membership.objects.filter(user=admin).values_list("role", flat=True)) == {Role.ORG_ADMIN}


@pytest.mark.django_db
def test_a_user_of_another_organisation_or_a_superuser_is_not_changed(world, make_user):
    client = world["client"]
    shared, outsider = world["shared"], world["outsider"]
    root = make_user(Role.CASEWORKER, world["a"], username="root", is_superuser=True)
    for user in (shared, root):
        assert client.post(f"/admin/accounts/user/{user.pk}/change/", change_data(user)).status_code == 403
        response = client.post(
            f"/admin/accounts/user/{user.pk}/password/",
            {"password1": "a-new-password-2026x", "password2": "a-new-password-2026x"},
        )
        assert response.status_code == 403
        user.refresh_from_db()
        assert user.first_name == "" and user.check_password(PASSWORD)
    # Someone who is no member of the admin's organisation is not even there.
    assert client.get(f"/admin/accounts/user/{outsider.pk}/change/").status_code == 302


@pytest.mark.django_db
def test_the_org_admin_adds_a_member_to_their_organisation(world):
    client = world["client"]
    form = client.get("/admin/accounts/user/add/")
    assert form.status_code == 200
    assert not ESCALATIONS & set(form.context["adminform"].form.fields)
    data = {
        "username": "newcomer",
        "usable_password": "true",
        "password1": "a-long-new-password-2026",
        "password2": "a-long-new-password-2026",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "1",
        "memberships-MAX_NUM_FORMS": "1000",
        "is_superuser": "on",
        "is_staff": "on",
    }
    # Without a membership in one of their organisations the new user would vanish from their list: refused.
    assert client.post("/admin/accounts/user/add/", data).status_code == 200
    assert not User.objects.filter(username="newcomer").exists()
    # Another organisation: refused.
    refused = add_row(dict(data), User(), world["b"].pk, Role.CASEWORKER)
    assert client.post("/admin/accounts/user/add/", refused).status_code == 200
    assert not User.objects.filter(username="newcomer").exists()
    response = client.post(
        "/admin/accounts/user/add/", add_row(dict(data), User(), world["a"].pk, Role.CASEWORKER)
    )
    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.is_superuser and not newcomer.is_staff
    assert list(Membership.objects.filter(user=newcomer).values_list("organisation_id", "role")) == [
        (world["a"].pk, Role.CASEWORKER)
    ]
    assert (
        Client().post("/login/", {"username": "newcomer", "password": "a-long-new-password-2026"}).status_code
        == 302
    )


@pytest.mark.django_db
def test_the_org_admin_issues_set_up_codes_only_for_their_own_members(world):
    client = world["client"]
    member, shared = world["member"], world["shared"]
    response = client.post(
        "/admin/accounts/user/",
        {"action": "issue_enrolment_codes", "_selected_action": [member.pk, shared.pk]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response.content.decode().count('data-testid="enrolment-code"') == 1
    code = EnrolmentCode.objects.get()
    assert code.user == member and code.created_by == world["admin"]


@pytest.mark.django_db
def test_history_cannot_be_reverted_by_an_org_admin(world):
    member = world["member"]
    User.objects.filter(pk=member.pk).update(is_superuser=True)  # an old version (no history row)
    member.refresh_from_db()
    member.is_superuser = True
    member.save()  # a history row where the user was a superuser
    member.is_superuser = False
    member.save()
    version = member.history.filter(is_superuser=True).first()
    response = world["client"].post(
        f"/admin/accounts/user/{member.pk}/history/{version.history_id}/", change_data(member)
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert not member.is_superuser


@pytest.mark.django_db
def test_other_roles_and_half_logged_in_admins_see_no_back_office(world, make_user, caseworker):
    assert verified_client(caseworker).get("/admin/").status_code == 302
    unverified = Client()
    unverified.force_login(world["admin"])
    assert unverified.get("/admin/").status_code == 302
    assert unverified.get("/admin/accounts/user/").status_code == 302
