"""The XLSForms offered to ODK Collect: how the built-in one is written, and how any is compiled.

``crossings outreach_build_forms`` rewrites ``forms/outreach_encounter.xlsx`` from ``SURVEY`` and
``CHOICES`` below, so the spreadsheet kept in the repository is reproducible and reviewable as code.
Supervisors may also upload their own XLSForms (``outreach_upload_form``);
both go through ``compile_xlsform``.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert

from crossings import gazetteer, uploads

FORMS_DIR = Path(__file__).resolve().parent / "forms"
ENCOUNTER_XLSX = FORMS_DIR / "outreach_encounter.xlsx"
ENCOUNTER_FORM_ID = "outreach_encounter"
ENCOUNTER_VERSION = "2026120401"  # 2026-12: a known code shows whether the client is due a follow-up
# Fields the server reads to build the UIC and then blanks in the stored XML: a name never reaches the disk.
NAME_FIELDS = ("mother_name", "father_name")
SITES_CSV = "sites.csv"
CLIENTS_DUE_CSV = "clients_due.csv"  # crossings.outreach.followup, looked up with pulldata()

EN, KM = "label::English (en)", "label::Khmer (km)"
HINT_EN, HINT_KM = "hint::English (en)", "hint::Khmer (km)"

SURVEY: list[dict[str, str]] = [
    {
        "type": "date",
        "name": "encounter_date",
        EN: "Date of the encounter",
        KM: "កាលបរិច្ឆេទជួប",
        "required": "yes",
        "default": "today()",
    },
    {
        "type": f"select_one_from_file {SITES_CSV}",
        "name": "site",
        EN: "Stock drawn from (site)",
        KM: "សម្ភារៈដកចេញពីស្តុកនៃ (ទីតាំង)",
    },
    # Cascading selects over the official place codes (crossings.gazetteer): the phone stores the code,
    # each list shows only the places inside the one chosen above it, labelled in the phone's language.
    {"type": "select_one province", "name": "province", EN: "Province", KM: "ខេត្ត", "required": "yes"},
    {
        "type": "select_one district",
        "name": "district",
        EN: "District",
        KM: "ស្រុក/ខណ្ឌ",
        "required": "yes",
        "choice_filter": "province=${province}",
    },
    {
        "type": "select_one commune",
        "name": "commune",
        EN: "Commune",
        KM: "ឃុំ/សង្កាត់",
        "choice_filter": "district=${district}",
    },
    {"type": "text", "name": "hot_spot", EN: "Hot spot (if any)", KM: "ទីតាំងក្តៅ (បើមាន)"},
    {
        "type": "select_one yes_no",
        "name": "uic_known",
        EN: "Does the client know their code (UIC)?",
        KM: "តើអតិថិជនដឹងលេខកូដ (UIC) របស់ខ្លួនទេ?",
        "required": "yes",
    },
    {
        "type": "text",
        "name": "uic",
        EN: "Client code (UIC)",
        KM: "លេខកូដអតិថិជន (UIC)",
        "relevant": "${uic_known} = 'yes'",
        "required": "yes",
    },
    # The phone looks the code up in the attachment of clients due a follow-up (refreshed with each form
    # update); a known code that is due shows why, in the phone's language, before the worker goes on.
    {
        "type": "calculate",
        "name": "due_en",
        "calculation": "if(${uic_known} = 'yes', pulldata('clients_due', 'reason_en', 'name', ${uic}), '')",
    },
    {
        "type": "calculate",
        "name": "due_km",
        "calculation": "if(${uic_known} = 'yes', pulldata('clients_due', 'reason_km', 'name', ${uic}), '')",
    },
    {
        "type": "note",
        "name": "due_note",
        EN: "Due a follow-up: ${due_en}",
        KM: "ដល់ពេលតាមដាន: ${due_km}",
        "relevant": "${due_en} != ''",
    },
    {
        "type": "text",
        "name": "mother_name",
        EN: "Mother's first name",
        KM: "នាមខ្លួនម្ដាយ",
        HINT_EN: "Only its first letters are kept.",
        HINT_KM: "រក្សាទុកតែអក្សរដំបូងប៉ុណ្ណោះ។",
        "relevant": "${uic_known} = 'no'",
        "required": "yes",
    },
    {
        "type": "text",
        "name": "father_name",
        EN: "Father's first name",
        KM: "នាមខ្លួនឪពុក",
        HINT_EN: "Only its first letters are kept.",
        HINT_KM: "រក្សាទុកតែអក្សរដំបូងប៉ុណ្ណោះ។",
        "relevant": "${uic_known} = 'no'",
        "required": "yes",
    },
    {
        "type": "integer",
        "name": "birth_order",
        EN: "Birth order (99 if not known)",
        KM: "លំដាប់កំណើត (99 បើមិនដឹង)",
        "relevant": "${uic_known} = 'no'",
        "required": "yes",
        "constraint": ". >= 1 and . <= 99",
    },
    {
        "type": "date",
        "name": "birth_date",
        EN: "Date of birth",
        KM: "ថ្ងៃខែឆ្នាំកំណើត",
        "relevant": "${uic_known} = 'no'",
        "required": "yes",
    },
    {"type": "select_one sex", "name": "sex", EN: "Sex", KM: "ភេទ", "required": "yes"},
    {
        "type": "select_one key_population",
        "name": "key_population",
        EN: "Key population",
        KM: "ក្រុមប្រជាជនគន្លឹះ",
        "required": "yes",
    },
    {
        "type": "integer",
        "name": "needles_syringes",
        EN: "Needles and syringes given",
        KM: "ម្ជុល និងសឺរាុំង",
        "default": "0",
        "constraint": ". >= 0",
    },
    {
        "type": "integer",
        "name": "condoms",
        EN: "Condoms given",
        KM: "ស្រោមអនាម័យ",
        "default": "0",
        "constraint": ". >= 0",
    },
    {
        "type": "integer",
        "name": "naloxone",
        EN: "Naloxone given",
        KM: "ណាឡុកសូន",
        "default": "0",
        "constraint": ". >= 0",
    },
    {
        "type": "integer",
        "name": "swabs",
        EN: "Alcohol swabs given",
        KM: "សំឡីអាល់កុល",
        "default": "0",
        "constraint": ". >= 0",
    },
    {
        "type": "select_one hiv_test",
        "name": "hiv_test",
        EN: "HIV test",
        KM: "តេស្តមេរោគអេដស៍",
        "required": "yes",
    },
    {"type": "select_one referral", "name": "referral", EN: "Referral", KM: "ការបញ្ជូន", "required": "yes"},
    {
        "type": "select_one yes_no",
        "name": "referral_completed",
        EN: "Referral completed?",
        KM: "ការបញ្ជូនបានសម្រេច?",
        "relevant": "${referral} != 'none'",
    },
]

CHOICES: list[tuple[str, str, str, str]] = [
    ("yes_no", "yes", "Yes", "បាទ/ចាស"),
    ("yes_no", "no", "No", "ទេ"),
    ("sex", "male", "Male", "ប្រុស"),
    ("sex", "female", "Female", "ស្រី"),
    ("sex", "transgender", "Transgender", "អ្នកប្លែងភេទ"),
    ("sex", "unknown", "Not stated", "មិនបញ្ជាក់"),
    ("key_population", "pwid", "Injects drugs", "អ្នកប្រើប្រាស់គ្រឿងញៀនតាមការចាក់"),
    ("key_population", "pwud", "Uses drugs (not injecting)", "អ្នកប្រើប្រាស់គ្រឿងញៀន (មិនមែនតាមការចាក់)"),
    ("key_population", "sw", "Sex worker", "អ្នករកស៊ីផ្លូវភេទ"),
    ("key_population", "msm", "Man who has sex with men", "បុរសរួមភេទជាមួយបុរស"),
    ("key_population", "tg", "Transgender person", "អ្នកប្លែងភេទ"),
    ("key_population", "other", "Other", "ផ្សេងៗ"),
    ("hiv_test", "not_done", "Not done", "មិនបានធ្វើ"),
    ("hiv_test", "non_reactive", "Non-reactive", "អវិជ្ជមាន"),
    ("hiv_test", "reactive", "Reactive", "ប្រតិកម្ម"),
    ("referral", "none", "No referral", "គ្មានការបញ្ជូន"),
    ("referral", "ost", "Methadone / OST clinic", "គ្លីនិកមេតាដូន"),
    ("referral", "hiv_treatment", "HIV treatment", "ការព្យាបាលមេរោគអេដស៍"),
    ("referral", "tb", "TB", "របេង"),
    ("referral", "shelter", "Shelter", "ជម្រក"),
    ("referral", "detox", "Detox", "ការបន្សាបជាតិពុល"),
]


def _place_choices() -> list[list[str]]:
    """Rows of the choices sheet for the three place lists, each row carrying the code of the place above
    it in a column of that level's name (what ``choice_filter`` compares)."""
    rows: list[list[str]] = []
    for level in gazetteer.LEVELS:
        for p in sorted(gazetteer.every(level), key=lambda p: (p.parent, p.name_en)):
            above = {"district": [p.parent, ""], "commune": ["", p.parent]}.get(level, ["", ""])
            rows.append([level, p.code, p.name_en, p.name_km, *above])
    return rows


