"""The pre-arrival handover through the API, with the same rules as the pages (reception.handover)."""

import datetime as dt
import uuid
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.audit.reads import Reader
from crossings.people import selectors as people
from crossings.reception import handover
from crossings.reception.models import Packet

router = Router(tags=["reception"])

TEXT = 2000  # each free-text part of a packet


class PacketIn(Schema):
    to_organisation_id: int = Field(..., ge=1, le=2**31 - 1)
    expected_on: dt.date
    flight: str = Field("", max_length=50)
    health_needs: str = Field("", max_length=TEXT)
    medication: str = Field("", max_length=TEXT)
    contacts_cambodia: str = Field("", max_length=TEXT)
    us_family: str = Field("", max_length=TEXT)
    documents: list[Packet.Document] = Field(default_factory=list, max_length=len(Packet.Document.values))
    belongings: str = Field("", max_length=TEXT)
    note: str = Field("", max_length=TEXT)


class PacketOut(Schema):
    """Parts the consent does not cover are null (not in the packet for its reader)."""

    id: int
    person_id: int
    person_global_id: uuid.UUID
    name: str
    name_km: str
    birth_year: int | None
    from_organisation_id: int
    to_organisation_id: int
    referral_id: int
    status: str
    flight: str
    expected_on: dt.date
    health_needs: str | None
    medication: str | None
    contacts_cambodia: str | None
    us_family: str | None
    documents: list[str]
    belongings: str
    note: str
    arrival_id: int | None


class DeclineIn(Schema):
    reason: str = Field("", max_length=500)


def _out(packet: Packet) -> dict[str, Any]:
    parts = handover.covered(packet)
    person = packet.person
    out: dict[str, Any] = {
        "id": packet.pk,
        "person_id": person.pk,
        "person_global_id": person.global_id,
        "name": person.display_name,
        "name_km": person.name_km,
        "birth_year": person.birth_date.year if person.birth_date else None,
        "from_organisation_id": packet.from_organisation_id,
        "to_organisation_id": packet.to_organisation_id,
        "referral_id": packet.referral_id,
        "status": packet.status,
        "flight": packet.flight,
        "expected_on": packet.expected_on,
        "documents": list(packet.documents),
        "belongings": packet.belongings or "",
        "note": packet.note or "",
        "arrival_id": packet.arrival_id,
    }
    for part in Packet.PARTS:
        out[part] = (getattr(packet, part) or "") if part in parts else None
    return out


@router.get(
    "/reception/expected", response=list[PacketOut], summary="Expected arrivals (pre-arrival packets)"
)
@requires(Cap.PEOPLE_VIEW)
def expected(request: AuthedRequest) -> Any:
    packets = list(handover.expected_packets(request.user)[:500])
    handover.log_packets(Reader.of(request), packets)
    return [_out(p) for p in packets]


@router.get("/reception/packets/{packet_id}", response=PacketOut, summary="One pre-arrival packet")
@requires(Cap.PEOPLE_VIEW)
def get_packet(request: AuthedRequest, packet_id: int) -> Any:
    return _out(handover.packet_for(Reader.of(request), packet_id))


@router.post("/people/{person_id}/packets", response={201: PacketOut}, summary="Send a pre-arrival packet")
@requires(Cap.PEOPLE_EDIT)
def create_packet(request: AuthedRequest, person_id: int, payload: PacketIn) -> Any:
    person = people.person_access(request.user, person_id).person
    data = payload.dict()
    to = get_object_or_404(handover.receiving_organisations(), pk=data.pop("to_organisation_id"))
    data["documents"] = [str(d) for d in data["documents"]]
    packet = handover.prepare_packet(person=person, to_organisation=to, user=request.user, data=data)
    return Status(201, _out(packet))


@router.post("/reception/packets/{packet_id}/receive", response=PacketOut, summary="Receive a packet")
@requires(Cap.PEOPLE_EDIT)
def receive(request: AuthedRequest, packet_id: int) -> Any:
    packet = handover.receive_packet(
        packet=handover.packet_access(request.user, packet_id), user=request.user
    )
    return _out(handover.packet_access(request.user, packet.pk))


@router.post("/reception/packets/{packet_id}/decline", response=PacketOut, summary="Decline a packet")
@requires(Cap.PEOPLE_EDIT)
def decline(request: AuthedRequest, packet_id: int, payload: DeclineIn) -> Any:
    packet = handover.packet_access(request.user, packet_id)
    return _out(handover.decline_packet(packet=packet, user=request.user, reason=payload.reason))


@router.post("/reception/packets/{packet_id}/cancel", response=PacketOut, summary="Cancel a packet (sender)")
@requires(Cap.PEOPLE_EDIT)
def cancel(request: AuthedRequest, packet_id: int) -> Any:
    packet = handover.packet_access(request.user, packet_id)
    return _out(handover.cancel_packet(packet=packet, user=request.user))


__all__ = ["router"]
