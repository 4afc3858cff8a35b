"""Checks for uploaded files: size, and the real type read from the file's first bytes (the name and the
browser's claimed content type are not trusted)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
]
DEFAULT_ALLOWED = frozenset({"application/pdf", "image/png", "image/jpeg", "image/webp"})


def sniff(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def validate_upload(upload: Any, allowed: frozenset[str] | set[str] = DEFAULT_ALLOWED) -> tuple[str, str]:
    """Return (content type, sha256) or raise ValidationError saying what is wrong with the file."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1_048_576, 1), "limit": MAX_BYTES // 1_048_576}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is None or content_type not in allowed:
        raise ValidationError(
            _("This file is not an accepted type (its content is not %(types)s, whatever its name says).")
            % {"types": ", ".join(sorted(t.split("/")[1].upper() for t in allowed))}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()
