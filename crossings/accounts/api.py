from django.conf import settings
from ninja import Router, Schema

from crossings.accounts.models import Membership
from crossings.accounts.rules import AuthedRequest, login_only

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organisation_id: int
    organisation: str
    kind: str
    country: str
    role: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    language: str
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, summary="The authenticated user, their organisations and roles")
@login_only
def me(request: AuthedRequest) -> MeOut:
    user = request.user
    memberships = [
        MembershipOut(
            organisation_id=m.organisation_id,
            organisation=m.organisation.name,
            kind=m.organisation.kind,
            country=m.organisation.country,
            role=m.role,
        )
        for m in Membership.objects.filter(user_id=user.pk).select_related("organisation")
    ]
    return MeOut(
        id=user.pk,
        username=user.get_username(),
        full_name=user.get_full_name(),
        language=user.language or settings.LANGUAGE_CODE,
        memberships=memberships,
    )
