"""The pre-arrival handover (docs/handover.md): the US organisation prepares a packet for the reception
organisation before the flight, with the person's consent to share with it; the reception organisation sees
who is expected, receives the packet (which accepts the referral it travels with), the packet pre-fills its
intake, and the flight's manifest matches the person instead of creating a second record.

Reads and writes of packets live here, one place for each rule:

- a packet is sent only by an organisation that may refer the person (people.access: the holder, or a
  receiver whose own access allows onward referral), under a sharing consent valid today that names the
  reception organisation; each part goes only if the consent covers its section (``Packet.PARTS``);
- the reception organisation sees a packet only while that consent is valid: computed on every read;
- every read of a packet by either side is written in the access log as a disclosure of the person.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from crossings.accounts.models import Organisation
from crossings.accounts.roles import Cap, OrgKind
from crossings.audit.reads import Reader, log_list, one_visible, read_one
from crossings.cases import services as cases
from crossings.errors import Conflict, Refused
from crossings.history import written_by
from crossings.people import sharing
from crossings.people.access import access_for, carried_sections
from crossings.people.models import Consent, FamilyMember, JourneyEvent, Person, PersonQuerySet, Referral
from crossings.reception.models import Arrival, Assessment, Packet

if TYPE_CHECKING:
    from crossings.accounts.models import User

# How far ahead a flight can be announced: a packet for a date further off is a typing slip.
MAX_DAYS_AHEAD = 180
# How long after the expected date a packet not yet on a manifest still counts as expected (flights slip).
GRACE_DAYS = 14


def _live(prefix: str = "") -> Q:
    """An open packet whose consent is valid today: the only packets the reception organisation sees."""
    return Q(**{f"{prefix}status__in": [Packet.Status.SENT, Packet.Status.RECEIVED]}) & Consent.valid_q(
        prefix=f"{prefix}consent__"
    )


# --- reads -----------------------------------------------------------------------------------------------


def _packets() -> QuerySet[Packet]:
    return Packet.objects.select_related(
        "person", "from_organisation", "to_organisation", "consent", "referral", "arrival__batch"
    )


def expected_packets(user: User) -> QuerySet[Packet]:
    """Open packets addressed to the user's organisations, consent valid today, not yet on a flight's
    manifest (or expected within the last GRACE_DAYS): the reception's "expected arrivals". Unlogged."""
    orgs = user.scope.orgs_with(Cap.PEOPLE_VIEW)
    since = timezone.localdate() - dt.timedelta(days=GRACE_DAYS)
    return _packets().filter(
        _live(), to_organisation_id__in=orgs, arrival__isnull=True, expected_on__gte=since
    )


def sent_packets(user: User, person: Person) -> QuerySet[Packet]:
    """The packets the user's organisations prepared for ``person`` (the sender's view, any status)."""
    return _packets().filter(person=person, from_organisation_id__in=user.scope.orgs_with(Cap.PEOPLE_VIEW))


def log_packets(reader: Reader, packets: list[Packet], *, reason: str = "expected arrivals") -> None:
    log_list(reader, Person, [(p.person_id, p.person.organisation_id) for p in packets], reason=reason)


def packet_access(user: User, packet_id: Any) -> Packet:
    """One packet the user may see, unlogged (for writes): the sender's organisations always, the reception
    organisation while the consent is valid. 404 otherwise."""
    orgs = user.scope.orgs_with(Cap.PEOPLE_VIEW)
    return one_visible(
        _packets().filter(Q(from_organisation_id__in=orgs) | (Q(to_organisation_id__in=orgs) & _live())),
        packet_id,
    )


def packet_for(reader: Reader, packet_id: object) -> Packet:
    """One packet, read: a disclosure of the person, written in the access log."""
    packet = packet_access(reader.user, packet_id)
    read_one(
        reader,
        packet.person,
        reason=f"pre-arrival packet #{packet.pk} (disclosure to {packet.to_organisation_id})",
    )
    return packet


def covered(packet: Packet) -> set[str]:
    """The packet's parts its consent covers today (the reception organisation reads only these)."""
    sections = set(packet.sections)
    return {part for part, section in Packet.PARTS.items() if section in sections}


def receiving_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrgKind.RECEPTION)


def draft_for(user: User, person: Person) -> dict[str, Any]:
    """What the advocate's organisation already knows, to start the packet from (they still check it):
    relatives in Cambodia and US family from the family list, and the flight from the journey."""
    family = list(FamilyMember.objects.filter(person=person))

    def lines(location: str) -> str:
        return "\n".join(
            f"{m.name} ({m.relationship})" + (f": {m.contact}" if m.contact else "")
            for m in family
            if m.location == location
        )

    scheduled = person.events.filter(kind=JourneyEvent.Kind.REMOVAL_SCHEDULED).order_by("-date").first()
    return {
        "contacts_cambodia": lines(FamilyMember.Location.CAMBODIA),
        "us_family": lines(FamilyMember.Location.US),
        "flight": scheduled.flight if scheduled else "",
        "expected_on": scheduled.date if scheduled else None,
    }


