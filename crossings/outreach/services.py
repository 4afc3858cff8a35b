"""Outreach workflows: recording an encounter (client, encounter, stock draw-down in one transaction), the
near-collision check on UICs, and the supplies ledger. Web entry, the API and ODK submissions all come
through ``record_encounter`` so the three cannot drift apart."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
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
    Item,
    KeyPopulation,
    Referral,
    Sex,
    Site,
    StockBalance,
    StockCount,
    StockMovement,
)

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
            changes[(site_id, item)] = changes.get((site_id, item), 0) - _signed(kind, quantity)
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
    _adjust_balances(organisation_id, changes)
    # The client's follow-up facts (and, for an edit that changed the code, the former client's)
    followup.refresh({client_id} | ({previous_client_id} if previous_client_id is not None else set()))
    warnings: list[str] = []
    if drawn and warn and site is not None:  # skipped where nobody would see them (ODK)
        warnings = stock_warnings([site], items=list(drawn))
    return Recorded(encounter=encounter, near_collisions=collisions, stock_warnings=warnings)


# ---------------------------------------------------------------------------------------------------------
# Supplies ledger
# ---------------------------------------------------------------------------------------------------------
def _signed(kind: str, quantity: int) -> int:
    return quantity if kind in StockMovement.INBOUND else -quantity


# A ledger line's effect on the balance, in SQL: inbound kinds add, the others take away.
_SIGNED_QUANTITY = Case(When(kind__in=StockMovement.INBOUND, then=F("quantity")), default=-F("quantity"))


def _signed_sum(qs: Any) -> dict[tuple[int, str], int]:
    rows = qs.order_by().values("site_id", "item").annotate(total=Sum(_SIGNED_QUANTITY))
    return {(r["site_id"], r["item"]): r["total"] or 0 for r in rows}


_BALANCE_UPSERT = """
INSERT INTO outreach_stockbalance (organisation_id, site_id, item, balance) VALUES {rows}
ON CONFLICT (site_id, item) DO UPDATE SET balance = outreach_stockbalance.balance + excluded.balance
"""


def _adjust_balances(organisation_id: int, changes: dict[tuple[int, str], int]) -> None:
    """Add ``changes`` ((site, item) -> signed quantity) to the running balances, in one statement. Every
    write or removal of ledger lines calls this in the same transaction."""
    changes = {key: delta for key, delta in changes.items() if delta}
    if not changes:
        return
    params: list[Any] = []
    for (site_id, item), delta in sorted(changes.items()):  # a fixed order: no deadlock between writers
        params += [organisation_id, site_id, item, delta]
    with connection.cursor() as cursor:
        cursor.execute(_BALANCE_UPSERT.format(rows=", ".join(["(%s, %s, %s, %s)"] * len(changes))), params)


def ledger_balances(site_ids: list[int], *, on: dt.date | None = None) -> dict[tuple[int, str], int]:
    """Book balance per (site, item) added up from the ledger itself, up to and including ``on``."""
    qs = StockMovement.objects.filter(site_id__in=site_ids)
    if on is not None:
        qs = qs.filter(date__lte=on)
    found = _signed_sum(qs)
    return {(s, item): found.get((s, item), 0) for s in site_ids for item in Item.values}


def _lines(total: Any, **filters: Any) -> Coalesce:
    """A subquery: ``total`` over the ledger lines of the outer StockBalance row's site and item."""
    lines = StockMovement.objects.filter(site_id=OuterRef("site_id"), item=OuterRef("item"), **filters)
    summed = lines.order_by().values("site_id").annotate(total=total).values("total")[:1]
    return Coalesce(Subquery(summed), 0)


