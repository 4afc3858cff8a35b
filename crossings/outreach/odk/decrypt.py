"""Decrypting the submissions of encrypted forms (XLSForm ``public_key`` setting), the way ODK does it.

What Collect sends for an encrypted form is a manifest (namespace ``http://www.opendatakit.org/xforms/
encrypted``): ``base64EncryptedKey`` (a random 256-bit AES key, RSA-OAEP with SHA-1/MGF1 under the form's
public key), ``orx:meta/orx:instanceID``, one ``media/file`` per attachment (``<name>.enc``),
``encryptedXmlFile`` (``submission.xml.enc``) and ``base64EncryptedElementSignature`` (the MD5 of the
signature source, RSA-OAEP encrypted too). Every file is AES-256-CFB (128-bit feedback) over PKCS#5-padded
plaintext. The IV starts as md5(instanceID + key) and one byte of it is incremented before each file, media
files first in manifest order, ``submission.xml`` last.

The private key is given to :func:`decrypt_pending` by the supervisor's command and never stored. The stored
manifest and the encrypted attachments are kept as received; the decrypted XML is read once (it holds the
parents' names) and goes through the same ``parse_submission`` path as a plain submission.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from django.db import transaction
from django.db.models import Q

from crossings.outreach.models import Submission
from crossings.outreach.odk.ingest import _fields, _local, parse_submission

log = logging.getLogger(__name__)

ENCRYPTED_NS = "http://www.opendatakit.org/xforms/encrypted"
DECRYPTION_PREFIX = "decryption: "
_OAEP = OAEP(mgf=MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303 - ODK's


class DecryptionError(Exception):
    """The submission cannot be decrypted with this key, or its files do not match their signature."""


class MissingFile(Exception):
    """An attachment the manifest names has not arrived yet (Collect sends big submissions in parts)."""


def load_private_key(pem: bytes, password: bytes | None = None) -> rsa.RSAPrivateKey:
    """An RSA private key from PEM (PKCS#1 or PKCS#8); ValueError in words a supervisor can act on."""
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except TypeError as exc:  # encrypted key without a password, or a password for a plain key
        raise ValueError(str(exc)) from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise ValueError("This is not a PEM private key (or the passphrase is wrong).") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("ODK form encryption uses RSA; this key is not an RSA key.")
    return key


def public_key_setting(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    """What goes in the XLSForm ``public_key`` setting: base64 of the DER SubjectPublicKeyInfo."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


@dataclass
class Manifest:
    form_id: str
    version: str | None
    instance_id: str
    encrypted_key: str
    media: list[str]
    xml_file: str
    signature: str


def read_manifest(raw: bytes) -> Manifest:
    try:
        root = SafeET.fromstring(raw)
    except Exception as exc:  # defusedxml raises ParseError and its own types
        raise DecryptionError("the manifest XML cannot be read") from exc

    def text(el: Element | None) -> str:
        return (el.text or "").strip() if el is not None else ""

    def child(name: str) -> Element | None:
        return next((el for el in root if _local(el.tag) == name), None)

    instance_id = _fields(root).get("instanceID", "")
    media = [
        text(f) for m in root if _local(m.tag) == "media" for f in m if _local(f.tag) == "file" and text(f)
    ]
    manifest = Manifest(
        form_id=root.get("id") or "",
        version=root.get("version"),
        instance_id=instance_id,
        encrypted_key=text(child("base64EncryptedKey")),
        media=media,
        xml_file=text(child("encryptedXmlFile")),
        signature=text(child("base64EncryptedElementSignature")),
    )
    missing = [
        name
        for name, value in (
            ("instanceID", manifest.instance_id),
            ("base64EncryptedKey", manifest.encrypted_key),
            ("encryptedXmlFile", manifest.xml_file),
            ("base64EncryptedElementSignature", manifest.signature),
        )
        if not value
    ]
    if missing:
        raise DecryptionError("the manifest has no " + ", ".join(missing))
    return manifest


def _rsa_decrypt(key: rsa.RSAPrivateKey, b64: str, what: str) -> bytes:
    try:
        return key.decrypt(base64.b64decode(b64, validate=True), _OAEP)
    except (ValueError, binascii.Error) as exc:
        raise DecryptionError(f"the {what} cannot be decrypted with this private key (wrong key?)") from exc


def initial_iv(instance_id: str, symmetric_key: bytes) -> bytearray:
    return bytearray(hashlib.md5(instance_id.encode() + symmetric_key).digest())  # noqa: S324 - ODK's IV


def next_iv(iv: bytearray, counter: int) -> bytes:
    """Advance ``iv`` in place as Collect does before encrypting file number ``counter`` (from 0)."""
    iv[counter % len(iv)] = (iv[counter % len(iv)] + 1) % 256
    return bytes(iv)


def decrypt_file(data: bytes, symmetric_key: bytes, iv: bytes, name: str) -> bytes:
    decryptor = Cipher(algorithms.AES(symmetric_key), CFB(iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as exc:
        raise DecryptionError(f"{name} does not decrypt (altered, truncated or another key)") from exc


def signature_source(manifest: Manifest, plain_files: list[tuple[str, bytes]]) -> bytes:
    lines = [manifest.form_id]
    if manifest.version is not None:
        lines.append(manifest.version)
    lines += [manifest.encrypted_key, manifest.instance_id]
    lines += [f"{name}::{hashlib.md5(data).hexdigest()}" for name, data in plain_files]  # noqa: S324
    return ("\n".join(lines) + "\n").encode()


def _plain_name(enc_name: str) -> str:
    return enc_name[: -len(".enc")] if enc_name.endswith(".enc") else enc_name


def decrypt(raw: bytes, attachments: dict[str, bytes], key: rsa.RSAPrivateKey) -> tuple[Manifest, bytes]:
    """The manifest and the decrypted submission XML. Media files are decrypted only to check the signature.
    DecryptionError if anything does not match; MissingFile if an attachment has not arrived yet."""
    manifest = read_manifest(raw)
    for name in [*manifest.media, manifest.xml_file]:
        if name not in attachments:
            raise MissingFile(name)
    symmetric_key = _rsa_decrypt(key, manifest.encrypted_key, "symmetric key")
    if len(symmetric_key) != 32:
        raise DecryptionError("the symmetric key is not a 256-bit AES key")
    iv = initial_iv(manifest.instance_id, symmetric_key)
    plain: list[tuple[str, bytes]] = []
    for counter, name in enumerate([*manifest.media, manifest.xml_file]):
        data = decrypt_file(attachments[name], symmetric_key, next_iv(iv, counter), name)
        plain.append((_plain_name(name), data))
    expected = _rsa_decrypt(key, manifest.signature, "signature")
    actual = hashlib.md5(signature_source(manifest, plain)).digest()  # noqa: S324 - ODK's signature
    if not hmac.compare_digest(expected, actual):
        raise DecryptionError("the signature does not match the files (altered in transit or storage)")
    return manifest, plain[-1][1]


@dataclass
class Summary:
    parsed: int = 0
    failed: int = 0
    waiting: int = 0
    problems: list[str] = field(default_factory=list)


def pending(organisation_ids: list[int] | None = None) -> list[int]:
    """Submissions still to decrypt: never tried, or refused by an earlier (wrong) key."""
    qs = Submission.objects.filter(
        Q(status=Submission.Status.ENCRYPTED)
        | Q(status=Submission.Status.FAILED, reason__startswith=DECRYPTION_PREFIX)
    )
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=organisation_ids)
    return list(qs.order_by("received_at", "id").values_list("id", flat=True))


def _fail(submission: Submission, reason: str) -> None:
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.FAILED, reason=(DECRYPTION_PREFIX + reason)[:500]
    )


def decrypt_one(submission_id: int, key: rsa.RSAPrivateKey) -> str:
    """ "parsed", "failed", "waiting" or "skipped" (another run got there first)."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .filter(pk=submission_id)
            .filter(
                Q(status=Submission.Status.ENCRYPTED)
                | Q(status=Submission.Status.FAILED, reason__startswith=DECRYPTION_PREFIX)
            )
            .select_related("submitted_by")
            .first()
        )
        if submission is None:
            return "skipped"
        files = {name: bytes(data) for name, data in submission.attachments.values_list("name", "data")}
        try:
            manifest, xml = decrypt(bytes(submission.xml), files, key)
            root = SafeET.fromstring(xml)
            values = _fields(root)
        except MissingFile as exc:
            Submission.objects.filter(pk=submission.pk).update(
                status=Submission.Status.ENCRYPTED, reason=f"waiting for the attachment {exc.args[0]}"[:500]
            )
            return "waiting"
        except DecryptionError as exc:
            _fail(submission, str(exc))
            return "failed"
        except Exception as exc:  # the decrypted bytes are not XML: defusedxml raises several types
            _fail(submission, f"the decrypted submission cannot be read ({type(exc).__name__})")
            return "failed"
        if values.get("instanceID") != submission.instance_id or (root.get("id") or "") != manifest.form_id:
            _fail(submission, "the decrypted submission is for another form or instance than its manifest")
            return "failed"
        deprecated = values.get("deprecatedID", "")[:200]
        if deprecated != submission.deprecated_id:
            Submission.objects.filter(pk=submission.pk).update(deprecated_id=deprecated)
            submission.deprecated_id = deprecated
        parse_submission(submission, values)
    submission.refresh_from_db(fields=["status"])
    return "parsed" if submission.status == Submission.Status.PARSED else "failed"


def decrypt_pending(key: rsa.RSAPrivateKey, organisation_ids: list[int] | None = None) -> Summary:
    summary = Summary()
    for submission_id in pending(organisation_ids):
        result = decrypt_one(submission_id, key)
        if result == "parsed":
            summary.parsed += 1
        elif result == "waiting":
            summary.waiting += 1
        elif result == "failed":
            summary.failed += 1
            reason = Submission.objects.filter(pk=submission_id).values_list("reason", flat=True).first()
            summary.problems.append(f"submission {submission_id}: {reason}")
            log.warning("outreach: submission %s could not be decrypted or recorded", submission_id)
    return summary
