"""A secret handed out once and kept only as its SHA-256: an API token, a calendar feed's address.

The secret is 256 random bits, so a fast hash is as safe as a slow one and lets the database find it by
index. It works while it is not revoked and its user is active; revoking is for good (a new one is issued).
"""

from __future__ import annotations

import hashlib
from typing import Self

from django.db import models
from django.utils import timezone


class HashedSecret(models.Model):
    """Each kind declares its own ``user`` and ``digest`` (unique) columns beside these."""

    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def live(cls, raw: str) -> Self | None:
        """The one ``raw`` is, with its user, if it still works; None otherwise."""
        return (
            cls._default_manager.select_related("user")
            .filter(digest=cls.digest_of(raw), revoked_at=None, user__is_active=True)
            .first()
        )

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
