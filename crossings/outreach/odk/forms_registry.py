"""Which compiled forms exist: the built-in ones from forms/*.xlsx, and those supervisors uploaded."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import F

from crossings.accounts.models import User
from crossings.outreach.models import XForm
from crossings.outreach.odk.xlsforms import ENCOUNTER_XLSX, Compiled, compile_xlsform


@lru_cache(maxsize=4)
def _compiled_builtin(path: str, mtime: float) -> tuple[Compiled, bytes]:
    # Keyed on the file's mtime so a rebuilt spreadsheet is picked up without a restart.
    data = Path(path).read_bytes()
    return compile_xlsform(data), data


def ensure_builtin_forms() -> list[XForm]:
    """Store the built-in forms at their current version, once (compiled once per process)."""
    compiled, data = _compiled_builtin(str(ENCOUNTER_XLSX), ENCOUNTER_XLSX.stat().st_mtime)
    existing = XForm.objects.filter(
        organisation=None, form_id=compiled.form_id, version=compiled.version
    ).first()
    if existing is not None:
        return [existing]
    try:
        with transaction.atomic():
            XForm.objects.filter(organisation=None, form_id=compiled.form_id).update(is_active=False)
            form = _store(compiled, data, organisation_id=None, by=None)
    except IntegrityError:  # another process stored it first
        form = XForm.objects.get(organisation=None, form_id=compiled.form_id, version=compiled.version)
    return [form]


def _store(compiled: Compiled, data: bytes, *, organisation_id: int | None, by: User | None) -> XForm:
    return XForm.objects.create(
        organisation_id=organisation_id,
        form_id=compiled.form_id,
        version=compiled.version,
        title=compiled.title,
        xml=compiled.xml,
        md5=compiled.md5,
        xlsform=data,
        encrypted=compiled.encrypted,
        media=compiled.media,
        uploaded_by=by,
    )


def forget_found_forms() -> None:
    """Empty this process's form cache (after an upload; between tests, whose rows are rolled back)."""
    _FOUND.clear()


@transaction.atomic
def upload_form(*, organisation_id: int, data: bytes, by: User | None) -> XForm:
    """Add a supervisor's XLSForm; its older versions stop being offered but still accept submissions."""
    compiled = compile_xlsform(data)
    if XForm.objects.filter(
        organisation_id=organisation_id, form_id=compiled.form_id, version=compiled.version
    ).exists():
        raise ValueError(
            f"Version {compiled.version} of {compiled.form_id} is already uploaded: raise the version."
        )
    XForm.objects.filter(organisation_id=organisation_id, form_id=compiled.form_id).update(is_active=False)
    forget_found_forms()
    return _store(compiled, data, organisation_id=organisation_id, by=by)


def offered_forms(organisation_id: int) -> list[XForm]:
    """The current version of each form this organisation's phones should have. An organisation's own
    form replaces a built-in one with the same form ID."""
    ensure_builtin_forms()
    forms: dict[str, XForm] = {}
    for form in XForm.for_org_ids({organisation_id}).filter(is_active=True).order_by("organisation_id"):
        if form.form_id not in forms or form.organisation_id is not None:
            forms[form.form_id] = form
    return sorted(forms.values(), key=lambda f: f.form_id)


# (organisation, form id, version) -> the XForm found. A stored form version never changes (a new upload
# is a new version), so a hit stays true for the life of the process; misses are never cached.
_FOUND: dict[tuple[int, str, str], XForm] = {}


def find_form(organisation_id: int, form_id: str, version: str) -> XForm | None:
    """Any stored version, active or not: a phone may still hold an older form."""
    key = (organisation_id, form_id, version)
    if key in _FOUND:
        return _FOUND[key]
    form = _find_form(organisation_id, form_id, version)
    if form is not None and len(_FOUND) < 1000:
        _FOUND[key] = form
    return form


def _find_form(organisation_id: int, form_id: str, version: str) -> XForm | None:
    qs = XForm.for_org_ids({organisation_id}).filter(form_id=form_id, version=version)
    qs = qs.order_by(F("organisation_id").asc(nulls_last=True))  # the organisation's own form first
    form = qs.first()
    if form is None:
        ensure_builtin_forms()
        form = qs.first()
    return form
