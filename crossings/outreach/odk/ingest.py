"""Receiving a submission: stored exactly as sent first, then parsed into an encounter (names read once
and blanked, never stored), idempotent on the instance ID, edits by ``deprecatedID``; every outcome is the
status and message ODK Collect needs."""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
import traceback
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, tostring

import defusedxml.ElementTree as SafeET
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from crossings import fastsql, uploads
from crossings.accounts.models import User
from crossings.formtools import row_id
from crossings.outreach import uic as uic_rules
from crossings.outreach.encounters import EncounterData, record_encounter
from crossings.outreach.models import Attachment, Submission
from crossings.outreach.odk import forms_registry
from crossings.outreach.odk.xlsforms import NAME_FIELDS

log = logging.getLogger(__name__)

# What one POST may carry; Collect splits bigger submissions into several POSTs of at most this size.
ACCEPT_CONTENT_LENGTH = uploads.OUTREACH_SUBMISSION.max_bytes  # limits: crossings/uploads.py
MAX_ATTACHMENT = int(
    getattr(settings, "OUTREACH_MAX_ATTACHMENT_BYTES", uploads.OUTREACH_ATTACHMENT.max_bytes)
)


# ---------------------------------------------------------------------------------------------------------
# Submissions
# ---------------------------------------------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _fields(root: Element) -> dict[str, str]:
    """Leaf values by local name (groups flattened: field names are unique in an XLSForm)."""
    values: dict[str, str] = {}
    for el in root.iter():
        if len(el) == 0:
            values.setdefault(_local(el.tag), (el.text or "").strip())
    return values


