"""Recording an encounter: the client (one upsert), the encounter, its draw-down of stock and the client's
follow-up facts, in one transaction, and the near-collision check on UICs. Web entry, the API and ODK
submissions all come through ``record_encounter`` so the three cannot drift apart."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from crossings import fastsql, gazetteer
from crossings.accounts.models import User
from crossings.errors import Refused
from crossings.outreach import followup
from crossings.outreach import uic as uic_rules
from crossings.outreach.models import (
    AgeBand,
    Client,
    Encounter,
    HivTest,
    KeyPopulation,
    Referral,
    Sex,
    Site,
    StockMovement,
)
from crossings.outreach.supplies import adjust_balances, signed, stock_warnings

NEAR_COLLISION_DAYS = 30


def age_band(birth_date: dt.date, on: dt.date) -> str:
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if age < 15:
        return AgeBand.UNDER_15
    if age < 20:
        return AgeBand.A15_19
    if age < 25:
        return AgeBand.A20_24
    if age < 50:
        return AgeBand.A25_49
    return AgeBand.A50_PLUS


@dataclass
class EncounterData:
    """One encounter as any entry channel gives it, before it touches the database."""

    uic: str
    date: dt.date
    district: str
    province: str = ""
    commune: str = ""
    hot_spot: str = ""
    site_id: int | None = None
    sex: str = Sex.UNKNOWN
    key_population: str = KeyPopulation.OTHER
    needles_syringes: int = 0
    condoms: int = 0
    naloxone: int = 0
    swabs: int = 0
    hiv_test: str = HivTest.NOT_DONE
    referral: str = Referral.NONE
    referral_completed: bool = False

    def check(self) -> dict[str, str]:
        """Problems with the values, per field (empty when the data can be recorded)."""
        errors: dict[str, str] = {}
        try:
            self.uic = uic_rules.validate_uic(self.uic, today=self.date)
        except uic_rules.UICError as exc:
            errors.update(exc.errors)
        if not self.district.strip():
            errors["district"] = gettext("Give the district.")
        try:
            # stored as the official codes, whatever script or spelling the worker used (crossings.gazetteer)
            codes = gazetteer.read_places(
                province=self.province, district=self.district, commune=self.commune
            )
        except Refused as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, messages[0])
        else:
            self.province, self.district, self.commune = (
                codes["province"],
                codes["district"],
                codes["commune"],
            )
        for name, choices in (
            ("sex", Sex),
            ("key_population", KeyPopulation),
            ("hiv_test", HivTest),
            ("referral", Referral),
        ):
            if getattr(self, name) not in choices.values:
                errors[name] = f"Unknown value {getattr(self, name)!r}."
        for name in ("needles_syringes", "condoms", "naloxone", "swabs"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0 or value > 10_000:
                errors[name] = "A count from 0 to 10000."
        if self.date > timezone.localdate() + dt.timedelta(days=1):
            errors["date"] = "The encounter date is in the future."
        return errors


@dataclass
class Recorded:
    encounter: Encounter
    near_collisions: list[Client] = field(default_factory=list)
    stock_warnings: list[str] = field(default_factory=list)


def near_collisions(organisation_id: int, code: str, district: str, on: dt.date) -> list[Client]:
    """Clients whose UIC is one keying slip from ``code`` and who were seen in the same district within the
    last NEAR_COLLISION_DAYS: possibly the same person with a mistyped code. The district is compared as
    its official code, so "ចំការមន" and "Chamkar Mon" are the same district."""
    with contextlib.suppress(Refused):  # a value from before the codes is compared as typed
        district = gazetteer.read_place("district", district)
    candidates = uic_rules.neighbours(code)
    since = on - dt.timedelta(days=NEAR_COLLISION_DAYS)
    return list(
        Client.objects.filter(
            organisation_id=organisation_id,
            uic__in=candidates,
            encounters__district__iexact=district,
            encounters__date__gte=since,
        ).distinct()
    )


# One statement that creates the client or brings its description up to date. A client is described by
# their most recent contact (a person who used drugs may have started injecting), but ODK Collect sends
# forms days late and in any order, so an older encounter arriving later must not overwrite a newer one;
# an unknown sex never replaces a known one; first and last seen only widen. Plain SQL (both SQLite and
# PostgreSQL speak this upsert) because it sits on the ODK ingest hot path: see crossings/fastsql.py.
_CLIENT_UPSERT = """
INSERT INTO outreach_client
    (organisation_id, uic, sex, age_band, key_population, district, first_seen, last_seen)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (organisation_id, uic) DO UPDATE SET
    sex = CASE
        WHEN excluded.sex = 'unknown' THEN outreach_client.sex
        WHEN excluded.last_seen >= outreach_client.last_seen OR outreach_client.sex = 'unknown'
            THEN excluded.sex
        ELSE outreach_client.sex END,
    age_band = CASE WHEN excluded.last_seen >= outreach_client.last_seen
        THEN excluded.age_band ELSE outreach_client.age_band END,
    key_population = CASE WHEN excluded.last_seen >= outreach_client.last_seen
        THEN excluded.key_population ELSE outreach_client.key_population END,
    district = CASE WHEN excluded.last_seen >= outreach_client.last_seen
        THEN excluded.district ELSE outreach_client.district END,
    first_seen = CASE WHEN excluded.first_seen < outreach_client.first_seen
        THEN excluded.first_seen ELSE outreach_client.first_seen END,
    last_seen = CASE WHEN excluded.last_seen > outreach_client.last_seen
        THEN excluded.last_seen ELSE outreach_client.last_seen END
