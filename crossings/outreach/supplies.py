"""The supplies ledger: stock movements, the running balances every write keeps in step (one upsert),
balances on a date, low-stock warnings, a rebuild check, and the reconciliation report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from crossings.accounts.models import User
from crossings.outreach.models import (
    Item,
    Site,
    StockBalance,
    StockCount,
    StockMovement,
)


def signed(kind: str, quantity: int) -> int:
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


def adjust_balances(organisation_id: int, changes: dict[tuple[int, str], int]) -> None:
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
    adjust_balances(site.organisation_id, {(site.pk, item): signed(kind, quantity)})
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
    def item_label(self) -> str:
        """The item in the reader's language (the code stays the key of the row)."""
        return str(Item(self.item).label)

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
