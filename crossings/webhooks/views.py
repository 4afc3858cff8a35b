"""The webhook pages, for an organisation's administrators: the subscriptions (and a new one, whose secret
is shown once), a subscription's delivery log with "resend", pause and resume."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crossings.accounts.models import Organisation
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.errors import Refused
from crossings.webhooks import selectors, services, signing
from crossings.webhooks.forms import SubscriptionForm

LOG_PAGE = 50


@requires(Cap.ORG_MANAGE)
def webhook_list(request: AuthedRequest) -> HttpResponse:
    orgs = sorted(request.user.scope.orgs_with(Cap.ORG_MANAGE))
    organisations = list(Organisation.objects.filter(pk__in=orgs).order_by("pk").values_list("pk", "name"))
    form = SubscriptionForm(request.POST or None, organisations=organisations)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_subscription(
                user=request.user,
                organisation_id=request.user.scope.acting_organisation(
                    Cap.ORG_MANAGE, data.get("organisation")
                ),
                url=data["url"],
                events=data["events"],
                description=data["description"],
            )
        except Refused as exc:
            for field, message in exc.field_errors:
                form.add_error(field if field in form.fields else None, message)
        else:
            form = SubscriptionForm(organisations=organisations)
    return render(
        request,
        "webhooks/webhook_list.html",
        {
            "form": form,
            "created": created,
            "subscriptions": selectors.subscriptions_for(request.user),
            "several": len(organisations) > 1,
        },
        status=422 if request.method == "POST" and created is None else 200,
    )


@requires(Cap.ORG_MANAGE)
def webhook_detail(request: AuthedRequest, subscription_id: int) -> HttpResponse:
    subscription = selectors.subscription_for(request.user, subscription_id)
    page = Paginator(selectors.delivery_log(subscription), LOG_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/webhook_detail.html",
        {"subscription": subscription, "page": page, "window": signing.REPLAY_WINDOW // 60},
    )


@requires(Cap.ORG_MANAGE)
@require_POST
def webhook_active(request: AuthedRequest, subscription_id: int) -> HttpResponse:
    subscription = selectors.subscription_for(request.user, subscription_id)
    active = request.POST.get("active") == "1"
    services.set_active(subscription=subscription, active=active, user=request.user)
    messages.success(request, _("Webhook resumed.") if active else _("Webhook paused."))
    return redirect("webhook_detail", subscription_id=subscription.pk)


@requires(Cap.ORG_MANAGE)
@require_POST
def webhook_resend(request: AuthedRequest, delivery_id: int) -> HttpResponse:
    row = selectors.delivery_for(request.user, delivery_id)
    try:
        services.resend(delivery_row=row, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Queued to be sent again."))
    return redirect("webhook_detail", subscription_id=row.subscription_id)