def build_encounter_xlsx(*, version: str = ENCOUNTER_VERSION, public_key: str = "") -> bytes:
    """The built-in encounter XLSForm as .xlsx bytes (deterministic apart from workbook timestamps)."""
    wb = Workbook()
    survey = wb.active
    assert survey is not None
    survey.title = "survey"
    columns = [
        "type",
        "name",
        EN,
        KM,
        HINT_EN,
        HINT_KM,
        "required",
        "relevant",
        "constraint",
        "default",
        "choice_filter",
        "calculation",
    ]
    survey.append(columns)
    for row in SURVEY:
        survey.append([row.get(c, "") for c in columns])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", EN, KM, "province", "district"])
    for choice in CHOICES:
        choices.append([*choice, "", ""])
    for place_row in _place_choices():
        choices.append(place_row)
    settings = wb.create_sheet("settings")
    header = ["form_title", "form_id", "version", "default_language", "instance_name"]
    values = [
        "Outreach encounter",
        ENCOUNTER_FORM_ID,
        version,
        "English (en)",
        "concat(jr:choice-name(${district}, '${district}'), ' ', ${encounter_date})",
    ]
    if public_key:
        header.append("public_key")
        values.append(public_key)
    settings.append(header)
    settings.append(values)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class FormError(ValueError):
    pass


