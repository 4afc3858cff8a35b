"""Uploaded files encrypted at rest: case documents, manifests (names, A-numbers), photos, consent scans.

``EncryptedFileStorage`` is the default storage (settings.STORAGES), so every FileField uses it. A file is
written as a marker line and one Fernet token (AES-128-CBC + HMAC-SHA256) of its content, under the field
keys of crossings/crypto.py (CROSSINGS_FIELD_KEYS): the first key encrypts, every key decrypts. Opening
decrypts; a file written before encryption (no marker) is still read as it is, until
``crossings encrypt-files`` encrypts it. ``crossings rotate-keys`` re-encrypts the files with the first key
(``reencrypt_files``) as it does the fields. A tampered file fails its HMAC and is refused, not served.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import models

from crossings import crypto

MARKER = b"crossings-encrypted-file v1\n"


def is_encrypted(raw: bytes) -> bool:
    return raw.startswith(MARKER)


def encrypt_bytes(plain: bytes) -> bytes:
    return MARKER + crypto.fernet().encrypt(plain)


def decrypt_bytes(raw: bytes) -> bytes:
    if not is_encrypted(raw):
        return raw  # written before files were encrypted; `crossings encrypt-files` encrypts it
    try:
        return crypto.fernet().decrypt(raw[len(MARKER) :])
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An uploaded file cannot be decrypted with any key in CROSSINGS_FIELD_KEYS (a key removed before "
            "`crossings rotate-keys` re-encrypted the files, or the file was altered)."
        ) from exc


class EncryptedFileStorage(FileSystemStorage):
    """FileSystemStorage whose files hold ciphertext; open() gives the plaintext."""

    def _save(self, name: str, content: Any) -> str:
        content.seek(0)
        plain = b"".join(content.chunks()) if hasattr(content, "chunks") else content.read()
        return super()._save(name, ContentFile(encrypt_bytes(plain)))  # type: ignore[misc]

    def _open(self, name: str, mode: str = "rb") -> Any:
        with open(self.path(name), "rb") as fh:
            return ContentFile(decrypt_bytes(fh.read()), name=name)

    def size(self, name: str) -> int:
        with open(self.path(name), "rb") as fh:
            return len(decrypt_bytes(fh.read()))


def _write_atomically(path: Path, data: bytes) -> None:
    """The new bytes replace the old in one rename: a crash leaves the old file or the new, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".reencrypt-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def stored_files() -> Iterator[tuple[str, Path]]:
    """(model label, path) of every file a FileField of any model refers to and that exists."""
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for field in fields:
            names = (
                model._default_manager.exclude(**{field.attname: ""})
                .exclude(**{f"{field.attname}__isnull": True})
                .values_list(field.attname, flat=True)
            )
            for name in names.iterator():
                path = Path(field.storage.path(name))
                if path.is_file():
                    yield model._meta.label, path


def reencrypt_files(*, rotate: bool) -> dict[str, int]:
    """Encrypt every stored file still in plaintext; with ``rotate``, also re-encrypt every encrypted one
    with the first key. Returns counts: encrypted, rotated, unchanged."""
    counts = {"encrypted": 0, "rotated": 0, "unchanged": 0}
    seen: set[Path] = set()
    for _label, path in stored_files():
        if path in seen:
            continue
        seen.add(path)
        raw = path.read_bytes()
        if not is_encrypted(raw):
            _write_atomically(path, encrypt_bytes(raw))
            counts["encrypted"] += 1
        elif rotate:
            try:
                token = crypto.fernet().rotate(raw[len(MARKER) :])
            except InvalidToken as exc:
                raise ImproperlyConfigured(
                    f"{path} cannot be decrypted with any key in CROSSINGS_FIELD_KEYS; nothing after it was "
                    "re-encrypted."
                ) from exc
            _write_atomically(path, MARKER + token)
            counts["rotated"] += 1
        else:
            counts["unchanged"] += 1
    return counts
