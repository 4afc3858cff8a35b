"""The OpenRosa server ODK Collect talks to, under /openrosa/.

Endpoints (OpenRosa 1.0): ``formList`` (xformsList), form download, manifest and media, ``submission``
(HEAD -> 204, POST -> 201). Authentication is HTTP Digest (and Basic over HTTPS) against an
``OpenRosaCredential``; an unauthenticated request gets a 401 challenge, never a redirect to the login page.

Why not ``@requires(Cap.OUTREACH_USE)``: the rule system authenticates by the browser session and answers
an anonymous request with a redirect to the login page, which ODK Collect cannot follow. ``openrosa_view``
below authenticates the HTTP way first, then applies the very same ``Rule`` object the rule system uses, and
sets ``crossings_rule`` so the role-matrix test sees the route's rule like any other.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import csv
import functools
import hashlib
import hmac
import io
import logging
import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from urllib.request import parse_http_list, parse_keqv_list
from xml.etree.ElementTree import Element, tostring
from xml.sax.xmlreader import AttributesImpl

import defusedxml.ElementTree as SafeET
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import http_date
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.csrf import csrf_exempt

from crossings import fastsql, uploads
from crossings.accounts.models import Organisation, User
from crossings.accounts.roles import Cap
from crossings.accounts.rules import Rule
from crossings.formtools import row_id
from crossings.outreach import followup, forms_registry
from crossings.outreach import uic as uic_rules
from crossings.outreach.models import Attachment, OpenRosaCredential, Site, Submission, XForm
from crossings.outreach.services import EncounterData, record_encounter
from crossings.outreach.xlsforms import CLIENTS_DUE_CSV, NAME_FIELDS, SITES_CSV

log = logging.getLogger(__name__)

REALM = "Crossings OpenRosa"
NONCE_SECONDS = 300
MAX_FAILURES = 10
LOCK_MINUTES = 15
# What one POST may carry; Collect splits bigger submissions into several POSTs of at most this size.
ACCEPT_CONTENT_LENGTH = uploads.OUTREACH_SUBMISSION.max_bytes  # limits: crossings/uploads.py
MAX_ATTACHMENT = int(
    getattr(settings, "OUTREACH_MAX_ATTACHMENT_BYTES", uploads.OUTREACH_ATTACHMENT.max_bytes)
)
RULE = Rule("cap", Cap.OUTREACH_USE)


# ---------------------------------------------------------------------------------------------------------
# Credentials
# ---------------------------------------------------------------------------------------------------------
def ha1_of(username: str, realm: str, password: str) -> str:
    return hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest()  # noqa: S324 - RFC 7616 MD5


@transaction.atomic
def set_credential(
    *, user: User, organisation: Organisation, password: str, by: User | None
) -> OpenRosaCredential:
    """Give ``user`` an ODK Collect password for ``organisation`` (replacing any earlier one)."""
    if len(password) < 10:
        raise ValueError("An ODK password needs at least 10 characters.")
    if not user.scope.can(Cap.OUTREACH_USE, organisation.pk):
        raise PermissionDenied("This user has no outreach role in that organisation.")
    credential, _ = OpenRosaCredential.objects.update_or_create(
        user=user,
        defaults={
            "organisation": organisation,
            "realm": REALM,
            "ha1": ha1_of(user.username, REALM, password),
            "is_active": True,
            "failures": 0,
            "locked_until": None,
            "set_by": by,
        },
    )
    return credential


def _nonce(now: float | None = None) -> str:
    stamp = str(int(now if now is not None else time.time()))
    sig = hmac.new(settings.SECRET_KEY.encode(), f"openrosa-nonce:{stamp}".encode(), "sha256").hexdigest()[
        :32
    ]
    return f"{stamp}.{sig}"


def _nonce_state(nonce: str) -> str:
    """ "ok", "stale" (ours but expired: the client retries with a fresh one silently) or "bad"."""
    stamp = row_id(nonce.partition(".")[0])
    # bytes: compare_digest refuses str with non-ASCII characters, which a header can carry (a 500 before)
    if stamp is None or not hmac.compare_digest(_nonce(stamp).encode(), nonce.encode()):
        return "bad"
    return "ok" if time.time() - stamp <= NONCE_SECONDS else "stale"


def _opaque() -> str:
    return hashlib.sha256(f"opaque:{settings.SECRET_KEY}".encode()).hexdigest()[:32]


@dataclass
class AuthResult:
    credential: OpenRosaCredential | None
    stale: bool = False


def _credential(username: str) -> OpenRosaCredential | None:
    # Two lookups by key through fastsql: this runs on every request of the ingest hot path.
    user = fastsql.fetch(User, username=username, is_active=True)
    if user is None:
        return None
    credential = fastsql.fetch(OpenRosaCredential, user_id=user.pk, is_active=True)
    if credential is not None:
        credential.user = user
    return credential


def _basic_allowed(request: HttpRequest) -> bool:
    # Basic sends the password itself: only inside TLS. Tests and the laptop demo run plain HTTP.
    return request.is_secure() or not settings.PRODUCTION


def _check(credential: OpenRosaCredential | None, ok: Callable[[OpenRosaCredential], bool]) -> AuthResult:
    if credential is None:
        return AuthResult(None)
    now = timezone.now()
    if credential.locked_until is not None and credential.locked_until > now:
        return AuthResult(None)
    if ok(credential):
        if credential.failures:
            OpenRosaCredential.objects.filter(pk=credential.pk).update(failures=0, locked_until=None)
        return AuthResult(credential)
    # Counted in the database, not from the value read: parallel wrong guesses must each count.
    OpenRosaCredential.objects.filter(pk=credential.pk).update(failures=F("failures") + 1)
    OpenRosaCredential.objects.filter(pk=credential.pk, failures__gte=MAX_FAILURES).update(
        failures=0, locked_until=now + timedelta(minutes=LOCK_MINUTES)
    )
    log.warning("openrosa: failed authentication for credential %s", credential.pk)  # an id, not a name
    return AuthResult(None)


def authenticate(request: HttpRequest) -> AuthResult:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and _basic_allowed(request):
        try:
            username, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return AuthResult(None)
        return _check(
            _credential(username),
            lambda c: hmac.compare_digest(c.ha1, ha1_of(c.user.username, c.realm, password)),
        )
    if scheme.lower() == "digest":
        params = parse_keqv_list(parse_http_list(value))
        required = ("username", "realm", "nonce", "uri", "response")
        if not all(params.get(k) for k in required) or params["realm"] != REALM:
            return AuthResult(None)
        state = _nonce_state(params["nonce"])
        if state == "bad":
            return AuthResult(None)
        # The uri the client signed must be this request's (path and query), or a signature for one URL
        # could be replayed against another.
        if urlsplit(params["uri"]).path != request.path:
            return AuthResult(None)

        def digest_ok(c: OpenRosaCredential) -> bool:
            ha2 = hashlib.md5(f"{request.method}:{params['uri']}".encode()).hexdigest()  # noqa: S324
            if params.get("qop"):
                parts = [
                    c.ha1,
                    params["nonce"],
                    params.get("nc", ""),
                    params.get("cnonce", ""),
                    params["qop"],
                    ha2,
                ]
            else:
                parts = [c.ha1, params["nonce"], ha2]
            expected = hashlib.md5(":".join(parts).encode()).hexdigest()  # noqa: S324
            return hmac.compare_digest(expected.encode(), params["response"].encode())

        result = _check(_credential(params["username"]), digest_ok)
        if result.credential is not None and state == "stale":
            return AuthResult(None, stale=True)  # right password, old nonce: ask again with stale=true
        return result
    return AuthResult(None)


# ---------------------------------------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------------------------------------
def _headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = "1.0"
    response["X-OpenRosa-Accept-Content-Length"] = str(ACCEPT_CONTENT_LENGTH)
    response["Date"] = http_date()
    return response


def _attrs(**values: str) -> AttributesImpl[str]:
    return AttributesImpl(values)


def openrosa_message(message: str, *, status: int, nature: str = "") -> HttpResponse:
    """An OpenRosaResponse body: Collect shows ``message`` to the worker."""
    out = io.StringIO()
    xml = SimplerXMLGenerator(out, "utf-8")
    xml.startDocument()
    xml.startElement("OpenRosaResponse", _attrs(xmlns="http://openrosa.org/http/response"))
    xml.addQuickElement("message", message, {"nature": nature} if nature else {})
    xml.endElement("OpenRosaResponse")
    xml.endDocument()
    return _headers(HttpResponse(out.getvalue(), status=status, content_type="text/xml; charset=utf-8"))


def challenge(request: HttpRequest, *, stale: bool = False) -> HttpResponse:
    response = openrosa_message("Authentication required: check the user name and password.", status=401)
    value = f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{_nonce()}", opaque="{_opaque()}"' + (
        ", stale=true" if stale else ""
    )
    if request.is_secure():
        # One header carrying two challenges (RFC 7235 §4.1): Django keeps one value per header name.
        value += f', Basic realm="{REALM}", charset="UTF-8"'
    response["WWW-Authenticate"] = value
    return response


class OpenRosaRequest(HttpRequest):
    user: User
    openrosa_org_id: int


def openrosa_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """HTTP Basic/Digest authentication, then the OUTREACH_USE rule, then the OpenRosa headers."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        result = authenticate(request)
        if result.credential is None:
            return challenge(request, stale=result.stale)
        credential = result.credential
        request.user = credential.user
        request.openrosa_org_id = credential.organisation_id  # type: ignore[attr-defined]
        if not RULE.allows(credential.user) or not credential.user.scope.can(
            Cap.OUTREACH_USE, credential.organisation_id
        ):
            return openrosa_message("This account may not send outreach data.", status=403)
        try:
            return _headers(view(request, *args, **kwargs))
        except Http404:
            return openrosa_message("Not found.", status=404)

    wrapped.crossings_rule = RULE  # type: ignore[attr-defined]
    return csrf_exempt(wrapped)


