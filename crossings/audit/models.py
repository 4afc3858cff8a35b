"""Who read what. The change history of records is kept by django-simple-history on each model; this app
keeps reads (AccessLog) and emergency access (BreakGlassGrant). Neither can be edited or deleted through
the application: rows are written once."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crossings.accounts.roles import Cap
from crossings.accounts.scoping import Scope, ScopedQuerySet
from crossings.crypto import EncryptedTextField

if TYPE_CHECKING:
    from crossings.accounts.models import User


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Audit records are append-only.")


class AccessLogQuerySet(ScopedQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit records are append-only.")

    def delete(self) -> Any:
        raise PermissionError("Audit records are append-only.")


class AccessLog(AppendOnly):
    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        EXPORT = "export", _("exported")
        DOWNLOAD = "download", _("downloaded a document")
        BREAK_GLASS = "break_glass", _("emergency access")
        API = "api", _("read through the API")
        LIST = "list", _("listed or searched")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The organisation whose data was read: supervisors of that organisation see the entry.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    # What was read, by type and id only: the log itself holds no personal data.
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    path = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    reason = models.TextField(blank=True)
    # For a list, a search or an export: what was asked (a name or an A-number is personal data, so it is
    # encrypted like the fields it may quote), how many records answered, and the ids of those shown.
    query = EncryptedTextField(blank=True, null=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    object_ids = models.TextField(blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["organisation", "at"]),
        ]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.object_type}#{self.object_id}"

    @classmethod
    def scope_filter(cls, scope: Scope) -> models.Q:
        return models.Q(organisation_id__in=scope.orgs_with(Cap.AUDIT_VIEW))


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_access(
    request: HttpRequest | None,
    *,
    user: User,
    obj: models.Model,
    organisation_id: int | None,
    action: str = AccessLog.Action.VIEW,
    reason: str = "",
) -> AccessLog:
    """Write one access-log entry for a read of ``obj``. Call it from every view that shows personal data."""
    return AccessLog.objects.create(
        user=user,
        organisation_id=organisation_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        path=(request.path[:300] if request is not None else ""),
        ip_address=client_ip(request),
        reason=reason,
    )


class BreakGlassGrant(AppendOnly):
    """Emergency, time-limited access to one record's restricted sections, with a stated reason.
    Every grant is visible to the organisation's supervisors in the access log."""

    DURATION = timedelta(hours=4)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "object_type", "object_id"])]
        verbose_name = _("emergency access grant")
        verbose_name_plural = _("emergency access grants")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.object_type}#{self.object_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    @classmethod
    def is_active_for(cls, *, user: User, obj: models.Model) -> bool:
        return cls.objects.filter(
            user=user, object_type=obj._meta.label_lower, object_id=str(obj.pk), expires_at__gt=timezone.now()
        ).exists()


def break_glass(
    request: Any, *, obj: models.Model, organisation_id: int | None, reason: str
) -> BreakGlassGrant:
    """Open restricted sections of ``obj`` to the requesting user for a few hours, logged with the reason."""
    if not reason.strip():
        raise ValueError("A reason is required for emergency access.")
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=request.user,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        reason=reason.strip(),
        granted_at=now,
        expires_at=now + BreakGlassGrant.DURATION,
    )
    record_access(
        request,
        user=request.user,
        obj=obj,
        organisation_id=organisation_id,
        action=AccessLog.Action.BREAK_GLASS,
        reason=reason.strip(),
    )
    return grant
