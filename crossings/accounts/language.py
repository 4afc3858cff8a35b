"""Khmer stays Khmer: the language a user reads in is chosen once and kept.

Before login the language is the one picked on the login page (a cookie) or asked for by the browser
(``Accept-Language``), as Django's LocaleMiddleware reads it. At the first login of a user who has never
chosen, that language is stored on the user; from then on their stored choice wins on every device
(UserLanguageMiddleware) until they switch with the language button.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import translation

if TYPE_CHECKING:
    from crossings.accounts.models import User


@receiver(user_logged_in)
def keep_the_login_language(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if getattr(user, "language", None) or request is None:
        return
    language = translation.get_language_from_request(request)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    type(user).objects.filter(pk=user.pk).update(language=language)
    user.language = language