# ---------------------------------------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------------------------------------
def _xml_response(build: Callable[[SimplerXMLGenerator], None]) -> HttpResponse:
    out = io.StringIO()
    xml = SimplerXMLGenerator(out, "utf-8")
    xml.startDocument()
    build(xml)
    xml.endDocument()
    return HttpResponse(out.getvalue(), content_type="text/xml; charset=utf-8")


def _form_urls(request: HttpRequest, form: XForm) -> dict[str, str]:
    kw = {"form_id": form.form_id, "version": form.version}
    return {
        "download": request.build_absolute_uri(reverse("openrosa_form_download", kwargs=kw)),
        "manifest": request.build_absolute_uri(reverse("openrosa_manifest", kwargs=kw)),
    }


@openrosa_view
def form_list(request: OpenRosaRequest) -> HttpResponse:
    forms = forms_registry.offered_forms(request.openrosa_org_id)
    wanted = request.GET.get("formID")
    if wanted:
        forms = [f for f in forms if f.form_id == wanted]

    def build(xml: SimplerXMLGenerator) -> None:
        xml.startElement("xforms", _attrs(xmlns="http://openrosa.org/xforms/xformsList"))
        for form in forms:
            urls = _form_urls(request, form)
            xml.startElement("xform", _attrs())
            xml.addQuickElement("formID", form.form_id)
            xml.addQuickElement("name", form.title)
            xml.addQuickElement("version", form.version)
            xml.addQuickElement("hash", f"md5:{form.md5}")
            xml.addQuickElement("downloadUrl", urls["download"])
            if form.media:
                xml.addQuickElement("manifestUrl", urls["manifest"])
            xml.endElement("xform")
        xml.endElement("xforms")

    return _xml_response(build)


