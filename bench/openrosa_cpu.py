"""CPU cost of the XML work one OpenRosa submission costs the server: read it (defusedxml), take the field
values, and produce the copy that is stored with the parents' names blanked (``redact_names``).

No server and no database: it runs the same functions ``receive`` runs, in this process, over
realistic submissions built from the compiled built-in form (``bench/openrosa.py``'s batch), in UTF-8 and
in UTF-16. Prints microseconds of CPU time (``time.process_time``) per submission, best of --repeat rounds;
asserts only that the stored copy never holds a name.

    CROSSINGS_MODE=test .venv/bin/python bench/openrosa_cpu.py --count 2000 --repeat 5

The figures and the command are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossings.settings")

import django

django.setup()

import defusedxml.ElementTree as SafeET  # noqa: E402

from bench.openrosa import NAMES, make_batch  # noqa: E402
from crossings.outreach.odk.ingest import _fields, redact_names  # noqa: E402

# The code before the tree-based blanking took only the bytes; measure whichever is checked out.
TAKES_TREE = len(inspect.signature(redact_names).parameters) > 1


def ingest_xml(raw: bytes) -> bytes:
    root = SafeET.fromstring(raw)
    _fields(root)
    if TAKES_TREE:
        return redact_names(raw, root)  # type: ignore[call-arg]
    return redact_names(raw)


def utf16(raw: bytes) -> bytes:
    text = raw.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return text.encode("utf-16")  # with a BOM, in this machine's byte order


def measure(batch: list[bytes], repeat: int) -> tuple[float, int]:
    best = float("inf")
    leaked = 0
    for _ in range(repeat):
        start = time.process_time()
        stored = [ingest_xml(raw) for raw in batch]
        best = min(best, time.process_time() - start)
    for raw, out in zip(batch, stored, strict=True):
        values = _fields(SafeET.fromstring(raw))
        for field in ("mother_name", "father_name"):
            name = values[field]
            if any(name.encode(enc) in out for enc in ("utf-8", "utf-16-le", "utf-16-be")):
                leaked += 1
    return best / len(batch) * 1e6, leaked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    batch = make_batch(args.count, site_id=1)
    assert NAMES
    print(f"redact_names takes the tree: {TAKES_TREE}; {args.count} submissions, best of {args.repeat}")
    for label, items in (("UTF-8", batch), ("UTF-16", [utf16(raw) for raw in batch])):
        micros, leaked = measure(items, args.repeat)
        print(f"{label:7} {micros:8.1f} µs CPU per submission; names left in the stored copy: {leaked}")


if __name__ == "__main__":
    main()