@dataclass
class Compiled:
    form_id: str
    version: str
    title: str
    xml: str
    md5: str
    encrypted: bool
    media: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _settings_row(xlsx: bytes) -> dict[str, Any]:
    wb = load_workbook(io.BytesIO(xlsx), read_only=True, data_only=True)
    if "settings" not in wb.sheetnames:
        return {}
    rows = list(wb["settings"].iter_rows(values_only=True))
    if len(rows) < 2:
        return {}
    return {str(k): v for k, v in zip(rows[0], rows[1], strict=False) if k}


def compile_xlsform(xlsx: bytes) -> Compiled:
    """Compile an XLSForm with pyxform; FormError says what is wrong in words a supervisor can act on."""
    try:  # the size, and what the zip unpacks to, before pyxform opens it
        uploads.check_size(len(xlsx), uploads.XLSFORM)
        uploads.check_zip(xlsx, uploads.XLSFORM)
    except ValidationError as exc:
        raise FormError(" ".join(exc.messages)) from exc
    meta = _settings_row(xlsx)
    if not meta.get("form_id") or not meta.get("version"):
        raise FormError("The settings sheet must give form_id and version.")
    warnings: list[str] = []
    try:
        result = convert(xlsform=io.BytesIO(xlsx), file_type=".xlsx", warnings=warnings)
    except Exception as exc:  # pyxform raises several exception types; all mean "this form is wrong"
        raise FormError(f"The XLSForm does not compile: {exc}") from exc
    xml = result.xform
    root = SafeET.fromstring(xml.encode())
    media = sorted(
        {
            (inst.get("src") or "").rsplit("/", 1)[-1]
            for inst in root.iter("{http://www.w3.org/2002/xforms}instance")
            if (inst.get("src") or "").startswith("jr://file")
        }
    )
    return Compiled(
        form_id=str(meta["form_id"]),
        version=str(meta["version"]),
        title=str(meta.get("form_title") or meta["form_id"]),
        xml=xml,
        md5=hashlib.md5(xml.encode()).hexdigest(),  # noqa: S324 - the OpenRosa form hash is MD5 by spec
        encrypted=bool(meta.get("public_key")),
        media=media,
        warnings=warnings,
    )


def write_encounter_xlsx(path: Path = ENCOUNTER_XLSX) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_encounter_xlsx())
    return path


if __name__ == "__main__":
    print(write_encounter_xlsx())