# --- writes ----------------------------------------------------------------------------------------------


@transaction.atomic
def prepare_packet(
    *, person: Person, to_organisation: Organisation, user: User, data: dict[str, Any]
) -> Packet:
    """Send a pre-arrival packet to ``to_organisation``. Refused without a sharing consent valid today that
    names it, and refused (naming the part) when a filled part needs a section the consent does not give:
    the advocate either leaves it empty or records a new consent, never sends more than the person agreed."""
    access = access_for(user, person)
    if access is None:
        raise Http404
    access.require_edit("referral")
    if to_organisation.kind != OrgKind.RECEPTION:
        raise Refused(_("A pre-arrival packet goes to a reception organisation."), field="to_organisation")
    consent = sharing.sharing_consent(person, to_organisation)
    if consent is None:
        raise sharing.ConsentMissing(sharing.explain_missing_consent(person, to_organisation))
    fields = {k: data.get(k) for k in Packet.CONTENT if k in data}
    expected_on = fields.get("expected_on")
    today = timezone.localdate()
    if not isinstance(expected_on, dt.date):
        raise Refused(_("Give the date the person is expected to arrive."), field="expected_on")
    if expected_on < today:
        raise Refused(_("The expected arrival date has passed."), field="expected_on")
    if expected_on > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise Refused(
            _("The expected arrival date is more than %(n)s days away.") % {"n": MAX_DAYS_AHEAD},
            field="expected_on",
        )
    unknown = set(fields.get("documents") or []) - set(Packet.Document.values)
    if unknown:
        raise Refused(
            _("Unknown documents: %(names)s.") % {"names": ", ".join(sorted(unknown))}, field="documents"
        )
    sections, _basis = carried_sections(access, consent)
    allowed = set(sections)
    for part, section in Packet.PARTS.items():
        if str(fields.get(part) or "").strip() and section not in allowed:
            raise sharing.ConsentMissing(
                _(
                    "The person's consent to share with %(org)s does not cover %(section)s. Leave “%(part)s” "
                    "empty, or record a new consent that includes it."
                )
                % {
                    "org": to_organisation.name,
                    "section": Consent.Section(section).label,
                    "part": _field_label(part),
                },
                field=part,
            )
    referral = _referral_for(person=person, to_organisation=to_organisation, user=user, flight=fields)
    packet = Packet(
        person=person,
        from_organisation_id=access.organisation_id,
        to_organisation=to_organisation,
        referral=referral,
        consent=consent,
        sections=sections,
        created_by=user,
        **{k: v for k, v in fields.items() if v not in (None, "")},
    )
    packet.full_clean(
        exclude=["person", "from_organisation", "to_organisation", "referral", "consent", "created_by"]
    )
    written_by(packet, user, "pre-arrival packet sent")
    try:
        with transaction.atomic():
            packet.save()
    except IntegrityError as exc:
        raise Conflict(
            _("A pre-arrival packet for this person to %(org)s is already open.")
            % {"org": to_organisation.name}
        ) from exc
    return packet


