"""The bond ledger and one bond's page with its forms. Each view parses, calls one selector or service,
and renders or redirects."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crossings.accounts import keep
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.audit.models import AccessLog
from crossings.audit.reads import Reader, log_view
from crossings.bonds import selectors, services
from crossings.bonds.forms import BondForm, ContributionForm, ReceiptForm, StatusForm
from crossings.bonds.models import Bond
from crossings.formtools import row_id, submit
from crossings.legal.models import Detention


@requires(Cap.PEOPLE_VIEW)
def bond_ledger(request: AuthedRequest) -> HttpResponse:
    organisation_id = request.user.scope.acting_organisation(
        Cap.PEOPLE_VIEW, row_id(request.GET.get("org", ""))
    )
    bonds = selectors.visible_bonds(request.user).filter(organisation_id=organisation_id)
    page = Paginator(bonds, 50).get_page(request.GET.get("page"))
    selectors.log_bonds(Reader.of(request), list(page.object_list), total=page.paginator.count)
    return render(
        request,
        "bonds/ledger.html",
        {"page": page, "ledger": selectors.ledger(request.user, organisation_id)},
    )


@requires(Cap.PEOPLE_VIEW)
def bond_detail(request: AuthedRequest, bond_id: int) -> HttpResponse:
    bond = selectors.bond_for(Reader.of(request), bond_id)
    today = {"given_on": timezone.localdate()}
    next_statuses = bond.TRANSITIONS.get(bond.status, ())
    status_form = StatusForm(prefix="s").offer_only(next_statuses)
    return render(
        request,
        "bonds/bond_detail.html",
        {
            "bond": bond,
            "contributions": list(bond.contributions.all()),
            "can_edit": request.user.scope.can(Cap.PEOPLE_EDIT, bond.organisation_id),
            "next_statuses": next_statuses,
            "contribution_form": ContributionForm(
                keep.restored(request, reverse("bond_contribution", args=[bond.pk])),
                prefix="c",
                initial=today,
            ),
            "status_form": status_form,
            "receipt_form": ReceiptForm(prefix="r"),
        },
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def bond_new(request: AuthedRequest) -> HttpResponse:
    form = BondForm(request.POST, prefix="bond")
    detention = None
    if form.is_valid():
        detention = get_object_or_404(
            Detention.objects.visible_to(request.user), pk=form.cleaned_data["detention"]
        )

    def post(data: dict[str, Any]) -> Bond:
        assert detention is not None  # submit calls this only for a valid form, whose detention was found
        return services.post_bond(
            detention=detention,
            amount=data["amount"],
            obligor=data["obligor"],
            posted_on=data["posted_on"],
            user=request.user,
        )

    bond = submit(request, form, post, gettext_lazy("Bond recorded."))
    if bond is not None:
        return redirect("bond_detail", bond_id=bond.pk)
    if detention is not None:
        return redirect("person_legal", person_id=detention.person_id)
    return redirect("bond_ledger")


@requires(Cap.PEOPLE_EDIT)
@require_POST
@keep.restorable(page="bond_detail")
def bond_contribution(request: AuthedRequest, bond_id: int) -> HttpResponse:
    bond = selectors.bond_access(request.user, bond_id)
    submit(
        request,
        ContributionForm(request.POST, prefix="c"),
        lambda data: services.add_contribution(
            bond=bond, user=request.user, **{**data, "idempotency_key": data.get("idempotency_key") or ""}
        ),
        gettext_lazy("Contribution recorded."),
    )
    return redirect("bond_detail", bond_id=bond.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def bond_status(request: AuthedRequest, bond_id: int) -> HttpResponse:
    bond = selectors.bond_access(request.user, bond_id)
    submit(
        request,
        StatusForm(request.POST, prefix="s"),
        lambda data: services.change_status(bond=bond, user=request.user, **data),
        gettext_lazy("Bond status changed."),
    )
    return redirect("bond_detail", bond_id=bond.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def bond_receipt(request: AuthedRequest, bond_id: int) -> HttpResponse:
    bond = selectors.bond_access(request.user, bond_id)
    submit(
        request,
        ReceiptForm(request.POST, request.FILES, prefix="r"),
        lambda data: services.attach_receipt(bond=bond, upload=data["receipt"], user=request.user),
        gettext_lazy("Receipt stored."),
    )
    return redirect("bond_detail", bond_id=bond.pk)


@requires(Cap.PEOPLE_VIEW)
def bond_receipt_file(request: AuthedRequest, bond_id: int) -> FileResponse:
    """The receipt itself, decrypted for this download only; the download is in the access log."""
    bond = selectors.bond_access(request.user, bond_id)
    if not bond.receipt:
        raise Http404
    log_view(Reader.of(request), bond, organisation_id=bond.organisation_id, action=AccessLog.Action.DOWNLOAD)
    response = FileResponse(
        bond.receipt.open("rb"),
        content_type=bond.receipt_content_type or "application/octet-stream",
        as_attachment=True,
        filename=bond.receipt_name or "receipt",
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
