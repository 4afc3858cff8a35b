"""The quarterly donor report as PDF, in English and Khmer: the same table as the XLSX, small counts
suppressed, the Khmer font embedded; same access rule as the XLSX."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from crossings.accounts.roles import OrgKind, Role
from crossings.outreach.encounters import EncounterData, record_encounter

pytestmark = pytest.mark.django_db


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def org(make_org: Any) -> Any:
    return make_org("Outreach donor report", OrgKind.OUTREACH, "KH")


@pytest.fixture
def worker(make_user: Any, org: Any) -> Any:
    return make_user(Role.OUTREACH_WORKER, org, username="w-pdf")


@pytest.fixture
def encounters(org: Any, worker: Any) -> None:
    """Six PWID given 10 needles each in January 2026 (shown), one sex worker in February (hidden)."""
    rows = [(f"DASO{n:02d}05011985", f"2026-01-1{n}", "pwid", 10) for n in range(1, 7)]
    rows.append(("THCH0315081995", "2026-02-20", "sw", 0))
    for code, day, kp, needles in rows:
        data = EncounterData(
            uic=code,
            date=dt.date.fromisoformat(day),
            district="Chamkar Mon",
            sex="male",
            key_population=kp,
            needles_syringes=needles,
            condoms=2,
        )
        assert data.check() == {}
        record_encounter(organisation_id=org.pk, worker=worker, data=data)


def test_pdf_in_english_has_the_xlsx_content_suppressed(
    encounters: None, worker: Any, login: Any, tmp_path: Path
) -> None:
    client = login(worker)
    response = client.get("/outreach/reports/quarterly.xlsx", {"year": 2026, "quarter": 1, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "outreach-2026-Q1-en.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    flat = squash(text)
    assert squash("Harm-reduction outreach: quarterly report") in flat
    assert squash("Period: 2026-01-01 – 2026-03-31") in flat
    assert squash("Counts from 1 to 4 are shown as <5 to protect clients.") in flat
    assert "2026-01" in text and "2026-02" in text and "2026-03" in text
    lines = text.splitlines()
    # Quarter, January, February, March: 7 clients, 6, <5, nothing.
    assert any(re.fullmatch(r"Clients reached 7 6 <5 0\s*", line) for line in lines), text
    assert any(re.fullmatch(r"Needles and syringes distributed 60 60 0 0\s*", line) for line in lines), text
    assert "Clients reached: Sex worker <5" in text  # a key population of one is hidden
    assert squash("WHO HIV.IND.8") in flat  # the definitions and their sources


def test_pdf_in_khmer_uses_the_khmer_font_and_translations(
    encounters: None, worker: Any, login: Any, tmp_path: Path
) -> None:
    client = login(worker)
    response = client.get(
        "/outreach/reports/quarterly.xlsx", {"year": 2026, "quarter": 1, "format": "pdf", "lang": "km"}
    )
    assert response.status_code == 200
    assert "outreach-2026-Q1-km.pdf" in response["Content-Disposition"]
    flat = squash(pdf_text(response.content, tmp_path))
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "report.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "Noto-Sans-Khmer" in fonts  # the bundled font is embedded, not a fallback with boxes
    # pdftotext garbles some clusters (ត្រី, the vowel ែ), so only strings it extracts faithfully are compared:
    # "Indicator", "Period", the start of "Encounters" and "needles".
    for khmer in ("សូចនាករ", "រយៈពេល:2026-01-01", "ការជួបជាមួយ", "ម្ជុល"):
        assert squash(khmer) in flat, khmer
    assert "Clientsreached" not in flat
    assert "<5" in flat


def test_pdf_keeps_the_report_access_rule(encounters: None, make_user: Any, login: Any) -> None:
    advocacy_worker = make_user(Role.CASEWORKER, None)
    response = login(advocacy_worker).get("/outreach/reports/quarterly.xlsx", {"format": "pdf"})
    assert response.status_code in (302, 403)
