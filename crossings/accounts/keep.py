"""Typing is never lost (issue 13, item 3).

Two helpers for the page forms:

- **Drafts.** A form sent after the session ended (or whose CSRF token was refused) is kept, encrypted like
  the records (``crypto.EncryptedJSONField``), for ``CROSSINGS_DRAFT_MINUTES`` (30). The login's ``next``
  carries only the draft's random id (``/drafts/<id>/``). It is shown again, filled in and not saved, only
  to the user whose session it was, only in the browser holding the draft's signed cookie, only after a
  successful login (and second factor), and only once: then it is deleted. Files, passwords, one-time codes
  and CSRF tokens are never kept. A page opts in by binding its form to ``restored(request, action)`` (or
  ``form_data(request)`` for a form that posts to its own page).
- **Submission tokens.** A create form carries a one-time token (``submission_field``); ``once`` runs the
  create and remembers the token with the page of what it created, in the same transaction, so the same
  form sent again (a phone that lost its connection before the answer came, a double tap) goes to that
  page instead of creating the record twice.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from crossings.accounts.models import Draft, Submission, User
from crossings.accounts.verified import fully_authenticated
from crossings.formtools import row_id

T = TypeVar("T")
V = TypeVar("V", bound=Callable[..., Any])

COOKIE = "crossings_draft"
COOKIE_SALT = "crossings.accounts.keep.draft"
SESSION_DRAFT = "crossings_draft"
# Forms whose typing is never kept: logging in, second factor, enrolment, language, the API and back office.
NEVER_KEPT = ("/login/", "/logout/", "/account/", "/i18n/", "/api/", "/admin/", "/openrosa/", "/drafts/")
NEVER_KEPT_FIELDS = frozenset(
    {"csrfmiddlewaretoken", "confirmed", "next", "otp_token", "otp_device", "otp_challenge", "code", "token"}
)
MAX_KEPT_CHARACTERS = 200_000  # far past any form's text; a bigger body is not kept
SUBMISSIONS_KEPT_DAYS = 7


def minutes() -> int:
    return int(getattr(settings, "CROSSINGS_DRAFT_MINUTES", 30))


def _secret(name: str) -> bool:
    lowered = name.lower()
    return lowered in NEVER_KEPT_FIELDS or "password" in lowered or "secret" in lowered


def same_origin(request: HttpRequest) -> bool:
    """The request says it comes from a page of this site (Origin, else Referer). Only such a form is kept
    after a CSRF refusal: a form another site made the browser send is never shown back to the user."""
    origin = request.META.get("HTTP_ORIGIN")
    here = f"{request.scheme}://{request.get_host()}"
    if origin:
        return origin == here
    referer = request.META.get("HTTP_REFERER", "")
    return bool(referer) and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _page(request: HttpRequest) -> str:
    """The path of the page the form is on: the one its view declares (``@restorable(page=...)``, with the
    same URL arguments), else the Referer's when it is this site's, else the form's own path (a form that
    posts to its own page). A path only: a query string is never kept."""
    from urllib.parse import urlsplit

    try:
        match = resolve(request.path)
    except Resolver404:
        match = None
    declared = getattr(match.func, "crossings_restorable_page", None) if match else None
    if declared and match is not None:
        return reverse(declared, kwargs=match.kwargs)[:300]
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        path = urlsplit(referer).path
        if path.startswith("/") and not path.startswith(NEVER_KEPT):
            return path[:300]
    return request.path[:300]


WHO_COOKIE = "crossings_who"
WHO_SALT = "crossings.accounts.keep.who"


def _who_digest(user: User) -> str:
    # Changes with the password and with "log out on every device" (the session hash's per-user salt).
    return salted_hmac(WHO_SALT, user.get_session_auth_hash()).hexdigest()[:32]


def remember(response: HttpResponseBase, user: User) -> HttpResponseBase:
    """At the login: a signed cookie saying whose browser this is, lasting until the browser closes, like
    the session. The session cookie is dropped by the first request after the session ended (a page, the
    duplicate check htmx sends while typing), so without this the form sent after it could not say whose
    typing it is. It holds the user's id and a digest, nothing else."""
    response.set_signed_cookie(
        WHO_COOKIE,
        f"{user.pk}:{_who_digest(user)}",
        salt=WHO_SALT,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def forget(response: HttpResponse) -> HttpResponse:
    """At a logout: the browser no longer says whose it is, and holds no draft."""
    response.delete_cookie(WHO_COOKIE, samesite="Lax")
    response.delete_cookie(COOKIE, samesite="Lax")
    return response


def _ended_session_user(request: HttpRequest) -> User | None:
    """Whose session ended in this browser: the user of the server's own (expired) session row that the
    session cookie names, else the one the signed login cookie names. None if neither says (logged out) or
    what they say is no longer valid for the user (password changed, logged out everywhere, disabled)."""
    from django.contrib.sessions.models import Session

    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    row = Session.objects.filter(session_key=key[:40]).first() if key else None
    if row is not None:
        data = row.get_decoded()
        user = User.objects.filter(pk=str(data.get(SESSION_KEY, "")), is_active=True).first()
        valid = user is not None and constant_time_compare(
            data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()
        )
        return user if valid else None
    who = request.get_signed_cookie(WHO_COOKIE, default="", salt=WHO_SALT)
    pk, _sep, digest = str(who).partition(":")
    user = User.objects.filter(pk=row_id(pk) or 0, is_active=True).first() if pk else None
    if user is None or not constant_time_compare(digest, _who_digest(user)):
        return None
    return user


def restorable(view: V | None = None, *, page: str | None = None) -> Any:
    """Mark a page form's view (below its access rule) as one whose page shows a kept draft again: only
    such a form's typing is kept, so nothing is kept that no page would give back. ``page``: the URL name of
    the page the form is on, when the view only takes the POST (it gets the view's URL arguments)."""

    def mark(inner: V) -> V:
        inner.crossings_restorable = True  # type: ignore[attr-defined]
        inner.crossings_restorable_page = page  # type: ignore[attr-defined]
        return inner

    return mark(view) if view is not None else mark


def _restorable(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return bool(getattr(match.func, "crossings_restorable", False))


def purge() -> int:
    """Delete the expired drafts: whenever a draft is kept or restored and at every login."""
    deleted, _rows = Draft.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


@receiver(user_logged_in)
def _purge_at_login(sender: Any, **kwargs: Any) -> None:
    purge()


def keep_draft(request: HttpRequest) -> Draft | None:
    """Keep what this POST carried, for its user, or None when it cannot be kept (not a page form, no known
    user, too big). A logged-in user's draft is theirs at once (``claimed``); an anonymous one waits for the
    login in this browser."""
    if request.method != "POST" or request.path.startswith(NEVER_KEPT) or request.headers.get("HX-Request"):
        return None  # an htmx request (the duplicate check while typing) is not the form being sent
    if not _restorable(request.path):
        return None
    claimed = fully_authenticated(request.user)
    user = request.user if claimed else _ended_session_user(request)
    if not isinstance(user, User):
        return None
    fields = [[name, value] for name, values in request.POST.lists() if not _secret(name) for value in values]
    if sum(len(name) + len(value) for name, value in fields) > MAX_KEPT_CHARACTERS:
        return None
    purge()
    now = timezone.now()
    draft = Draft.objects.create(
        id=secrets.token_urlsafe(32),
        user=user,
        claimed=claimed,
        action=request.path[:300],
        page=_page(request),
        fields=fields,
        had_files=bool(request.FILES),
        expires_at=now + dt.timedelta(minutes=minutes()),
    )
    if claimed:
        request.session[SESSION_DRAFT] = draft.pk  # the page of the form shows it when opened again
    return draft


def hold(response: HttpResponse, draft: Draft) -> HttpResponse:
    """Give this browser the signed cookie without which the draft cannot be restored."""
    response.set_signed_cookie(
        COOKIE,
        draft.pk,
        salt=COOKIE_SALT,
        max_age=minutes() * 60,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def login_url(draft: Draft) -> str:
    return reverse("draft_restore", args=[draft.pk])


def login_again(request: HttpRequest) -> HttpResponse:
    """The answer to a page form sent after the session ended: log in again, then see the form again."""
    draft = keep_draft(request)
    if draft is None:
        messages.warning(request, _("Your session had ended, so the form was not saved. Log in again."))
        return redirect_to_login(_page(request))
    messages.info(
        request,
        _(
            "You were logged out, so nothing was saved yet. Log in again to see what you typed "
            "(kept %(n)s minutes)."
        )
        % {"n": minutes()},
    )
    return hold(redirect_to_login(login_url(draft)), draft)


def restore(request: HttpRequest, draft_id: str) -> HttpResponse:
    """After the login: the draft becomes this session's, and the user goes to the page of the form."""
    purge()
    cookie = request.get_signed_cookie(COOKIE, default=None, salt=COOKIE_SALT, max_age=minutes() * 60)
    draft = Draft.objects.filter(pk=draft_id[:64], claimed=False, expires_at__gt=timezone.now()).first()
    if (
        draft is None
        or cookie is None
        or not constant_time_compare(cookie, draft.pk)
        or draft.user_id != request.user.pk
        or not Draft.objects.filter(pk=draft.pk, claimed=False).update(claimed=True)  # once, even racing
    ):
        messages.warning(
            request,
            _(
                "What was typed could not be shown again: it is kept for %(n)s minutes, once, only in the "
                "browser it was typed in and for the person who typed it."
            )
            % {"n": minutes()},
        )
        return redirect("home")
    request.session[SESSION_DRAFT] = draft.pk
    response = redirect(draft.page if url_has_allowed_host_and_scheme(draft.page, None) else "home")
    response.delete_cookie(COOKIE, samesite="Lax")
    return response


def restored(request: HttpRequest, action: str) -> QueryDict | None:
    """The fields of this user's restored draft for the form that posts to ``action``, once; else None.
    Bind the form to them: it is shown filled in and is not saved until the user sends it."""
    draft_id = request.session.get(SESSION_DRAFT)
    if request.method != "GET" or not draft_id or request.user.pk is None:
        return None
    draft = Draft.objects.filter(
        pk=draft_id, user_id=request.user.pk, claimed=True, action=action, expires_at__gt=timezone.now()
    ).first()
    if draft is None:
        return None
    deleted, _rows = Draft.objects.filter(pk=draft.pk).delete()
    request.session.pop(SESSION_DRAFT, None)
    if not deleted:  # restored at the same moment in another tab
        return None
    data = QueryDict(mutable=True)
    for name, value in draft.fields:
        data.appendlist(name, value)
    messages.info(request, _("You were logged out; what you typed is restored — check and save."))
    if draft.had_files:
        messages.warning(request, _("Files are not kept: choose the file again."))
    return data


def form_data(request: HttpRequest) -> QueryDict | None:
    """For a form that posts to its own page: the POST, or the restored draft on the way back, or None."""
    if request.method == "POST":
        return request.POST
    return restored(request, request.path)


def new_token() -> str:
    return uuid.uuid4().hex


def submission_field() -> forms.CharField:
    """The hidden one-time token of a create form: a new one each time the form is shown empty, the same one
    when a refused form is shown again (nothing was created, so it may still create)."""
    return forms.CharField(widget=forms.HiddenInput, required=False, max_length=64, initial=new_token)


def replayed(request: Any, token: str) -> HttpResponse | None:
    """The answer to a submission token that already created something: a redirect to its page (with a
    message saying so), or None. For a view that must check before any other work (a duplicate warning
    would otherwise be shown about the record the first submission created)."""
    token = str(token or "").strip()[:64]
    first = Submission.objects.filter(user_id=request.user.pk, token=token).first() if token else None
    if first is None:
        return None
    messages.info(request, _("This was already saved (the form was sent twice); here it is."))
    return redirect(first.url)


def once(request: Any, token: str, create: Callable[[], T], page: Callable[[T], str]) -> T | HttpResponse:
    """Run ``create`` once per submission token of this user. The token is stored with ``page(result)`` in
    the same transaction as the record: a second request with it (even one racing the first) gets a
    redirect to that page, and nothing is created twice. A refused create stores nothing, so the corrected
    form can still be sent. Without a token, ``create`` simply runs."""
    token = str(token or "").strip()[:64]
    if not token:
        return create()
    answer = replayed(request, token)
    if answer is not None:
        return answer
    try:
        with transaction.atomic():
            row = Submission.objects.create(user_id=request.user.pk, token=token, url="")
            result = create()
            row.url = page(result)[:300]
            row.save(update_fields=["url"])
    except IntegrityError:
        answer = replayed(request, token)  # the same form arrived twice at once: the other one created it
        if answer is None:
            raise
        return answer
    Submission.objects.filter(
        created_at__lt=timezone.now() - dt.timedelta(days=SUBMISSIONS_KEPT_DAYS)
    ).delete()
    return result
