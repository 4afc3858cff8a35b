"""Bond workflows. A bond moves only along Bond.TRANSITIONS; when it is to be returned (the case ended, the
bond was cancelled) a task to recover it is put on the organisation's legal case, through cases.services,
the only writer of tasks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossings.accounts.roles import Cap
from crossings.bonds.models import Bond, Contribution
from crossings.cases import services as cases
from crossings.cases.models import Case
from crossings.errors import Conflict, Refused
from crossings.history import written_by
from crossings.idempotency import replay_or_record
from crossings.legal.models import Detention
from crossings.uploads import DOCUMENT, validate_upload

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from crossings.accounts.models import User

# How long the recovery task gives: ICE's bond refund (Form I-391, then the I-395 to the obligor) takes weeks.
RECOVERY_DAYS = 30


def _may_edit(user: User, organisation_id: int) -> None:
    if not user.scope.can(Cap.PEOPLE_EDIT, organisation_id):
        raise PermissionDenied


def _positive(amount: Any, field: str = "amount") -> Decimal:
    try:
        value = Decimal(str(amount))
    except ArithmeticError as exc:
        raise Refused(_("Give the amount in US dollars, e.g. 1500.00."), field=field) from exc
    if not value.is_finite() or value <= 0 or value >= Decimal("100000000"):
        raise Refused(_("Give the amount in US dollars, e.g. 1500.00."), field=field)
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def post_bond(
    *, detention: Detention, amount: Any, obligor: str, posted_on: dt.date | None = None, user: User
) -> Bond:
    _may_edit(user, detention.organisation_id)
    if Bond.objects.filter(detention=detention).exists():
        raise Conflict(_("A bond is already recorded for this detention."))
    if not obligor.strip():
        raise Refused(_("Say who signed the bond (the obligor)."), field="obligor")
    posted = posted_on or timezone.localdate()
    if posted < detention.started_on:
        raise Refused(_("The bond cannot be posted before the detention began."), field="posted_on")
    bond = Bond(
        organisation_id=detention.organisation_id,
        person_id=detention.person_id,
        detention=detention,
        amount=_positive(amount),
        obligor=obligor.strip()[:200],
        posted_on=posted,
        created_by=user,
    )
    written_by(bond, user)
    bond.save()
    return bond


def add_contribution(
    *,
    bond: Bond,
    amount: Any,
    source: str,
    from_whom: str = "",
    given_on: dt.date | None = None,
    user: User,
    idempotency_key: str = "",
) -> Contribution:
    """Money paid into the bond. ``idempotency_key`` (the form's submission token, the API's
    Idempotency-Key header): the same contribution sent again returns the first one (``replayed`` is True),
    so a double click never counts the money twice."""
    _may_edit(user, bond.organisation_id)
    return replay_or_record(
        idempotency_key,
        find=lambda key: Contribution.objects.filter(bond=bond, idempotency_key=key).first() if key else None,
        record=lambda key: _add_contribution(
            bond=bond,
            amount=amount,
            source=source,
            from_whom=from_whom,
            given_on=given_on,
            user=user,
            key=key,
        ),
    )


@transaction.atomic
def _add_contribution(
    *, bond: Bond, amount: Any, source: str, from_whom: str, given_on: dt.date | None, user: User, key: str
) -> Contribution:
    if source not in Contribution.Source.values:
        raise Refused(_("Choose where the money came from."), field="source")
    contribution = Contribution(
        organisation_id=bond.organisation_id,
        bond=bond,
        amount=_positive(amount),
        source=source,
        from_whom=from_whom.strip()[:200],
        given_on=given_on or timezone.localdate(),
        idempotency_key=key,
    )
    written_by(contribution, user)
    contribution.save()
    return contribution


@transaction.atomic
def attach_receipt(*, bond: Bond, upload: UploadedFile, user: User) -> Bond:
    """The receipt (ICE Form I-305), checked like every document (its size first, from the upload's size
    alone, before anything is read) and stored encrypted. The same file sent again changes nothing."""
    _may_edit(user, bond.organisation_id)
    content_type, sha256 = validate_upload(upload, limits=DOCUMENT)
    if bond.receipt and bond.receipt_sha256 == sha256:
        return bond
    bond.receipt_name = str(upload.name)[:255]
    bond.receipt_content_type = content_type
    bond.receipt_sha256 = sha256
    bond.receipt.save("upload", upload, save=False)
    written_by(bond, user, "receipt")
    bond.save()
    return bond


@transaction.atomic
def change_status(*, bond: Bond, status: str, user: User, reason: str = "") -> Bond:
    """Move the bond one step. To "being returned" (the case ended or the bond was cancelled) a recovery
    task goes on the legal case, once."""
    _may_edit(user, bond.organisation_id)
    bond = Bond.objects.select_for_update().select_related("person").get(pk=bond.pk)
    if status not in Bond.Status.values:
        raise Refused(_("Choose a status."), field="status")
    if status == bond.status:
        return bond  # sent again (a double click, a retry): it already is, nothing is written
    if not bond.may_become(status):
        raise Conflict(
            _("A bond that is %(now)s cannot become %(next)s.")
            % {"now": Bond.Status(bond.status).label, "next": Bond.Status(status).label}
        )
    bond.status = status
    if status == Bond.Status.BEING_RETURNED and bond.recovery_task_id is None:
        case = cases.programme_case(
            person=bond.person,
            organisation_id=bond.organisation_id,
            programme=Case.Programme.LEGAL_DEFENCE,
            user=user,
        )
        bond.recovery_task = cases.add_task(
            case=case,
            title=_("Recover the bond of %(amount)s USD (obligor: %(obligor)s)")
            % {"amount": bond.amount, "obligor": bond.obligor},
            due_on=timezone.localdate() + dt.timedelta(days=RECOVERY_DAYS),
            created_by=user,
        )
    written_by(bond, user, reason)
    bond.save()
    return bond
