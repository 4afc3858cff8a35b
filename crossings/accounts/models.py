from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crossings.accounts.credentials import HashedSecret
from crossings.accounts.roles import Cap, OrgKind, Role
from crossings.accounts.scoping import Scope
from crossings.crypto import EncryptedJSONField


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

    # "" until the user picks one: the language their login page was shown in is then kept for them
    # (crossings/accounts/language.py), so a Khmer phone stays Khmer after login.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )
    # Part of the session hash: changing it ends every session of this user ("log out everywhere").
    session_salt = models.UUIDField(default=uuid.uuid4, editable=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login", "session_salt"])

    def get_session_auth_hash(self) -> str:
        return hashlib.sha256(f"{super().get_session_auth_hash()}:{self.session_salt}".encode()).hexdigest()

    def end_all_sessions(self) -> None:
        self.session_salt = uuid.uuid4()
        self.save(update_fields=["session_salt"])

    def log_out_everywhere(self) -> tuple[int, int]:
        """End every session and revoke every credential that outlives one: API tokens and calendar-feed
        addresses (a lost phone holds both). Returns how many tokens and feeds were revoked."""
        from crossings.legal.models import CalendarFeed

        now = timezone.now()
        self.end_all_sessions()
        tokens = ApiToken.objects.filter(user_id=self.pk, revoked_at=None).update(revoked_at=now)
        feeds = CalendarFeed.objects.filter(user_id=self.pk, revoked_at=None).update(revoked_at=now)
        return tokens, feeds

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


class ApiToken(HashedSecret):
    """A bearer token for the JSON API (only its SHA-256 is stored: crossings/accounts/credentials.py)."""

    PREFIX = "cx_"
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12, editable=False, help_text=_("First characters, to tell tokens apart")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.hint}… ({self.user})"

    @classmethod
    def issue(cls, *, user: User, name: str = "") -> tuple[ApiToken, str]:
        """Create a token and return it with its raw value, which is shown once and never stored."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, digest=cls.digest_of(raw), hint=raw[:10])
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        token = cls.live(raw)
        if token is None:
            return None
        now = timezone.now()
        # Write the last-use time at most once a minute: a busy client should not make every call a write.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user


class EnrolmentCode(models.Model):
    """A one-time code an administrator gives a new user so they can set up their authenticator app.

    Without it, the password alone would be enough to enrol a second factor, so whoever learnt a new
    colleague's password first could bind their own phone to the account. The code is shown once (back
    office, or `crossings user enrol USER`), only its SHA-256 is stored (80 random bits: a fast hash is
    enough), it expires, and it works once. Issuing a new one ends the user's earlier unused codes."""

    ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper
    LENGTH = 16  # 16 characters of 32 = 80 bits

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("two-factor set-up code")
        verbose_name_plural = _("two-factor set-up codes")

    def __str__(self) -> str:
        return f"set-up code #{self.pk} ({self.user})"

    @classmethod
    def normalise(cls, raw: str) -> str:
        return "".join(ch for ch in raw.upper() if ch.isalnum())

    @classmethod
    def digest_of(cls, raw: str) -> str:
        return hashlib.sha256(cls.normalise(raw).encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, created_by: User | None = None) -> tuple[EnrolmentCode, str]:
        """A new code for ``user``, returned raw once (grouped by four for reading aloud)."""
        now = timezone.now()
        cls.objects.filter(user=user, used_at=None, expires_at__gt=now).update(expires_at=now)
        raw = "".join(secrets.choice(cls.ALPHABET) for _ in range(cls.LENGTH))
        shown = "-".join(raw[i : i + 4] for i in range(0, cls.LENGTH, 4))
        code = cls.objects.create(
            user=user,
            created_by=created_by,
            digest=cls.digest_of(raw),
            expires_at=now + dt.timedelta(hours=settings.CROSSINGS_ENROLMENT_HOURS),
        )
        return code, shown

    @classmethod
    def redeem(cls, *, user: User, raw: str) -> bool:
        """Use up the code if it is this user's, unused and unexpired. One UPDATE, so a code cannot be
        redeemed twice by two requests at once."""
        now = timezone.now()
        used = cls.objects.filter(
            user=user, digest=cls.digest_of(raw), used_at=None, expires_at__gt=now
        ).update(used_at=now)
        return used == 1


class LoginLockout(models.Model):
    """How often an account has been locked lately, so each further lock lasts twice as long (see
    crossings/accounts/lockout.py). Keyed on the user name as typed, like the failed attempts."""

    username = models.CharField(max_length=255, unique=True)
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField()

    class Meta:
        verbose_name = _("login lockout")
        verbose_name_plural = _("login lockouts")

    def __str__(self) -> str:
        return f"{self.username}: {self.count}"


class Draft(models.Model):
    """What a form carried when it could not be saved because the session had ended (or its CSRF token was
    refused): kept encrypted for a short time so the form can be shown again, filled in, after the user logs
    in (crossings/accounts/keep.py). Used once, then deleted; files are never kept, nor passwords or codes."""

    # Random and opaque: the only thing that goes into a URL (the login's ``next``).
    id = models.CharField(primary_key=True, max_length=64, editable=False)
    # Whose typing it is: the user of the session that had ended (read from that session on the server),
    # or the logged-in user whose CSRF token was refused. No one else can restore it.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Set once the user logged in again in the browser that holds the draft's signed cookie.
    claimed = models.BooleanField(default=False)
    action = models.CharField(max_length=300)  # the path the form was sent to
    page = models.CharField(max_length=300)  # the path of the page the form is on, where it is shown again
    fields = EncryptedJSONField()  # [[name, value], ...] as posted, minus secrets
    had_files = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"draft for {self.action}"  # a path with ids, never what was typed


class Submission(models.Model):
    """A create form's one-time submission token, once it created something: the same form sent again
    (a phone that lost its connection before the answer came, a double tap) goes to what the first one
    created instead of creating it twice (crossings/accounts/keep.py ``once``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    url = models.CharField(max_length=300)  # the page of what it created (ids only)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="one_submission_per_token")]

    def __str__(self) -> str:
        return f"submission {self.token}"
