from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crossings.accounts.roles import Cap, OrgKind, Role
from crossings.accounts.scoping import Scope


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166 two-letter code, e.g. US or KH")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in (staff of an organisation), never a person served."""

    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    # Part of the session hash: changing it ends every session of this user ("log out everywhere").
    session_salt = models.UUIDField(default=uuid.uuid4, editable=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login", "session_salt"])

    def get_session_auth_hash(self) -> str:
        return hashlib.sha256(f"{super().get_session_auth_hash()}:{self.session_salt}".encode()).hexdigest()

    def end_all_sessions(self) -> None:
        self.session_salt = uuid.uuid4()
        self.save(update_fields=["session_salt"])

    @property
    def scope(self) -> Scope:
        cached: Scope | None = getattr(self, "_scope_cache", None)
        if cached is None:
            if not self.is_active:
                cached = Scope(user_id=None)
            else:
                cached = Scope.from_memberships(
                    user_id=self.pk,
                    memberships=self.memberships.values_list("organisation_id", "role"),
                    is_superuser=self.is_superuser,
                )
            self._scope_cache = cached
        return cached

    def needs_two_factor(self) -> bool:
        return self.scope.needs_two_factor()

    def organisation_kinds(self, cap: Cap) -> frozenset[str]:
        """The kinds (advocacy, reception, outreach, research) of the organisations where the user holds
        ``cap``: what the home page and the navigation show. Read once per request."""
        cache: dict[str, frozenset[str]] = self.__dict__.setdefault("_kinds_cache", {})
        if cap not in cache:
            orgs = self.scope.orgs_with(cap)
            cache[cap] = frozenset(Organisation.objects.filter(pk__in=orgs).values_list("kind", flat=True))
        return cache[cap]


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_responder = models.BooleanField(
        _("rapid responder"), default=False, help_text=_("Alerted at once when someone is detained.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a SHA-256 of the token is stored: the token is 256 random
    bits, so a fast hash is as safe as a slow one and lets us look it up by index."""

    PREFIX = "cx_"
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12, editable=False, help_text=_("First characters, to tell tokens apart")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.hint}… ({self.user})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str = "") -> tuple[ApiToken, str]:
        """Create a token and return it with its raw value, which is shown once and never stored."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, digest=cls.digest_of(raw), hint=raw[:10])
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        token = (
            cls.objects.select_related("user")
            .filter(digest=cls.digest_of(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        # Write the last-use time at most once a minute: a busy client should not make every call a write.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
