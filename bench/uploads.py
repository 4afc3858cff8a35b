"""Benchmark: reading hostile spreadsheets (security review, issue 11, finding 8).

Not a test: it measures and prints, and never asserts a time. It builds, in memory,

- ``wide``: an XLSX of 20,000 rows whose sheet declares the full width A1:XFD20001 (16,384 columns), each
  row a few names and one cell in the last column (about 300 KB): read-only openpyxl pads every row to the
  declared width unless told otherwise;
- ``declared``: 2,000 rows (a manifest at its limit) in three columns, declaring the same full width;
- ``stats-wide``: the same shape with 2,000 rows (about 30 KB), for the statistics importer;
- ``big-csv``: a 9.2 MB manifest CSV;

and times the manifest reader (crossings.reception.manifest.read_table) and the statistics importer's
reading and layout detection (crossings.stats.importers.read_grids, then each layout) on them, in a fresh
process per case, with CPU time and peak resident memory (resource.getrusage) and whether the file was
refused and how.

    CROSSINGS_MODE=test .venv/bin/python bench/uploads.py             # every case
    CROSSINGS_MODE=test .venv/bin/python bench/uploads.py --case wide  # one

Results are in docs/performance.md ("Hostile uploads").
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

CASES = ("wide", "declared", "stats-wide", "big-csv")
LAST_COLUMN = "XFD"


def wide_xlsx(rows: int, *, far_cell: bool = True) -> bytes:
    """A minimal XLSX written by hand: one sheet, inline strings, a declared dimension of A1:XFD<rows+1>."""
    cells = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Family name</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Given name</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>DOB</t></is></c></row>'
    ]
    for r in range(2, rows + 2):
        cells.append(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Keo{r}</t></is></c>'
            f'<c r="B{r}" t="inlineStr"><is><t>Bopha</t></is></c><c r="C{r}"><v>29221</v></c>'
            + (f'<c r="{LAST_COLUMN}{r}"><v>1</v></c>' if far_cell else "")
            + "</row>"
        )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{LAST_COLUMN}{rows + 1}"/><sheetData>'
        + "".join(cells)
        + "</sheetData></worksheet>"
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="manifest" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def big_csv(megabytes: float = 9.2) -> bytes:
    lines = ["Family name,Given name,DOB,A-number"]
    size, i = 0, 0
    while size < megabytes * 1024 * 1024:
        line = f"Keo{i},Bopha,1980-01-01,A{200000000 + i}"
        lines.append(line)
        size += len(line) + 1
        i += 1
    return ("\n".join(lines) + "\n").encode()


def run_case(case: str) -> dict[str, object]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossings.settings")
    django.setup()
    from crossings.reception import manifest
    from crossings.stats import importers
    from crossings.stats.importers.common import Options
    from crossings.stats.importers.dhs_single_year import parse_dhs_single_year
    from crossings.stats.importers.dhs_wide import parse_dhs_wide

    if case == "wide":
        data, reader = wide_xlsx(20_000), "manifest"
    elif case == "declared":
        data, reader = wide_xlsx(2_000, far_cell=False), "manifest"
    elif case == "stats-wide":
        data, reader = wide_xlsx(2_000), "stats"
    else:
        data, reader = big_csv(), "manifest"
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    outcome = "read"
    try:
        if reader == "manifest":
            table = manifest.read_table(data, "bench.xlsx" if case != "big-csv" else "bench.csv")
            outcome = f"read {len(table.rows)} rows x {len(table.headers)} columns"
        else:
            # What import_file does before it writes anything: read the sheets, try each layout on them.
            grids = importers.read_grids(Path("bench.xlsx"), data)
            outcome = (
                f"read {sum(len(g) for _, g in grids)} rows x {max(len(r) for _, g in grids for r in g)}"
            )
            for parse in (parse_dhs_wide, parse_dhs_single_year):
                for _sheet, grid in grids:
                    try:
                        parse(grid, Options())
                    except importers.LayoutMismatch as exc:
                        outcome += f"; {parse.__name__}: {exc}"[:60]
    except Exception as exc:  # the refusal is the result
        outcome = f"refused: {exc}"
    return {
        "case": case,
        "reader": reader,
        "file_kb": round(len(data) / 1024, 1),
        "wall_s": round(time.perf_counter() - start_wall, 2),
        "cpu_s": round(time.process_time() - start_cpu, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "outcome": outcome[:120],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.case)))
        return
    print("| case | reader | file | wall | CPU | peak RSS | outcome |")
    print("|---|---|---|---|---|---|---|")
    for case in [args.case] if args.case else CASES:
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--case", case], capture_output=True, text=True, check=True
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {r['case']} | {r['reader']} | {r['file_kb']} KB | {r['wall_s']} s | {r['cpu_s']} s "
            f"| {r['peak_rss_mb']} MB | {r['outcome']} |"
        )


if __name__ == "__main__":
    main()