RETURNING id
"""


def _client_for(organisation_id: int, data: EncounterData, band: str) -> int:
    """The id of the client with ``data.uic``, created or updated from this encounter."""
    day = connection.ops.adapt_datefield_value(data.date)
    with connection.cursor() as cursor:
        cursor.execute(
            _CLIENT_UPSERT,
            [organisation_id, data.uic, data.sex, band, data.key_population, data.district, day, day],
        )
        return int(cursor.fetchone()[0])


_ENCOUNTER_FIELDS = (
    "date",
    "province",
    "district",
    "commune",
    "hot_spot",
    "site_id",
    "needles_syringes",
    "condoms",
    "naloxone",
    "swabs",
    "hiv_test",
    "referral",
    "referral_completed",
    "sex",
    "key_population",
)


# No savepoint of its own: nothing inside catches a failure half-way, and a caller that recovers from one
# (ODK parsing) holds its own savepoint. One statement fewer on the ingest hot path.
@transaction.atomic(savepoint=False)
def record_encounter(
    *,
    organisation_id: int,
    worker: User,
    data: EncounterData,
    source: str = Encounter.Source.WEB,
    replace: Encounter | None = None,
    check_collisions: bool = True,
    warn: bool = True,
) -> Recorded:
    """Record (or, with ``replace``, rewrite) an encounter; its supplies are drawn from the site's stock.

    The caller has run ``data.check()``. Stock may go below zero: the supplies were really handed out, and
    the negative balance is what the reconciliation report must show, not something to refuse.
    """
    site = (
        fastsql.fetch(Site, id=data.site_id, organisation_id=organisation_id)
        if data.site_id is not None
        else None
    )
    if site is None:
        data.site_id = None  # none, or not this organisation's: record the encounter, draw no stock
    collisions = (
        near_collisions(organisation_id, data.uic, data.district, data.date) if check_collisions else []
    )
    band = age_band(uic_rules.birth_date_of(data.uic), data.date)
    client_id = _client_for(organisation_id, data, band)
    values: dict[str, Any] = {name: getattr(data, name) for name in _ENCOUNTER_FIELDS}
    values["age_band"] = band
    if values["referral"] == Referral.NONE:
        values["referral_completed"] = False
    changes: dict[tuple[int, str], int] = {}  # to the running balances, applied in one statement below
    previous_client_id = replace.client_id if replace is not None else None
    if replace is not None:
        old = StockMovement.objects.filter(encounter=replace)
        for site_id, item, kind, quantity in old.values_list("site_id", "item", "kind", "quantity"):
            changes[(site_id, item)] = changes.get((site_id, item), 0) - signed(kind, quantity)
        old.delete()
        for k, v in values.items():
            setattr(replace, k, v)
        replace.client_id = client_id
        replace.save()
        encounter = replace
    else:
        encounter = Encounter(
            organisation_id=organisation_id, client_id=client_id, worker=worker, source=source, **values
        )
        fastsql.insert([encounter])
    drawn: dict[str, int] = {}
    if encounter.site_id is not None:
        drawn = {item: qty for item, qty in encounter.supplies().items() if qty > 0}
        fastsql.insert(
            [
                StockMovement(
                    organisation_id=organisation_id,
                    site_id=encounter.site_id,
                    item=item,
                    kind=StockMovement.Kind.DISTRIBUTED,
                    quantity=qty,
                    date=encounter.date,
                    encounter=encounter,
                    recorded_by=worker,
                )
                for item, qty in drawn.items()
            ]
        )
        for item, qty in drawn.items():
            changes[(encounter.site_id, item)] = changes.get((encounter.site_id, item), 0) - qty
    # One upsert, its rows in a fixed order, so two edits moving stock between the same sites in opposite
    # directions cannot deadlock each other on PostgreSQL.
    adjust_balances(organisation_id, changes)
    # The client's follow-up facts (and, for an edit that changed the code, the former client's)
    followup.refresh({client_id} | ({previous_client_id} if previous_client_id is not None else set()))
    warnings: list[str] = []
    if drawn and warn and site is not None:  # skipped where nobody would see them (ODK)
        warnings = stock_warnings([site], items=list(drawn))
    return Recorded(encounter=encounter, near_collisions=collisions, stock_warnings=warnings)