def _field_label(name: str) -> str:
    field = Packet._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _referral_for(
    *, person: Person, to_organisation: Organisation, user: User, flight: dict[str, Any]
) -> Referral:
    """The referral the packet travels with: one already waiting or live to that organisation, else a new
    one (people.sharing.refer: consent, chain and hop rules)."""
    existing = (
        Referral.objects.filter(person=person, to_organisation=to_organisation, kind=Referral.Kind.REFERRAL)
        .filter(Q(status=Referral.Status.PENDING) | Referral.live_q())
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        return existing
    purpose = _("Pre-arrival handover: expected on %(date)s%(flight)s.") % {
        "date": flight["expected_on"].isoformat(),
        "flight": f" ({flight['flight']})" if flight.get("flight") else "",
    }
    return sharing.refer(person=person, to_organisation=to_organisation, purpose=purpose, user=user)


def _answerable(packet: Packet, user: User) -> Packet:
    packet = Packet.objects.select_for_update().select_related("referral").get(pk=packet.pk)
    if not user.scope.can(Cap.PEOPLE_EDIT, packet.to_organisation_id):
        raise PermissionDenied(_("Only the reception organisation answers a pre-arrival packet."))
    if packet.status != Packet.Status.SENT:
        raise Conflict(
            _("This packet was already answered (%(status)s).") % {"status": packet.get_status_display()}
        )
    return packet


@transaction.atomic
def receive_packet(*, packet: Packet, user: User) -> Packet:
    """The reception organisation takes the person on: the referral is accepted (cases.services, with its
    consent and chain checks), so the record opens to them with the sections the consent gives."""
    packet = _answerable(packet, user)
    if packet.referral.status == Referral.Status.PENDING:
        cases.accept_referral(referral=packet.referral, user=user)
    return _answered(packet, user, Packet.Status.RECEIVED, "pre-arrival packet received")


@transaction.atomic
def decline_packet(*, packet: Packet, user: User, reason: str = "") -> Packet:
    packet = _answerable(packet, user)
    if packet.referral.status == Referral.Status.PENDING:
        sharing.decline_referral(referral=packet.referral, user=user, reason=reason)
    return _answered(packet, user, Packet.Status.DECLINED, "pre-arrival packet declined")


def _answered(packet: Packet, user: User, status: str, reason: str) -> Packet:
    """The reception organisation's answer, received or declined: who answered and when, in the history."""
    packet.status = status
    packet.answered_by, packet.answered_at = user, timezone.now()
    written_by(packet, user, reason)
    packet.save()
    return packet


@transaction.atomic
def cancel_packet(*, packet: Packet, user: User) -> Packet:
    """The sender takes the packet back (the flight was cancelled, relief granted). A referral still waiting
    is cancelled with it; one already accepted stays, as the reception organisation's own access."""
    packet = Packet.objects.select_for_update().select_related("referral").get(pk=packet.pk)
    if not user.scope.can(Cap.PEOPLE_EDIT, packet.from_organisation_id):
        raise PermissionDenied(_("Only the organisation that sent the packet cancels it."))
    if not packet.is_open or packet.arrival_id:
        raise Conflict(_("This packet is closed (%(status)s).") % {"status": packet.get_status_display()})
    if packet.referral.status == Referral.Status.PENDING:
        sharing.cancel_referral(referral=packet.referral, user=user)
    packet.status = Packet.Status.CANCELLED
    written_by(packet, user, "pre-arrival packet cancelled")
    packet.save()
    return packet


# --- the reception organisation's side: manifest matching and intake -------------------------------------


def expected_on_flight(organisation_id: int) -> PersonQuerySet:
    """People with an open packet to ``organisation_id`` (consent valid) not yet on a manifest: the first
    candidates for a manifest row, so a person announced before the flight is matched, not created again."""
    return Person.objects.active().filter(
        packets__in=Packet.objects.filter(_live(), to_organisation_id=organisation_id, arrival__isnull=True),
    )


def on_manifest(*, person: Person, arrival: Arrival, user: User) -> Packet | None:
    """A manifest row matched a person with an open packet: the packet is received if it was still waiting
    (the organisation is meeting the flight) and linked to the arrival; the arrival's first medical need is
    the packet's, when the consent covers health. Returns the packet, or None."""
    packet = (
        Packet.objects.select_for_update()
        .filter(
            _live(), person=person, to_organisation_id=arrival.batch.organisation_id, arrival__isnull=True
        )
        .first()
    )
    if packet is None:
        return None
    if packet.status == Packet.Status.SENT:
        packet = receive_packet(packet=packet, user=user)
    packet.arrival = arrival
    written_by(packet, user, "on a flight's manifest")
    packet.save(update_fields=["arrival"])
    need = (packet.medication or packet.health_needs or "").strip() if "medication" in covered(packet) else ""
    if need and not arrival.medical_need:
        arrival.medical_need = need[:300]
        written_by(arrival, user, "medical need from the pre-arrival packet")
        arrival.save(update_fields=["medical_need"])
    return packet


def intake_initial(person: Person, organisation_id: int) -> dict[str, Any]:
    """The first assessment's form starts from the received packet (the caseworker checks and saves it):
    documents the person carries, health (when the consent covers it), relatives and US family (when it
    covers contact), Khmer ability from the record. Empty when there is no such packet or an assessment
    exists already (a re-assessment starts from the last one, not the packet)."""
    if Assessment.objects.filter(person=person, organisation_id=organisation_id).exists():
        return {}
    packet = (
        Packet.objects.filter(_live(), person=person, to_organisation_id=organisation_id)
        .exclude(status=Packet.Status.SENT)
        .order_by("-pk")
        .first()
    )
    if packet is None:
        return {}
    parts = covered(packet)
    docs = set(packet.documents or [])
    initial: dict[str, Any] = {
        "has_id_card": Packet.Document.ID_CARD in docs,
        "has_family_book": Packet.Document.FAMILY_BOOK in docs,
        "has_birth_certificate": Packet.Document.BIRTH_CERTIFICATE in docs,
    }
    # The record's scale has one step more than the assessment's ("reads and writes" is fluent there).
    ability = "fluent" if person.khmer_ability == Person.KhmerAbility.READS_WRITES else person.khmer_ability
    if ability in Assessment.Level.values:
        initial["khmer_level"] = ability
    if "health_needs" in parts:
        initial["health"] = "\n".join(
            t for t in ((packet.health_needs or "").strip(), (packet.medication or "").strip()) if t
        )
    if "contacts_cambodia" in parts:
        initial["family_cambodia"] = packet.contacts_cambodia or ""
        initial["family_us"] = packet.us_family or ""
    return {k: v for k, v in initial.items() if v not in ("", None, False)}
