"""Outreach API under /api/outreach/: clients, encounters, supplies and indicators (see docs/outreach.md).

Register in crossings/api.py ``_register_routers()`` with ``api.add_router("/", router)``.
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.api_helpers import Paginated
from crossings.formtools import row_id
from crossings.outreach import encounters, indicators, supplies
from crossings.outreach import uic as uic_rules
from crossings.outreach.indicators import Period
from crossings.outreach.models import Client, Encounter, Site, Submission
from crossings.outreach.views import acting_org

router = Router(tags=["outreach"])


class ClientOut(Schema):
    id: int
    uic: str
    sex: str
    age_band: str
    key_population: str
    district: str
    first_seen: dt.date
    last_seen: dt.date


class EncounterIn(Schema):
    """Either ``uic`` or the four facts it is made from (the names are used, never stored)."""

    date: dt.date
    district: str
    uic: str = ""
    mother_name: str = ""
    father_name: str = ""
    birth_order: int | None = None
    birth_date: dt.date | None = None
    province: str = ""
    commune: str = ""
    hot_spot: str = ""
    site_id: int | None = None
    sex: Literal["male", "female", "transgender", "unknown"] = "unknown"
    key_population: Literal["pwid", "pwud", "sw", "msm", "tg", "other"] = "other"
    needles_syringes: int = 0
    condoms: int = 0
    naloxone: int = 0
    swabs: int = 0
    hiv_test: Literal["not_done", "non_reactive", "reactive"] = "not_done"
    referral: Literal["", "ost", "hiv_treatment", "tb", "shelter", "detox"] = ""
    referral_completed: bool = False


class EncounterOut(Schema):
    id: int
    uic: str
    date: dt.date
    worker_id: int
    site_id: int | None
    province: str
    district: str
    commune: str
    hot_spot: str
    needles_syringes: int
    condoms: int
    naloxone: int
    swabs: int
    hiv_test: str
    referral: str
    referral_completed: bool
    source: str

    @staticmethod
    def resolve_uic(obj: Encounter) -> str:
        return obj.client.uic


class EncounterCreated(Schema):
    encounter: EncounterOut
    near_collisions: list[str]
    stock_warnings: list[str]


class SiteOut(Schema):
    id: int
    name: str
    kind: str
    province: str
    district: str
    commune: str
    low_stock_level: int


class StockOut(Schema):
    site_id: int
    item: str
    balance: int


class MovementIn(Schema):
    site_id: int
    item: Literal["needles_syringes", "condoms", "naloxone", "swabs", "hiv_test_kits"]
    kind: Literal["received", "adjust_in", "adjust_out"]
    quantity: int
    date: dt.date
    note: str = ""


class MovementOut(Schema):
    id: int
    site_id: int
    item: str
    kind: str
    quantity: int
    date: dt.date


class SubmissionOut(Schema):
    id: int
    instance_id: str
    form_id: str
    form_version: str
    status: str
    reason: str
    received_at: dt.datetime
    encounter_id: int | None


@router.get("/outreach/clients", response=list[ClientOut], summary="Anonymous outreach clients in scope")
@requires(Cap.OUTREACH_USE)
@paginate(Paginated)
def list_clients(request: AuthedRequest, uic: str = "") -> Any:
    qs = Client.objects.visible_to(request.user)
    if uic:
        qs = qs.filter(uic=uic_rules.normalise_uic(uic))
    return qs


@router.get("/outreach/encounters", response=list[EncounterOut], summary="Encounters in scope, newest first")
@requires(Cap.OUTREACH_USE)
@paginate(Paginated)
def list_encounters(request: AuthedRequest, start: dt.date | None = None, end: dt.date | None = None) -> Any:
    qs = Encounter.objects.visible_to(request.user).select_related("client")
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return qs


@router.post("/outreach/encounters", response={201: EncounterCreated}, summary="Record an encounter")
@requires(Cap.OUTREACH_USE)
def create_encounter(request: AuthedRequest, payload: EncounterIn) -> Any:
    org = acting_org(request)
    code = payload.uic
    if not code:
        try:
            code = uic_rules.build_uic(
                mother_name=payload.mother_name,
                father_name=payload.father_name,
                birth_order=payload.birth_order,
                birth_date=payload.birth_date,
                today=payload.date,
            )
        except uic_rules.UICError as exc:
            raise ValidationError(exc.errors) from None
    values = payload.dict(exclude={"uic", "mother_name", "father_name", "birth_order", "birth_date"})
    data = encounters.EncounterData(uic=code, **values)
    problems = data.check()
    if problems:
        raise ValidationError(problems)
    if data.site_id is not None and not Site.objects.filter(pk=data.site_id, organisation_id=org).exists():
        raise ValidationError({"site_id": "No such site in your organisation."})
    recorded = encounters.record_encounter(organisation_id=org, worker=request.user, data=data, source="api")
    return Status(
        201,
        {
            "encounter": recorded.encounter,
            "near_collisions": [c.uic for c in recorded.near_collisions if c.uic != data.uic],
            "stock_warnings": recorded.stock_warnings,
        },
    )


@router.get("/outreach/sites", response=list[SiteOut], summary="Outreach sites")
@requires(Cap.OUTREACH_USE)
def list_sites(request: AuthedRequest) -> Any:
    return Site.objects.visible_to(request.user)


@router.get("/outreach/stock", response=list[StockOut], summary="Book balance per site and item")
@requires(Cap.OUTREACH_USE)
def stock(request: AuthedRequest, on: dt.date | None = None) -> Any:
    ids = list(Site.objects.visible_to(request.user).values_list("id", flat=True))
    return [{"site_id": s, "item": i, "balance": b} for (s, i), b in supplies.balances(ids, on=on).items()]


@router.post(
    "/outreach/stock/movements", response={201: MovementOut}, summary="Record stock received or adjusted"
)
@requires(Cap.OUTREACH_USE)
def add_movement(request: AuthedRequest, payload: MovementIn) -> Any:
    site = get_object_or_404(Site.objects.visible_to(request.user), pk=payload.site_id)
    if payload.quantity <= 0:
        raise ValidationError({"quantity": "A quantity above zero."})
    movement = supplies.record_movement(
        site=site,
        item=payload.item,
        kind=payload.kind,
        quantity=payload.quantity,
        date=payload.date,
        by=request.user,
        note=payload.note,
    )
    return Status(201, movement)


@router.get("/outreach/indicators", summary="WHO/UNAIDS indicators for a month or quarter")
@requires(Cap.OUTREACH_USE)
def get_indicators(
    request: AuthedRequest,
    year: int,
    month: int | None = None,
    quarter: int | None = None,
    site_id: int | None = None,
    shared: bool = False,
) -> dict[str, Any]:
    """``shared=true`` gives the figures as they may leave the organisation (counts 1-4 shown as "<5")."""
    if (month is None) == (quarter is None):
        raise HttpError(422, "Give either month or quarter.")
    try:
        period = Period.month(year, month) if month is not None else Period.quarter(year, quarter or 0)
    except ValueError:
        raise HttpError(422, "No such month or quarter.") from None
    qs = Encounter.objects.visible_to(request.user)
    if site_id is not None:
        if row_id(site_id) is None:  # a number no id can be: the database driver would raise, not answer
            raise HttpError(422, "No such site.")
        qs = qs.filter(site_id=site_id)
    result = indicators.compute(qs, period)
    return indicators.shared(result) if shared else result.as_dict()


@router.get("/outreach/submissions", response=list[SubmissionOut], summary="ODK submissions, with reasons")
@requires(Cap.OUTREACH_USE)
@paginate(Paginated)
def list_submissions(request: AuthedRequest, status: str = "") -> Any:
    qs = Submission.objects.visible_to(request.user).defer("xml")
    if status:
        if status not in Submission.Status.values:
            raise HttpError(422, f"status must be one of: {', '.join(Submission.Status.values)}")
        qs = qs.filter(status=status)
    return qs