def balances(site_ids: list[int], *, on: dt.date | None = None) -> dict[tuple[int, str], int]:
    """Book balance per (site, item), up to and including ``on``; every item appears, zero when unused.

    The running balance, less the lines dated after ``on``, in one statement (so one consistent snapshot
    while encounters are being recorded): for a recent date it reads a few rows and the recent lines,
    where adding up the ledger from the start would read every line the sites ever had."""
    rows = StockBalance.objects.filter(site_id__in=site_ids).order_by()
    if on is not None:
        rows = rows.annotate(later=_lines(Sum(_SIGNED_QUANTITY), date__gt=on))
    else:
        rows = rows.annotate(later=Value(0))
    found = {
        (s, item): balance - later
        for s, item, balance, later in rows.values_list("site_id", "item", "balance", "later")
    }
    return {(s, item): found.get((s, item), 0) for s in site_ids for item in Item.values}


def _net(flows: dict[str, Any]) -> int:
    """How much one (site, item)'s flows in a period changed its balance."""
    inbound = (flows.get("received") or 0) + (flows.get("adj_in") or 0)
    return inbound - (flows.get("distributed") or 0) - (flows.get("adj_out") or 0)


def balance_differences(site_ids: list[int]) -> dict[tuple[int, str], tuple[int, int]]:
    """(site, item) -> (running balance, ledger added up), for those that differ."""
    running, ledger = balances(site_ids), ledger_balances(site_ids)
    return {key: (running[key], ledger[key]) for key in ledger if running[key] != ledger[key]}


@transaction.atomic
def rebuild_balances(site_ids: list[int]) -> None:
    """Rewrite the running balances of ``site_ids`` from the ledger (after ledger lines were written outside
    this module). ``crossings outreach_stock_check --repair`` calls this."""
    owner = dict(Site.objects.filter(pk__in=site_ids).values_list("id", "organisation_id"))
    StockBalance.objects.filter(site_id__in=site_ids).delete()
    StockBalance.objects.bulk_create(  # every item of every site, zero or not
        StockBalance(organisation_id=owner[s], site_id=s, item=item, balance=value)
        for (s, item), value in ledger_balances(site_ids).items()
    )


def stock_warnings(sites: list[Site], *, items: list[str] | None = None) -> list[str]:
    """Stock-outs and low stock at ``sites``: two queries however many sites."""
    by_id = {site.pk: site for site in sites}
    result = []
    for (site_id, item), balance in balances(list(by_id)).items():
        if items is not None and item not in items:
            continue
        site = by_id[site_id]
        values = {"item": Item(item).label, "site": site.name, "balance": balance}
        if balance <= 0:
            result.append(gettext("Stock-out: %(item)s at %(site)s (balance %(balance)s).") % values)
        elif balance <= site.low_stock_level:
            result.append(gettext("Low stock: %(item)s at %(site)s (balance %(balance)s).") % values)
    return result


@transaction.atomic
def record_movement(
    *, site: Site, item: str, kind: str, quantity: int, date: dt.date, by: User, note: str = ""
) -> StockMovement:
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    movement = StockMovement.objects.create(
        organisation_id=site.organisation_id,
        site=site,
        item=item,
        kind=kind,
        quantity=quantity,
        date=date,
        recorded_by=by,
        note=note,
    )
    _adjust_balances(site.organisation_id, {(site.pk, item): _signed(kind, quantity)})
    return movement


@dataclass
class ReconciliationRow:
    site: str
    item: str
    opening: int
    received: int
    distributed_ledger: int
    distributed_encounters: int
    adjustments: int
    closing: int
    counted: int | None = None
    count_date: dt.date | None = None
    book_on_count: int | None = None  # the ledger balance at the close of the count date

    @property
    def variance(self) -> int | None:
        """Physical count minus book balance on the count date (negative: stock missing)."""
        return (
            None if self.counted is None or self.book_on_count is None else self.counted - self.book_on_count
        )

    @property
    def unexplained(self) -> int:
        """Distributions written straight into the ledger rather than through an encounter."""
        return self.distributed_ledger - self.distributed_encounters


