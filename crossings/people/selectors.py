"""Reads of person records: the only way pages, the API, exports and commands reach them.

Each selector decides what the reader may see (``Person.objects.visible_to`` and ``people.access``) and
writes the access-log entry for what it returns (``audit.reads``). A record outside the reader's scope is a
404, so its existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.http import Http404
from django.shortcuts import get_object_or_404

from crossings.accounts.roles import Cap
from crossings.audit.reads import Reader, log_list, one_visible, read_one
from crossings.people import matching
from crossings.people.access import PersonAccess, access_for
from crossings.people.models import Person, PersonQuerySet, Referral

if TYPE_CHECKING:
    from crossings.accounts.models import User


def visible_people(user: User) -> PersonQuerySet:
    """People the user may see, unlogged: for composing other queries (a selector logs what it returns)."""
    return Person.objects.visible_to(user)


def person_access(user: User, person_id: object) -> PersonAccess:
    """The user's access to one person, without logging a read: for writes (kept in the history)."""
    person = one_visible(visible_people(user).select_related("organisation"), person_id)
    access = access_for(user, person)
    if access is None:
        raise Http404
    return access


def person_for(reader: Reader, person_id: object, *, reason: str = "") -> PersonAccess:
    """One person, read: the access-log entry is written here."""
    access = person_access(reader.user, person_id)
    read_one(reader, access.person, reason=reason)
    return access


def log_people(
    reader: Reader,
    people: Iterable[Person],
    *,
    query: str = "",
    total: int | None = None,
    export: bool = False,
    reason: str = "",
) -> None:
    """Log that a list of people was shown (a page of a list, search results, duplicate candidates)."""
    log_list(
        reader,
        Person,
        [(p.pk, p.organisation_id) for p in people],
        query=query,
        total=total,
        export=export,
        reason=reason,
    )


def log_list_of_ids(
    reader: Reader,
    rows: Iterable[tuple[int, int | None]],
    *,
    query: str = "",
    export: bool = False,
    reason: str = "",
) -> None:
    """Log people shown by id and holding organisation, where the rows are not Person objects (the
    programme view and its exports)."""
    log_list(reader, Person, rows, query=query, export=export, reason=reason)


def search_people(reader: Reader, query: str, *, limit: int) -> list[matching.Match]:
    """Ranked name / A-number search over the people the reader may see; the query is logged (encrypted)."""
    results = matching.search(visible_people(reader.user), query, limit=limit)
    log_people(reader, [m.person for m in results], query=query, reason="search")
    return results


def duplicate_candidates(
    reader: Reader, data: dict[str, object], *, exclude_pk: int | None = None
) -> matching.Matches:
    """Possible duplicates of what is being typed, among the people the reader may see (never revealing
    that another organisation holds someone). Shown candidates are logged as a list read."""
    found = matching.duplicates_for(visible_people(reader.user), data, exclude_pk=exclude_pk)
    if found:
        log_people(reader, [m.person for m in found], reason="duplicate check")
    return found


def people_page(reader: Reader, rows: Iterable[Person], *, total: int) -> None:
    """A page of the plain list: logged with the ids on the page and the total."""
    log_people(reader, rows, total=total, reason="list")


def referrals_of(reader: Reader, referrals: Sequence[Referral]) -> Sequence[Referral]:
    """Referrals shown (inbox, API): each names a person, so the people named are logged."""
    log_list(
        reader,
        Person,
        [(r.person_id, r.person.organisation_id) for r in referrals],
        reason="referrals",
    )
    return referrals


def received_referral(user: User, referral_id: int) -> Referral:
    """A referral sent to one of the organisations where ``user`` may edit records: the only ones they
    answer. 404 otherwise (whether it exists elsewhere is not theirs to know)."""
    return get_object_or_404(
        Referral.objects.select_related("person", "to_organisation", "from_organisation", "consent"),
        pk=referral_id,
        to_organisation_id__in=user.scope.orgs_with(Cap.PEOPLE_EDIT),
    )


def sent_referral(user: User, referral_id: int) -> Referral:
    """A referral sent by one of the organisations where ``user`` may edit records: the only ones they may
    cancel. 404 otherwise."""
    return get_object_or_404(
        Referral.objects.select_related("person", "to_organisation", "from_organisation"),
        pk=referral_id,
        from_organisation_id__in=user.scope.orgs_with(Cap.PEOPLE_EDIT),
    )
