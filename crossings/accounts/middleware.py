from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """A logged-in user's chosen language wins over the browser's, on every device they use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            request.LANGUAGE_CODE = user.language
            # override() restores the previous language afterwards, so it never leaks into whatever this
            # thread does next (another request, a task, a test).
            with translation.override(user.language):
                return self.get_response(request)
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Users holding a role listed in TWO_FACTOR_ROLES see nothing until they pass a TOTP check."""

    ALWAYS_OPEN = ("/account/2fa/", "/logout/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and user.needs_two_factor()
            and not request.path.startswith(self.ALWAYS_OPEN)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Two-factor verification required."), "errors": []}, status=403
                )
            return redirect(reverse("two_factor") + "?next=" + request.get_full_path())
        return self.get_response(request)
