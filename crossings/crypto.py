"""Encryption at rest for sensitive fields, and keyed hashes that make them exact-match searchable.

Keys come from CROSSINGS_FIELD_KEYS (comma-separated Fernet keys). The first encrypts; all decrypt, so a new
key is added in front, ``crossings rotate-keys`` re-encrypts every row with it, and the old key is then
dropped. Keyed hashes (blind indexes) are HMAC-SHA256 under a key derived from each field key: lookups try
every configured key, so search keeps working during a rotation; rotate-keys recomputes them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "CROSSINGS_FIELD_KEYS must hold Fernet keys (44 url-safe base64 characters each); "
            "make one with `crossings generate-field-key`."
        ) from exc


def fernet() -> MultiFernet:
    if not settings.FIELD_KEYS:
        raise ImproperlyConfigured("No field encryption key: set CROSSINGS_FIELD_KEYS.")
    return _fernet(tuple(settings.FIELD_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored value cannot be decrypted with any key in CROSSINGS_FIELD_KEYS (a key was removed "
            "before `crossings rotate-keys` re-encrypted the data?)."
        ) from exc


def rotate(token: str) -> str:
    return fernet().rotate(token.encode()).decode()


def _index_key(field_key: str) -> bytes:
    return hmac.new(field_key.encode(), b"crossings-blind-index-v1", hashlib.sha256).digest()


def blind_index(value: str, *, all_keys: bool = False) -> str | list[str]:
    """HMAC of a normalised value. With ``all_keys`` returns one digest per configured key (for lookups)."""
    digests = [
        hmac.new(_index_key(k), value.encode(), hashlib.sha256).hexdigest() for k in settings.FIELD_KEYS
    ]
    return digests if all_keys else digests[0]


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token. Only ``isnull`` lookups make sense on it; search through a
    separate blind-index field where exact match is needed."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise TypeError(f"Encrypted fields cannot be searched with {lookup_name!r}; use a blind index.")
        return super().get_lookup(lookup_name)


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (dict, list…) stored as one Fernet token of its JSON text: for snapshots of records
    that hold sensitive fields, which must be as unreadable in the database and its backups as the fields."""

    # For django-stubs: the Python value is JSON (a dict), not the text the base class stores.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        text = super().from_db_value(value, expression, connection)
        return json.loads(text) if text else text

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))


class EncryptedCharField(EncryptedTextField):
    """Same storage as EncryptedTextField; renders as a one-line input in forms."""

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)
