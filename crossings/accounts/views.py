from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from crossings.accounts import keep
from crossings.accounts.forms import ApiTokenForm, EnrolmentCodeForm, TokenForm
from crossings.accounts.models import ApiToken, Membership, User
from crossings.accounts.rules import AuthedRequest, login_only, public


def _safe_next(request: HttpRequest, fallback: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(fallback)


_login = auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True)


@public
def login(request: HttpRequest) -> HttpResponseBase:
    response = _login(request)
    if request.method == "POST" and request.user.is_authenticated:
        # whose typing a form is, should it be sent after this session ends (keep.py)
        keep.remember(response, request.user)
    return response


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are logged out."))
    return keep.forget(redirect("login"))


@login_only
@require_POST
def logout_everywhere(request: AuthedRequest) -> HttpResponse:
    """End every session of this user on every device (lost phone, shared computer), and revoke their API
    tokens and calendar feeds, which would otherwise keep working on that device."""
    tokens, feeds = request.user.log_out_everywhere()
    logout(request)
    response = keep.forget(redirect("login"))
    messages.info(
        request,
        _(
            "You are logged out on every device. Revoked as well: %(tokens)s API token(s) and %(feeds)s "
            "calendar feed(s)."
        )
        % {"tokens": tokens, "feeds": feeds},
    )
    return response


@login_only
def home(request: AuthedRequest) -> HttpResponse:
    memberships = Membership.objects.filter(user_id=request.user.pk).select_related("organisation")
    return render(request, "accounts/home.html", {"memberships": memberships})


@login_only
def two_factor(request: AuthedRequest) -> HttpResponse:
    """Ask for the TOTP code; users without a confirmed device are sent to enrol one."""
    user = request.user
    if not TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists():
        return redirect(reverse("two_factor_setup") + "?next=" + _safe_next(request))
    form = TokenForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.verified_device)
        # A new privilege level gets a new session key, so a key seen before the second factor (fixation,
        # a shoulder-surfed cookie) is worth nothing after it.
        request.session.cycle_key()
        return HttpResponseRedirect(_safe_next(request))
    return render(request, "accounts/two_factor.html", {"form": form, "next": _safe_next(request)})


# Set in the session once the user has given a valid set-up code; holds their user id.
ENROLMENT_GRANTED = "crossings_enrolment_granted"


@login_only
def two_factor_setup(request: AuthedRequest) -> HttpResponse:
    """Enrol an authenticator: first the one-time set-up code an administrator issued, then the QR code.

    The password alone is not enough: whoever learnt it first could otherwise bind their own phone to the
    account. The secret is made only after the code is accepted, so no secret shown before it is ever used.
    """
    user = request.user
    if TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists():
        return redirect("two_factor")
    if request.session.get(ENROLMENT_GRANTED) != user.pk:
        code_form = EnrolmentCodeForm(request.POST or None, user=user)
        if request.method == "POST" and code_form.is_valid():
            TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).delete()
            request.session[ENROLMENT_GRANTED] = user.pk
            return redirect(reverse("two_factor_setup") + "?" + urlencode({"next": _safe_next(request)}))
        return render(
            request,
            "accounts/two_factor_enrol.html",
            {"form": code_form, "next": _safe_next(request)},
            status=400 if code_form.errors else 200,
        )
    device, _created = TOTPDevice.objects.get_or_create(
        user_id=user.pk, confirmed=False, defaults={"name": "authenticator"}
    )
    form = TokenForm(request.POST or None, user=user, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        request.session.pop(ENROLMENT_GRANTED, None)
        request.session.cycle_key()
        messages.success(request, _("Two-factor authentication is on."))
        return HttpResponseRedirect(_safe_next(request))
    buffer = BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": _safe_next(request),
            "qr_data_uri": "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode(),
            "secret": base64.b32encode(device.bin_key).decode(),
        },
    )


@login_only
def api_tokens(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
    tokens = ApiToken.objects.filter(user_id=request.user.pk)
    return render(
        request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "new_token": new_token}
    )


@login_only
@require_POST
def api_token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user_id=request.user.pk)
    token.revoke()
    messages.info(request, _("Token revoked."))
    return redirect("api_tokens")


@public
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language and remember it on the user, so it follows them to every device."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in {"en", "km"}:
        User.objects.filter(pk=request.user.pk).update(language=language)
    return django_set_language(request)


@login_only
def draft_restore(request: AuthedRequest, draft_id: str) -> HttpResponse:
    """After logging in again: the form that was sent when the session had ended, shown again filled in
    (crossings/accounts/keep.py). The URL holds only the draft's random id."""
    return keep.restore(request, draft_id)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal, in the reader's language and the product's look instead of Django's English
    technical page. ``reason`` (Django's English detail) is not shown: it helps no caseworker. The link back
    is the page the form was on, when that page is on this site. A form this site's own page sent (Origin or
    Referer) is kept as a draft, so the page can be shown again with what was typed (after a login when the
    session ended too); a form another site sent is never kept."""
    referer = request.META.get("HTTP_REFERER", "")
    back = referer if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) else ""
    draft = keep.keep_draft(request) if keep.same_origin(request) else None
    context = {
        "back": back,
        "draft": draft,
        "again": (draft.page if draft.claimed else keep.login_url(draft)) if draft is not None else "",
        "minutes": keep.minutes(),
    }
    response = render(request, "403_csrf.html", context, status=403)
    return keep.hold(response, draft) if draft is not None and not draft.claimed else response