def _form(request: OpenRosaRequest, form_id: str, version: str) -> XForm:
    form = forms_registry.find_form(request.openrosa_org_id, form_id, version)
    if form is None:
        raise Http404
    return form


@openrosa_view
def form_download(request: OpenRosaRequest, form_id: str, version: str) -> HttpResponse:
    form = _form(request, form_id, version)
    return HttpResponse(form.xml.encode(), content_type="text/xml; charset=utf-8")


def media_file(organisation_id: int, name: str, worker: User) -> bytes:
    """Media a form needs, generated for the organisation and the worker's phone at each request, so its
    hash in the manifest changes, and Collect fetches it again, whenever the list changes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if name == SITES_CSV:
        writer.writerow(["name", "label"])
        for site_id, site_name in Site.objects.filter(organisation_id=organisation_id).values_list(
            "id", "name"
        ):
            writer.writerow([f"site{site_id}", site_name])
    elif name == CLIENTS_DUE_CSV:
        # Looked up by code with pulldata(): the code, why, since when, in both languages; never a name.
        writer.writerow(["name", "reason", "reason_en", "reason_km", "since"])
        due = followup.due_clients(organisation_id=organisation_id, worker=worker, today=timezone.localdate())
        labels = {lang: _reason_labels(lang) for lang in ("en", "km")}
        for d in due:
            writer.writerow([d.uic, d.reason.value, labels["en"][d.reason], labels["km"][d.reason], d.since])
    else:
        raise Http404
    return out.getvalue().encode()


def _reason_labels(language: str) -> dict[str, str]:
    with translation.override(language):
        return {reason: str(reason.label) for reason in followup.Reason}


@openrosa_view
def manifest(request: OpenRosaRequest, form_id: str, version: str) -> HttpResponse:
    form = _form(request, form_id, version)

    def build(xml: SimplerXMLGenerator) -> None:
        xml.startElement("manifest", _attrs(xmlns="http://openrosa.org/xforms/xformsManifest"))
        for name in form.media:
            data = media_file(request.openrosa_org_id, name, request.user)
            url = reverse("openrosa_media", kwargs={"form_id": form_id, "version": version, "filename": name})
            xml.startElement("mediaFile", _attrs())
            xml.addQuickElement("filename", name)
            xml.addQuickElement("hash", "md5:" + hashlib.md5(data).hexdigest())  # noqa: S324
            xml.addQuickElement("downloadUrl", request.build_absolute_uri(url))
            xml.endElement("mediaFile")
        xml.endElement("manifest")

    return _xml_response(build)


@openrosa_view
def media(request: OpenRosaRequest, form_id: str, version: str, filename: str) -> HttpResponse:
    form = _form(request, form_id, version)
    if filename not in form.media:
        raise Http404
    return HttpResponse(
        media_file(request.openrosa_org_id, filename, request.user), content_type="text/csv; charset=utf-8"
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


@openrosa_view
def submission(request: OpenRosaRequest) -> HttpResponse:
    if request.method == "HEAD":
        return HttpResponse(status=204)
    if request.method != "POST":
        response = openrosa_message("Use POST to send a form.", status=405)
        response["Allow"] = "HEAD, POST"
        return response
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > ACCEPT_CONTENT_LENGTH + 64 * 1024:
        return openrosa_message("The submission is too large.", status=413)
    xml_file = request.FILES.get("xml_submission_file")
    if xml_file is None:
        return openrosa_message("No xml_submission_file in the request.", status=400)
    attachments = [f for key, items in request.FILES.lists() if key != "xml_submission_file" for f in items]
    for f in attachments:
        if (f.size or 0) > MAX_ATTACHMENT:
            return openrosa_message(
                f"The attachment {f.name} is {f.size} bytes; the limit is {MAX_ATTACHMENT} bytes.", status=413
            )
    outcome = receive(
        organisation_id=request.openrosa_org_id, user=request.user, raw=xml_file.read(), files=attachments
    )
    response = openrosa_message(outcome.message, status=outcome.status, nature=outcome.nature)
    if outcome.status in (201, 202):
        response["Location"] = request.build_absolute_uri(request.path)
    return response
