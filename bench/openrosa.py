"""OpenRosa ingest benchmark: posts realistic encounter submissions concurrently to a running server on
loopback, then replays the same batch and checks that nothing was lost or duplicated.

    CROSSINGS_MODE=demo crossings migrate
    CROSSINGS_MODE=demo gunicorn crossings.wsgi --bind 127.0.0.1:8000 --workers 2 --threads 4 &
    CROSSINGS_MODE=demo python bench/openrosa.py --url http://127.0.0.1:8000 --count 2000 --concurrency 8

It uses the same settings (and so the same database) as the server to create the bench organisation, user
and ODK credential, and to count what was stored. Submissions are built from the compiled built-in form's
instance template. Authentication is Digest with the nonce reused across requests (nc incremented), as ODK
Collect does. Prints figures; asserts only correctness (zero lost, zero duplicated), never times.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import http.client
import os
import random
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import parse_http_list, parse_keqv_list
from xml.etree.ElementTree import tostring

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossings.settings")

import django

django.setup()

import defusedxml.ElementTree as SafeET  # noqa: E402

from crossings.accounts.models import Membership, Organisation, User  # noqa: E402
from crossings.accounts.roles import OrgKind, Role  # noqa: E402
from crossings.outreach.models import Site, Submission  # noqa: E402
from crossings.outreach.odk.auth import set_credential  # noqa: E402
from crossings.outreach.odk.xlsforms import ENCOUNTER_XLSX, compile_xlsform  # noqa: E402

XF = "{http://www.w3.org/2002/xforms}"
USERNAME, PASSWORD = "bench-odk", "bench-odk-password"
NAMES = ["Dara", "Sok", "ស្រីមុំ", "Chantha", "វុទ្ធី", "Kim", "Mao", "Phalla", "Bopha", "Rith", "ដារា", "Vanna"]


def setup() -> tuple[Organisation, int]:
    org, _ = Organisation.objects.get_or_create(
        name="Bench outreach", defaults={"kind": OrgKind.OUTREACH, "country": "KH"}
    )
    user, _ = User.objects.get_or_create(username=USERNAME)
    Membership.objects.get_or_create(user=user, organisation=org, role=Role.OUTREACH_WORKER)
    set_credential(user=user, organisation=org, password=PASSWORD, by=None)
    site, _ = Site.objects.get_or_create(organisation=org, name="Bench site")
    return org, site.pk


def template() -> tuple[object, str]:
    compiled = compile_xlsform(ENCOUNTER_XLSX.read_bytes())
    root = SafeET.fromstring(compiled.xml.encode())
    instance = root.find(f"{{http://www.w3.org/1999/xhtml}}head/{XF}model/{XF}instance")
    data = next(iter(instance))
    for el in data.iter():
        el.tag = el.tag.replace(XF, "")
    return data, compiled.version


def make_batch(count: int, site_id: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    data, _ = template()
    batch = []
    for _ in range(count):
        doc = copy.deepcopy(data)
        leaves = {el.tag: el for el in doc.iter() if len(el) == 0}
        dob = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(35 * 365))
        values = {
            "encounter_date": (dt.date.today() - dt.timedelta(days=rng.randrange(90))).isoformat(),
            "site": f"site{site_id}",
            "district": rng.choice(["Chamkar Mon", "Daun Penh", "Meanchey", "Russey Keo"]),
            "uic_known": "no",
            "mother_name": rng.choice(NAMES),
            "father_name": rng.choice(NAMES),
            "birth_order": str(rng.choice([1, 2, 3, 99])),
            "birth_date": dob.isoformat(),
            "sex": rng.choice(["male", "female"]),
            "key_population": rng.choice(["pwid", "pwid", "pwud", "sw"]),
            "needles_syringes": str(rng.choice([0, 10, 20, 40])),
            "condoms": str(rng.choice([0, 5, 10])),
            "hiv_test": rng.choice(["not_done", "not_done", "non_reactive", "reactive"]),
            "referral": rng.choice(["none", "none", "ost", "hiv_treatment"]),
            "referral_completed": "no",
            "instanceID": f"uuid:{uuid.UUID(int=rng.getrandbits(128))}",
        }
        for name, value in values.items():
            leaves[name].text = value
        batch.append(b'<?xml version="1.0" encoding="UTF-8"?>' + tostring(doc, encoding="unicode").encode())
    return batch


class Poster:
    """One keep-alive connection per thread; Digest with one nonce per connection, nc counting up."""

    def __init__(self, url: str):
        self.parts = urlsplit(url)
        self.local = threading.local()

    def _conn(self) -> tuple[http.client.HTTPConnection, dict[str, object]]:
        if not hasattr(self.local, "conn"):
            self.local.conn = http.client.HTTPConnection(
                self.parts.hostname, self.parts.port or 80, timeout=60
            )
            self.local.auth = {"nonce": None, "nc": 0}
        return self.local.conn, self.local.auth

    def _header(self, auth: dict[str, object]) -> dict[str, str]:
        if auth["nonce"] is None:
            return {}
        auth["nc"] = int(auth["nc"]) + 1  # type: ignore[call-overload]
        md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731, S324
        ha1 = md5(f"{USERNAME}:{auth['realm']}:{PASSWORD}")
        ha2 = md5("POST:/openrosa/submission")
        nc = f"{auth['nc']:08x}"
        response = md5(f"{ha1}:{auth['nonce']}:{nc}:bench:auth:{ha2}")
        return {
            "Authorization": f'Digest username="{USERNAME}", realm="{auth["realm"]}", '
            f'nonce="{auth["nonce"]}", uri="/openrosa/submission", response="{response}", '
            f'qop=auth, nc={nc}, cnonce="bench"'
        }

    def post(self, xml: bytes) -> tuple[int, float]:
        conn, auth = self._conn()
        boundary = uuid.uuid4().hex
        body = (
            (
                f"--{boundary}\r\nContent-Disposition: form-data; "
                f'name="xml_submission_file"; filename="s.xml"\r\n'
                f"Content-Type: text/xml\r\n\r\n"
            ).encode()
            + xml
            + f"\r\n--{boundary}--\r\n".encode()
        )
        start = time.perf_counter()
        for _ in range(3):
            headers = {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-OpenRosa-Version": "1.0",
            }
            headers |= self._header(auth)
            conn.request("POST", "/openrosa/submission", body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            if resp.status != 401:
                return resp.status, time.perf_counter() - start
            params = parse_keqv_list(parse_http_list(resp.getheader("WWW-Authenticate", "").split(" ", 1)[1]))
            auth.update(nonce=params["nonce"], realm=params["realm"], nc=0)
        return 401, time.perf_counter() - start


def run(poster: Poster, batch: list[bytes], concurrency: int) -> tuple[dict[int, int], float, list[float]]:
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for status, latency in pool.map(poster.post, batch):
            statuses[status] = statuses.get(status, 0) + 1
            latencies.append(latency)
    return statuses, time.perf_counter() - start, latencies


def report(label: str, statuses: dict[int, int], elapsed: float, latencies: list[float]) -> None:
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000 if len(latencies) > 1 else 0.0
    print(
        f"{label}: {len(latencies)} submissions in {elapsed:.2f}s = {len(latencies) / elapsed:.0f}/s, "
        f"p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {p95:.1f} ms, statuses {statuses}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    org, site_id = setup()
    batch = make_batch(args.count, site_id, seed=int(time.time()))
    before = Submission.objects.filter(organisation=org).count()
    poster = Poster(args.url)
    report("first send", *run(poster, batch, args.concurrency))
    report("replay    ", *run(poster, batch, args.concurrency))
    stored = Submission.objects.filter(organisation=org).count() - before
    print(
        f"stored {stored} of {len(batch)} distinct submissions: lost {max(len(batch) - stored, 0)}, "
        f"duplicated {max(stored - len(batch), 0)}"
    )
    return 0 if stored == len(batch) else 1


if __name__ == "__main__":
    sys.exit(main())
