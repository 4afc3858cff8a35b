"""Encrypted forms: a submission encrypted exactly as ODK Collect does it, stored on receipt, decrypted by the
supervisor's command with the private key, recorded through the ordinary parse path; wrong keys and altered
files are refused and the submission kept."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as SafeET
import pytest
from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from crossings.accounts.roles import OrgKind, Role
from crossings.outreach.models import Attachment, Encounter, Submission
from crossings.outreach.odk.auth import set_credential
from crossings.outreach.odk.forms_registry import upload_form
from crossings.outreach.odk.xlsforms import ENCOUNTER_FORM_ID, build_encounter_xlsx
from tests.test_openrosa_exchange import ENCOUNTER, ODK_PASSWORD, basic, post, submission_xml

pytestmark = pytest.mark.django_db

ENC_NS = "http://www.opendatakit.org/xforms/encrypted"
ORX_NS = "http://openrosa.org/xforms"
VERSION = "2026040199"
OAEP_SHA1 = OAEP(mgf=MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303
PHOTO = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes all the same" * 10


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem_file(tmp_path: Path, key: rsa.RSAPrivateKey, name: str = "supervisor.pem") -> Path:
    path = tmp_path / name
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


@pytest.fixture
def org(make_org: Callable[..., Any]) -> Any:
    return make_org("Outreach (encrypted)", OrgKind.OUTREACH, "KH")


@pytest.fixture
def worker(make_user: Callable[..., Any], org: Any) -> Any:
    user = make_user(Role.OUTREACH_WORKER, org, username="vanna")
    set_credential(user=user, organisation=org, password=ODK_PASSWORD, by=None)
    return user


@pytest.fixture
def form_xml(org: Any, key: rsa.RSAPrivateKey) -> str:
    """The encounter form with the public key in its settings sheet, uploaded and compiled with pyxform."""
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    xlsx = build_encounter_xlsx(version=VERSION, public_key=base64.b64encode(der).decode())
    form = upload_form(organisation_id=org.pk, data=xlsx, by=None)
    assert form.encrypted
    assert "base64RsaPublicKey" in form.xml
    return form.xml


def collect_encrypt(
    plain_xml: bytes, media: list[tuple[str, bytes]], public_key: rsa.RSAPublicKey
) -> tuple[bytes, list[SimpleUploadedFile]]:
    """What ODK Collect does when an encrypted form is finalised (EncryptionUtils): a random AES-256 key,
    RSA-OAEP(SHA-1) under the form's key; IV = md5(instanceID + key), one byte incremented before each file
    (media first, submission.xml last); AES/CFB/PKCS5Padding; the signature is RSA-OAEP of the MD5 of
    formId, version, encrypted key, instanceID and "name::md5" of each plaintext file, one per line."""
    root = SafeET.fromstring(plain_xml)
    instance_id = next(el.text for el in root.iter() if el.tag.endswith("instanceID"))
    assert instance_id
    symmetric = os.urandom(32)
    iv = bytearray(hashlib.md5(instance_id.encode() + symmetric).digest())  # noqa: S324
    encrypted_key = base64.b64encode(public_key.encrypt(symmetric, OAEP_SHA1)).decode()
    signature_lines = [root.get("id") or "", root.get("version") or "", encrypted_key, instance_id]
    uploads: list[SimpleUploadedFile] = []
    for counter, (name, data) in enumerate([*media, ("submission.xml", plain_xml)]):
        iv[counter % 16] = (iv[counter % 16] + 1) % 256
        padder = padding.PKCS7(128).padder()
        padded = padder.update(data) + padder.finalize()
        encryptor = Cipher(algorithms.AES(symmetric), CFB(bytes(iv))).encryptor()
        ciphertext = encryptor.update(padded) + encryptor.finalize()
        uploads.append(SimpleUploadedFile(f"{name}.enc", ciphertext, "application/octet-stream"))
        signature_lines.append(f"{name}::{hashlib.md5(data).hexdigest()}")  # noqa: S324
    digest = hashlib.md5(("\n".join(signature_lines) + "\n").encode()).digest()  # noqa: S324
    signature = base64.b64encode(public_key.encrypt(digest, OAEP_SHA1)).decode()

    manifest = Element(
        "data", {"xmlns": ENC_NS, "id": root.get("id") or "", "version": root.get("version") or ""}
    )
    manifest.set("encrypted", "yes")
    SubElement(manifest, "base64EncryptedKey").text = encrypted_key
    meta = SubElement(manifest, "orx:meta", {"xmlns:orx": ORX_NS})
    SubElement(meta, "orx:instanceID").text = instance_id
    for name, _ in media:
        SubElement(SubElement(manifest, "media"), "file").text = f"{name}.enc"
    SubElement(manifest, "encryptedXmlFile").text = "submission.xml.enc"
    SubElement(manifest, "base64EncryptedElementSignature").text = signature
    body = b"<?xml version='1.0' encoding='UTF-8' ?>" + tostring(manifest, encoding="unicode").encode()
    return body, uploads


def send_encrypted(client: Client, form_xml: str, key: rsa.RSAPrivateKey, **values: str) -> tuple[bytes, Any]:
    plain = submission_xml(form_xml, {**ENCOUNTER, **values})
    manifest, uploads = collect_encrypt(plain, [("photo.jpg", PHOTO)], key.public_key())
    response = post(client, manifest, *uploads)
    return manifest, response


def decrypt_command(tmp_path: Path, key: rsa.RSAPrivateKey, *extra: str) -> str:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("outreach_decrypt", "--key", str(pem_file(tmp_path, key)), *extra, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_encrypted_submission_is_stored_then_decrypted_and_recorded(
    client: Client, worker: Any, org: Any, form_xml: str, key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    manifest, response = send_encrypted(client, form_xml, key)
    assert response.status_code == 201, response.content
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.ENCRYPTED
    assert submission.form_id == ENCOUNTER_FORM_ID and submission.form_version == VERSION
    assert bytes(submission.xml) == manifest  # the manifest is stored exactly as received
    assert not Encounter.objects.exists()

    output = decrypt_command(tmp_path, key, "--org", org.name)

    assert "Recorded 1, failed 0" in output
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PARSED, submission.reason
    encounter = Encounter.objects.get()
    assert submission.encounter_id == encounter.pk
    assert encounter.client.uic == "DASO0207031985"
    assert encounter.needles_syringes == 20 and encounter.source == "odk"
    assert encounter.worker == worker
    # Still encrypted at rest: the manifest and the .enc attachments, no names anywhere.
    assert sorted(Attachment.objects.values_list("name", flat=True)) == [
        "photo.jpg.enc",
        "submission.xml.enc",
    ]
    assert "ដារា".encode() not in bytes(submission.xml)

    # Idempotent: a second run touches nothing.
    assert "Recorded 0, failed 0" in decrypt_command(tmp_path, key)
    assert Encounter.objects.count() == 1
    # Collect resending the same bytes is told it arrived, once.
    manifest_resend = post(
        client, manifest, *[SimpleUploadedFile(a.name, bytes(a.data)) for a in Attachment.objects.all()]
    )
    assert manifest_resend.status_code == 202
    assert Submission.objects.count() == 1


def test_a_wrong_key_is_refused_and_the_right_one_works_later(
    client: Client,
    worker: Any,
    form_xml: str,
    key: rsa.RSAPrivateKey,
    other_key: rsa.RSAPrivateKey,
    tmp_path: Path,
) -> None:
    manifest, response = send_encrypted(client, form_xml, key)
    assert response.status_code == 201

    output = decrypt_command(tmp_path, other_key)

    assert "failed 1" in output
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.FAILED
    assert submission.reason.startswith("decryption: ")
    assert "wrong key" in submission.reason
    assert not Encounter.objects.exists()
    assert bytes(submission.xml) == manifest and submission.attachments.count() == 2
    # The phone resending is not told to fix anything: the server holds the bytes.
    attachments = [SimpleUploadedFile(a.name, bytes(a.data)) for a in submission.attachments.all()]
    assert post(client, manifest, *attachments).status_code == 202

    assert "Recorded 1" in decrypt_command(tmp_path, key)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PARSED
    assert Encounter.objects.count() == 1


@pytest.mark.parametrize("target", ["submission.xml.enc", "photo.jpg.enc"])
def test_altered_ciphertext_is_refused_and_kept(
    client: Client, worker: Any, form_xml: str, key: rsa.RSAPrivateKey, tmp_path: Path, target: str
) -> None:
    _, response = send_encrypted(client, form_xml, key)
    assert response.status_code == 201
    attachment = Attachment.objects.get(name=target)
    data = bytearray(bytes(attachment.data))
    data[len(data) // 3] ^= 0x20
    Attachment.objects.filter(pk=attachment.pk).update(data=bytes(data))

    output = decrypt_command(tmp_path, key)

    assert "failed 1" in output
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.FAILED
    assert submission.reason.startswith("decryption: ")
    assert "signature" in submission.reason or "does not decrypt" in submission.reason
    assert not Encounter.objects.exists()
    assert Attachment.objects.filter(submission=submission).count() == 2


def test_a_missing_attachment_waits_and_the_command_refuses_a_non_key(
    client: Client, worker: Any, form_xml: str, key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    plain = submission_xml(form_xml, ENCOUNTER)
    manifest, uploads = collect_encrypt(plain, [("photo.jpg", PHOTO)], key.public_key())
    assert post(client, manifest, uploads[1]).status_code == 201  # the photo comes in a second part

    assert "waiting for attachments 1" in decrypt_command(tmp_path, key)
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.ENCRYPTED and "photo.jpg.enc" in submission.reason

    assert post(client, manifest, uploads[0]).status_code == 201
    assert "Recorded 1" in decrypt_command(tmp_path, key)

    bad = tmp_path / "not-a-key.pem"
    bad.write_text("hello")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a PEM private key"):
        call_command("outreach_decrypt", "--key", str(bad))


def test_tampered_plain_submission_swapped_into_another_instance_is_refused(
    client: Client, worker: Any, form_xml: str, key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    """A manifest whose encrypted XML names another instanceID is refused even if it decrypts."""
    plain = submission_xml(form_xml, ENCOUNTER, instance_id="uuid:11111111-1111-1111-1111-111111111111")
    manifest, uploads = collect_encrypt(plain, [], key.public_key())
    forged = manifest.replace(
        b"uuid:11111111-1111-1111-1111-111111111111", b"uuid:22222222-2222-2222-2222-222222222222"
    )
    assert post(client, forged, *uploads, auth=basic()).status_code == 201
    assert "failed 1" in decrypt_command(tmp_path, key)
    assert Submission.objects.get().reason.startswith("decryption: ")
    assert not Encounter.objects.exists()