_NAME_FIELDS = frozenset(NAME_FIELDS)
# Only for XML that cannot be parsed (stored so the supervisor sees what arrived): the same blanking as text.
_NAME_TEXT_RE = re.compile(
    r"(<(?:[\w.-]+:)?(" + "|".join(NAME_FIELDS) + r")(?:\s[^>]*)?>)(.*?)(</(?:[\w.-]+:)?\2\s*>)", re.S
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def redact_names(xml: bytes, root: Element | None = None) -> bytes:
    """The submission as stored: the parents' names blanked. They are read once to build the UIC and never
    stored.

    The names are blanked in the parsed tree (``root``, from defusedxml; parsed here when not given), so the
    document's encoding does not matter: UTF-16 with either byte order is read like UTF-8. A submission that
    holds a name is then written out again as UTF-8; one that holds none (an encrypted manifest, an empty
    name) is kept byte for byte. The caller's tree is changed in place. XML that cannot be parsed is
    blanked as text after decoding it by its byte-order mark."""
    if root is None:
        try:
            root = SafeET.fromstring(xml)
        except Exception:  # defusedxml raises ParseError and its own DefusedXmlException types
            return _redact_unparsed(xml)
    found = False
    for el in root.iter():
        if _local(el.tag) in _NAME_FIELDS and (el.text or len(el)):
            el.text = None
            for child in list(el):
                el.remove(child)
            found = True
    if not found:
        return xml
    body = tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _redact_unparsed(xml: bytes) -> bytes:
    encoding = next((name for bom, name in _BOMS if xml.startswith(bom)), "utf-8")
    text = xml.decode(encoding, errors="surrogateescape" if encoding == "utf-8" else "replace")
    blanked = _NAME_TEXT_RE.sub(lambda m: m.group(1) + m.group(4), text)
    if blanked == text:
        return xml
    return blanked.encode(encoding, errors="surrogateescape" if encoding == "utf-8" else "replace")


@dataclass
class Outcome:
    status: int
    message: str
    nature: str = ""


class Rejected(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


_FAILED_STATUS = {
    "malformed": 400,
    "unknown_form": 404,
    "invalid": 422,
}


def _reason_status(reason: str) -> int:
    return _FAILED_STATUS.get(reason.split(":", 1)[0], 422)


def encounter_data(values: dict[str, str], *, today: Any = None) -> EncounterData:
    """The form's fields as EncounterData; Rejected (422) with every problem named."""
    import datetime as dt

    errors: dict[str, str] = {}

    def number(name: str) -> int:
        raw = values.get(name) or "0"
        try:
            return int(raw)
        except ValueError:
            errors[name] = f"{raw!r} is not a whole number."
            return 0

    def date(name: str) -> dt.date | None:
        raw = values.get(name, "")
        try:
            return dt.date.fromisoformat(raw[:10]) if raw else None
        except ValueError:
            errors[name] = f"{raw!r} is not a date."
            return None

    when = date("encounter_date")
    if when is None:
        errors.setdefault("encounter_date", "The encounter date is missing.")
        when = timezone.localdate()
    if values.get("uic_known") == "yes":
        code = values.get("uic", "")
    else:
        order_raw = values.get("birth_order") or "99"
        try:
            code = uic_rules.build_uic(
                mother_name=values.get("mother_name", ""),
                father_name=values.get("father_name", ""),
                birth_order=int(order_raw),
                birth_date=date("birth_date"),
                today=when,
            )
        except ValueError as exc:
            if isinstance(exc, uic_rules.UICError):
                errors.update(exc.errors)
            else:
                errors["birth_order"] = f"{order_raw!r} is not a whole number."
            code = ""
    site_raw = values.get("site", "")
    referral = values.get("referral", "none")
    data = EncounterData(
        uic=code,
        date=when,
        province=values.get("province", ""),
        district=values.get("district", ""),
        commune=values.get("commune", ""),
        hot_spot=values.get("hot_spot", ""),
        site_id=row_id(site_raw[4:]) if site_raw.startswith("site") else None,
        sex=values.get("sex") or "unknown",
        key_population=values.get("key_population") or "other",
        needles_syringes=number("needles_syringes"),
        condoms=number("condoms"),
        naloxone=number("naloxone"),
        swabs=number("swabs"),
        hiv_test=values.get("hiv_test") or "not_done",
        referral="" if referral in ("", "none") else referral,
        referral_completed=values.get("referral_completed") == "yes",
    )
    if code:
        errors.update(data.check())
    if errors:
        raise Rejected(422, "invalid: " + "; ".join(f"{k}: {v}" for k, v in sorted(errors.items())))
    return data


def _add_attachments(submission: Submission, files: list[Any], *, new: bool = False) -> int:
    if not files:
        return 0
    have = set() if new else set(submission.attachments.values_list("name", flat=True))
    added = [
        Attachment(
            submission=submission,
            name=f.name,
            content_type=(f.content_type or "application/octet-stream")[:100],
            size=f.size,
            data=f.read(),
        )
        for f in files
        if f.name not in have
    ]
    Attachment.objects.bulk_create(added)
    return len(added)


@dataclass
class Parsed:
    """What parsing a submission's values led to: the submission's new state and the phone's answer."""

    status: str
    reason: str
    outcome: Outcome
    encounter_id: int | None = None
    replaces_id: int | None = None


def _validated(values: dict[str, str]) -> EncounterData | Parsed:
    """The encounter the values describe, or the failed state saying why not (no database needed)."""
    try:
        return encounter_data(values)
    except Rejected as exc:
        return Parsed(
            Submission.Status.FAILED, exc.message[:500], Outcome(exc.status, exc.message.split(": ", 1)[1])
        )


def _record(*, organisation_id: int, user: User, deprecated_id: str, data: EncounterData) -> Parsed:
    """Record the encounter (in a savepoint). Never raises: whatever goes wrong is the submission's
    reason, and the raw submission is kept either way."""
    try:
        with transaction.atomic():
            previous = None
            if deprecated_id:
                previous = (
                    Submission.objects.select_for_update(of=("self",))
                    .filter(organisation_id=organisation_id, instance_id=deprecated_id)
                    .select_related("encounter")
                    .first()
                )
            recorded = record_encounter(
                organisation_id=organisation_id,
                worker=user,
                data=data,
                source="odk",
                replace=previous.encounter if previous is not None else None,
                check_collisions=False,
                warn=False,  # the phone cannot show them; the outreach home page does
            )
            if previous is not None:
                Submission.objects.filter(pk=previous.pk).update(status=Submission.Status.SUPERSEDED)
    except Exception as exc:  # kept with the reason; the supervisor sees it, the phone is told it arrived
        # Where it failed in our code, not the traceback: a database error's message can quote the row.
        frames = traceback.extract_tb(exc.__traceback__)
        where = next((f for f in reversed(frames) if "/crossings/" in f.filename), frames[-1])
        log.error(
            "openrosa: a submission could not be recorded: %s at %s:%s",
            type(exc).__name__,
            where.filename.rsplit("/", 1)[-1],
            where.lineno,
        )
        return Parsed(
            Submission.Status.FAILED,
            f"error: {type(exc).__name__}",
            Outcome(201, "Received; it will be checked by your supervisor.", "submit_success"),
        )
    return Parsed(
        Submission.Status.PARSED,
        "",
        Outcome(201, "Encounter recorded.", "submit_success"),
        encounter_id=recorded.encounter.pk,
        replaces_id=previous.pk if previous is not None else None,
    )


def receive(*, organisation_id: int, user: User, raw: bytes, files: list[Any]) -> Outcome:
    """Store, and parse what can be parsed, in one transaction: the raw submission is stored whatever
    parsing makes of it. Every branch answers with the status Collect needs to decide what to do: 2xx
    forget the form, 4xx show the message and keep it on the phone."""
    sha = hashlib.sha256(raw).hexdigest()
    root: Element | None
    try:
        root = SafeET.fromstring(raw)
        reason = ""
    except Exception as exc:  # defusedxml raises ParseError and its own DefusedXmlException types
        root, reason = None, f"malformed: the XML cannot be read ({type(exc).__name__})"
    values = _fields(root) if root is not None else {}
    instance_id = (values.get("instanceID") or f"sha256:{sha}")[:200]
    deprecated_id = values.get("deprecatedID", "")[:200]
    form_id = (root.get("id") or "") if root is not None else ""
    version = (root.get("version") or "") if root is not None else ""

    existing = _stored(organisation_id, instance_id)
    if existing is not None:
        return _resend(existing, sha, files)

    xform = forms_registry.find_form(organisation_id, form_id, version) if root is not None else None
    if root is not None and xform is None:
        reason = (
            f"unknown_form: this server has no form {form_id!r} version {version!r}; get the blank form again"
        )
    encrypted = root is not None and any(_local(el.tag) == "base64EncryptedKey" for el in root)
    # Everything is read from the tree by now: blank the names in it, whatever the document's encoding.
    stored_xml = redact_names(raw, root) if root is not None else _redact_unparsed(raw)
    state: Parsed | None
    data: EncounterData | None = None
    if reason:
        state = Parsed(
            Submission.Status.FAILED, reason, Outcome(_reason_status(reason), reason.split(": ", 1)[1])
        )
    elif encrypted:
        state = Parsed(
            Submission.Status.ENCRYPTED,
            "",
            Outcome(201, "Received (encrypted); it will be read after decryption.", "submit_success"),
        )
    else:
        checked = _validated(values)
        state, data = (checked, None) if isinstance(checked, Parsed) else (None, checked)
    try:
        # One transaction: one write lock and one commit per submission. Validation has run above (it needs
        # no database), so the lock is held only for the writes.
        with transaction.atomic():
            if data is not None:
                state = _record(
                    organisation_id=organisation_id, user=user, deprecated_id=deprecated_id, data=data
                )
            assert state is not None
            submission = Submission(
                organisation_id=organisation_id,
                instance_id=instance_id,
                deprecated_id=deprecated_id,
                form_id=form_id[:100],
                form_version=version[:40],
                xform=xform,
                xml=stored_xml,
                sha256=sha,
                status=state.status,
                reason=state.reason,
                encounter_id=state.encounter_id,
                replaces_id=state.replaces_id,
                submitted_by=user,
            )
            fastsql.insert([submission])
            _add_attachments(submission, files, new=True)
    except IntegrityError:  # the same instance arrived on another connection a moment ago
        existing = _stored(organisation_id, instance_id)
        if existing is None:
            raise
        return _resend(existing, sha, files)
    return state.outcome


def _stored(organisation_id: int, instance_id: str) -> Submission | None:
    return fastsql.fetch(
        Submission,
        only=("sha256", "status", "reason"),
        organisation_id=organisation_id,
        instance_id=instance_id,
    )


def _resend(existing: Submission, sha: str, files: list[Any]) -> Outcome:
    if existing.sha256 != sha:
        return Outcome(
            409,
            "A different form with the same instance ID was already received; edit the form instead of "
            "copying it.",
        )
    added = _add_attachments(existing, files)  # Collect sends large submissions in several parts
    # A decryption refusal (wrong key) or an unexpected error while recording is the server's problem, not
    # the phone's: the bytes are safe here, and the first answer was a success too.
    if (
        existing.status == Submission.Status.FAILED
        and existing.reason
        and not existing.reason.startswith(("decryption: ", "error: "))
    ):
        return Outcome(_reason_status(existing.reason), existing.reason.split(": ", 1)[-1])
    if added:
        return Outcome(201, "Attachments received.", "submit_success")
    return Outcome(202, "Already received.", "submit_success")


def parse_submission(submission: Submission, values: dict[str, str] | None = None) -> Outcome:
    """Turn a stored submission (one that was encrypted, or that failed) into a client and an encounter.
    ``values`` must come from the raw bytes (the stored copy has the names blanked), so re-parsing a
    stored copy works only for submissions given a UIC."""
    if values is None:
        values = _fields(SafeET.fromstring(bytes(submission.xml)))
    checked = _validated(values)
    with transaction.atomic():
        state = (
            checked
            if isinstance(checked, Parsed)
            else _record(
                organisation_id=submission.organisation_id,
                user=submission.submitted_by,
                deprecated_id=submission.deprecated_id,
                data=checked,
            )
        )
        Submission.objects.filter(pk=submission.pk).update(
            status=state.status,
            reason=state.reason,
            encounter_id=state.encounter_id,
            replaces_id=state.replaces_id,
        )
    return state.outcome
