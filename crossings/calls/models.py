"""The rapid-response hotline: one record per call taken. Who called and what they said is as sensitive as
the person's own file (a caller may be undocumented; a callback number finds a family), so those fields are
encrypted at rest; the names are also kept as blind-indexed words so calls can be searched without
decrypting them."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crossings.accounts.scoping import OrganisationScoped
from crossings.crypto import EncryptedCharField, EncryptedTextField, blind_index
from crossings.idempotency import key_once

# One hash prefix per word: enough to tell words apart, short enough for a bounded column.
WORD_HASH = 16
MAX_WORDS = 24


def name_words(*texts: str) -> list[str]:
    """The words of names as typed, case- and accent-insensitive, Khmer kept as it is."""
    words: list[str] = []
    for text in texts:
        for word in re.split(r"[\W_]+", (text or "").casefold()):
            if word and word not in words:
                words.append(word)
    return words[:MAX_WORDS]


def word_digests(word: str) -> list[str]:
    """The hashed word under every configured key (rotation-safe lookups)."""
    return [d[:WORD_HASH] for d in blind_index(f"call-word:{word}", all_keys=True)]


class Call(OrganisationScoped):
    class Relationship(models.TextChoices):
        SELF = "self", _("the person themself")
        SPOUSE = "spouse", _("spouse or partner")
        PARENT = "parent", _("parent")
        CHILD = "child", _("son or daughter")
        SIBLING = "sibling", _("brother or sister")
        RELATIVE = "relative", _("other relative")
        FRIEND = "friend", _("friend or neighbour")
        LAWYER = "lawyer", _("lawyer")
        OTHER = "other", _("other")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        KHMER = "km", _("Khmer")
        OTHER = "other", _("other language")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    caller_name = EncryptedCharField(_("caller's name"), blank=True, default="")
    relationship = models.CharField(
        _("relationship to the person"),
        max_length=20,
        choices=Relationship.choices,
        default=Relationship.OTHER,
    )
    caller_language = models.CharField(
        _("caller's language"), max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    person_name = EncryptedCharField(_("name of the person the call is about"), blank=True, default="")
    whereabouts = EncryptedTextField(_("where the person is held or was last seen"), blank=True, default="")
    what_happened = EncryptedTextField(_("what happened"), blank=True, default="")
    callback_number = EncryptedCharField(_("callback number"), blank=True, default="")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("taken by")
    )
    # Hashed words of the two names, space-separated: the only thing a search reads.
    name_index = models.CharField(max_length=(WORD_HASH + 1) * MAX_WORDS * 2, blank=True, editable=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rapid_response = models.ForeignKey(
        "legal.RapidResponse", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The form's submission token or the API's Idempotency-Key: the same call sent twice (a double click,
    # a retry after a timeout) is recorded once.
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # True on the record crossings.idempotency.replay_or_record returns for a request sent again: read by
    # the answer, not a field.
    replayed = False
    history = HistoricalRecords(excluded_fields=["name_index", "idempotency_key"])

    # What the person taking the call types, declared once: the form and the API schema derive from it.
    INTAKE_FIELDS = (
        "caller_name",
        "relationship",
        "caller_language",
        "person_name",
        "whereabouts",
        "what_happened",
        "callback_number",
        "received_at",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [key_once(within="organisation", name="call_idempotency_key_once")]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self) -> str:
        return f"#{self.pk}"

    def computed_name_index(self) -> str:
        return " ".join(word_digests(w)[0] for w in name_words(self.caller_name, self.person_name))

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_index = self.computed_name_index()
        super().save(*args, **kwargs)

    @classmethod
    def recompute_blind_indexes(cls) -> None:
        """After a key rotation (``crossings keys rotate``): re-derive the hashed name words with the new
        first key, so the search still finds every call once the old key is removed."""
        for call in cls.objects.only("pk", "caller_name", "person_name").iterator():
            cls.objects.filter(pk=call.pk).update(name_index=call.computed_name_index())