# The running balances joined to one pass over the ledger lines dated from the period's start: one statement,
# so one snapshot, and the opening worked back from the closing adds up even while encounters are being
# recorded. Django cannot join a grouped queryset, so the outer query is written here; the inner one is the
# ORM's and every value is a parameter.
_CLOSING_AND_FLOWS = """
SELECT b.site_id, b.item, b.balance, COALESCE(m.later, 0), COALESCE(m.received, 0),
       COALESCE(m.distributed, 0), COALESCE(m.via_encounter, 0), COALESCE(m.adj_in, 0), COALESCE(m.adj_out, 0)
FROM outreach_stockbalance b
LEFT JOIN ({lines}) m ON m.site_id = b.site_id AND m.item = b.item
WHERE b.site_id IN ({sites})
"""


def _closing_and_flows(ids: list[int], start: dt.date, end: dt.date) -> dict[tuple[int, str], dict[str, int]]:
    if not ids:
        return {}
    kind = StockMovement.Kind
    in_period = Q(date__lte=end)
    lines = (
        StockMovement.objects.filter(site_id__in=ids, date__gte=start)
        .order_by()
        .values("site_id", "item")
        .annotate(
            later=Sum(_SIGNED_QUANTITY, filter=Q(date__gt=end)),
            received=Sum("quantity", filter=in_period & Q(kind=kind.RECEIVED)),
            distributed=Sum("quantity", filter=in_period & Q(kind=kind.DISTRIBUTED)),
            via_encounter=Sum(
                "quantity", filter=in_period & Q(kind=kind.DISTRIBUTED, encounter__isnull=False)
            ),
            adj_in=Sum("quantity", filter=in_period & Q(kind=kind.ADJUSTMENT_IN)),
            adj_out=Sum("quantity", filter=in_period & Q(kind=kind.ADJUSTMENT_OUT)),
        )
    )
    inner, params = lines.query.sql_with_params()
    sql = _CLOSING_AND_FLOWS.format(lines=inner, sites=", ".join(["%s"] * len(ids)))
    names = ("balance", "later", "received", "distributed", "via_encounter", "adj_in", "adj_out")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])
        return {(row[0], row[1]): dict(zip(names, row[2:], strict=True)) for row in cursor.fetchall()}


def reconciliation(sites: list[Site], start: dt.date, end: dt.date) -> list[ReconciliationRow]:
    """Per site and item over [start, end]: opening, in, out, closing book balance, and the last physical
    count in the period against the book balance on that day's close. One statement for the balances and
    flows, one or two for the counts, one per counted line. Balances are worked back from the running
    balance, so only lines dated from the start of the period on are read, never the years before it."""
    ids = [s.pk for s in sites]
    flows = _closing_and_flows(ids, start, end)
    closing = {
        (s, item): (flows[(s, item)]["balance"] - flows[(s, item)]["later"]) if (s, item) in flows else 0
        for s in ids
        for item in Item.values
    }
    last_counts: dict[tuple[int, str], StockCount] = {}
    latest = (
        StockCount.objects.filter(site_id__in=ids, date__gte=start, date__lte=end)
        .values("site_id", "item")
        .annotate(last=Max("date"))
    )
    wanted = Q()
    for row in latest:
        wanted |= Q(site_id=row["site_id"], item=row["item"], date=row["last"])
    if latest:
        for counted in StockCount.objects.filter(wanted).order_by("id"):
            last_counts[(counted.site_id, counted.item)] = counted
    rows = []
    for site in sites:
        for item in Item.values:
            key = (site.pk, item)
            f = flows.get(key, {})
            count = last_counts.get(key)
            book_on_count = None
            if count is not None:  # one more query per counted line; counts are few
                book_on_count = balances([site.pk], on=count.date)[key] if count.date != end else closing[key]
            rows.append(
                ReconciliationRow(
                    site=site.name,
                    item=item,
                    opening=closing[key] - _net(f),
                    received=f.get("received") or 0,
                    distributed_ledger=f.get("distributed") or 0,
                    distributed_encounters=f.get("via_encounter") or 0,
                    adjustments=(f.get("adj_in") or 0) - (f.get("adj_out") or 0),
                    closing=closing[key],
                    counted=None if count is None else count.counted,
                    count_date=None if count is None else count.date,
                    book_on_count=book_on_count,
                )
            )
    return rows
