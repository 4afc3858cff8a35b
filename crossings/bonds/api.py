"""Bonds in the API: the same selectors and services as the pages, so the same scoping, access log and
transitions (an illegal one is a 409)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.api_helpers import Paginated
from crossings.audit.reads import LoggedPages, Reader
from crossings.bonds import selectors, services
from crossings.bonds.models import Bond, Contribution
from crossings.legal.models import Detention

router = Router(tags=["bonds"])


class BondIn(Schema):
    detention_id: int = Field(..., ge=1, le=10**17)
    amount: Decimal = Field(..., gt=0, lt=100_000_000, decimal_places=2)
    obligor: str = Field(..., max_length=200)
    posted_on: dt.date | None = None


class ContributionIn(Schema):
    amount: Decimal = Field(..., gt=0, lt=100_000_000, decimal_places=2)
    source: Contribution.Source
    from_whom: str = Field("", max_length=200)
    given_on: dt.date | None = None


class ContributionOut(Schema):
    id: int
    amount: Decimal
    source: str
    from_whom: str
    given_on: dt.date


class StatusIn(Schema):
    status: Bond.Status
    reason: str = Field("", max_length=300)


class BondOut(Schema):
    id: int
    organisation_id: int
    person_id: int
    detention_id: int
    amount: Decimal
    obligor: str
    posted_on: dt.date
    status: str
    has_receipt: bool
    recovery_task_id: int | None

    @staticmethod
    def resolve_has_receipt(obj: Bond) -> bool:
        return bool(obj.receipt)


class LedgerOut(Schema):
    organisation_id: int
    by_status: dict[str, dict[str, Any]]
    contributions_by_source: dict[str, Decimal]


@router.get("/bonds", response=list[BondOut], summary="Bonds of my organisations")
@requires(Cap.PEOPLE_VIEW)
@paginate(Paginated)
def list_bonds(request: AuthedRequest) -> Any:
    reader = Reader.of(request)
    return LoggedPages(
        selectors.visible_bonds(request.user),
        lambda rows, total: selectors.log_bonds(reader, rows, total=total),
    )


@router.get("/bonds/ledger", response=LedgerOut, summary="One organisation's bond totals")
@requires(Cap.PEOPLE_VIEW)
def bond_ledger(request: AuthedRequest, organisation_id: int | None = None) -> Any:
    org = request.user.scope.acting_organisation(Cap.PEOPLE_VIEW, organisation_id)
    ledger = selectors.ledger(request.user, org)
    return {
        "organisation_id": org,
        "by_status": {
            value: {
                "count": ledger.by_status.get(value, (0, Decimal("0")))[0],
                "amount": ledger.by_status.get(value, (0, Decimal("0.00")))[1],
            }
            for value in Bond.Status.values
        },
        "contributions_by_source": {
            value: ledger.by_source.get(value, Decimal("0.00")) for value in Contribution.Source.values
        },
    }


@router.post("/bonds", response={201: BondOut}, summary="Record the bond posted for a detention")
@requires(Cap.PEOPLE_EDIT)
def post_bond(request: AuthedRequest, payload: BondIn) -> Any:
    detention = get_object_or_404(Detention.objects.visible_to(request.user), pk=payload.detention_id)
    bond = services.post_bond(
        detention=detention,
        amount=payload.amount,
        obligor=payload.obligor,
        posted_on=payload.posted_on,
        user=request.user,
    )
    return Status(201, bond)


@router.get("/bonds/{bond_id}", response=BondOut, summary="One bond")
@requires(Cap.PEOPLE_VIEW)
def get_bond(request: AuthedRequest, bond_id: int) -> Any:
    return selectors.bond_for(Reader.of(request), bond_id)


@router.post("/bonds/{bond_id}/contributions", response={201: ContributionOut}, summary="Add a contribution")
@requires(Cap.PEOPLE_EDIT)
def add_contribution(request: AuthedRequest, bond_id: int, payload: ContributionIn) -> Any:
    bond = selectors.bond_access(request.user, bond_id)
    # Idempotency-Key: a client that retries after a timeout gets the first contribution back.
    contribution = services.add_contribution(
        bond=bond,
        user=request.user,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        **payload.dict(),
    )
    return Status(201, contribution)


@router.post(
    "/bonds/{bond_id}/status", response=BondOut, summary="Move the bond one step (409 if not allowed)"
)
@requires(Cap.PEOPLE_EDIT)
def change_status(request: AuthedRequest, bond_id: int, payload: StatusIn) -> Any:
    bond = selectors.bond_access(request.user, bond_id)
    return services.change_status(bond=bond, user=request.user, status=payload.status, reason=payload.reason)


@router.post("/bonds/{bond_id}/receipt", response=BondOut, summary="Attach the receipt (PDF or image)")
@requires(Cap.PEOPLE_EDIT)
def attach_receipt(request: AuthedRequest, bond_id: int, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    bond = selectors.bond_access(request.user, bond_id)
    return services.attach_receipt(bond=bond, upload=file, user=request.user)
