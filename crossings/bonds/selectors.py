"""Reads of bonds: scoped like the person's legal file, logged like it (a bond names a person)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet, Sum

from crossings.audit.reads import Reader, log_list, one_visible, read_one
from crossings.bonds.models import Bond, Contribution

if TYPE_CHECKING:
    from crossings.accounts.models import User


def visible_bonds(user: User) -> QuerySet[Bond]:
    return Bond.objects.visible_to(user).select_related("person", "detention")


def bond_access(user: User, bond_id: object) -> Bond:
    return one_visible(visible_bonds(user), bond_id)


def bond_for(reader: Reader, bond_id: object) -> Bond:
    return read_one(reader, bond_access(reader.user, bond_id), reason="bond")


def log_bonds(reader: Reader, bonds: list[Bond], *, total: int) -> None:
    log_list(reader, Bond, [(b.pk, b.organisation_id) for b in bonds], total=total, reason="bond ledger")


@dataclass
class Ledger:
    """Totals over the bonds the reader may see: by status, and contributions by source."""

    by_status: dict[str, tuple[int, Decimal]] = field(default_factory=dict)
    by_source: dict[str, Decimal] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, int, Decimal]]:
        return [
            (str(label), *self.by_status.get(value, (0, Decimal("0.00"))))
            for value, label in Bond.Status.choices
        ]

    def sources(self) -> list[tuple[str, Decimal]]:
        return [
            (str(label), self.by_source.get(value, Decimal("0.00")))
            for value, label in Contribution.Source.choices
        ]


def _cents(total: Decimal | None) -> Decimal:
    """A sum as dollars and cents on both databases (SQLite's sum drops the trailing zeros)."""
    return Decimal(total or 0).quantize(Decimal("0.01"))


def ledger(user: User, organisation_id: int) -> Ledger:
    """One organisation's totals: two grouped queries, whatever the number of bonds."""
    result = Ledger()
    for row in (
        Bond.objects.visible_to(user)
        .filter(organisation_id=organisation_id)
        .values("status")
        .annotate(n=Count("id"), total=Sum("amount"))
    ):
        result.by_status[row["status"]] = (row["n"], _cents(row["total"]))
    for source in (
        Contribution.objects.visible_to(user)
        .filter(organisation_id=organisation_id)
        .values("source")
        .annotate(total=Sum("amount"))
    ):
        result.by_source[source["source"]] = _cents(source["total"])
    return result
