"""Pages of the pre-arrival handover (reception.handover holds the rules): the advocate prepares a packet on
the person's record; the reception organisation sees its expected arrivals and answers each packet."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crossings.accounts import keep
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.audit.reads import Reader
from crossings.formtools import confirm_then, submit
from crossings.people import selectors as people
from crossings.reception import handover
from crossings.reception.forms import PacketAnswerForm, PacketForm
from crossings.reception.models import Packet


@requires(Cap.PEOPLE_EDIT)
@keep.restorable
def packet_new(request: AuthedRequest, person_id: int) -> HttpResponse:
    if request.method == "POST":
        access = people.person_access(request.user, person_id)
    else:
        access = people.person_for(Reader.of(request), person_id, reason="pre-arrival packet")
    access.require_edit("referral")
    person = access.person
    form = PacketForm(
        keep.form_data(request),
        organisations=handover.receiving_organisations(),
        initial=handover.draft_for(request.user, person),
    )
    if request.method == "POST":
        packet = submit(
            request,
            form,
            lambda data: handover.prepare_packet(
                person=person, to_organisation=data["to_organisation"], user=request.user, data=data
            ),
            _("Pre-arrival packet sent. The reception organisation sees it in its expected arrivals."),
        )
        if packet is not None:
            return redirect("packet_detail", packet_id=packet.pk)
    return render(
        request,
        "reception/packet_new.html",
        {"person": person, "form": form, "sent": list(handover.sent_packets(request.user, person))},
    )


@requires(Cap.PEOPLE_VIEW)
def expected_arrivals(request: AuthedRequest) -> HttpResponse:
    packets = list(handover.expected_packets(request.user))
    handover.log_packets(Reader.of(request), packets)
    return render(request, "reception/expected_arrivals.html", {"packets": packets})


@requires(Cap.PEOPLE_VIEW)
def packet_detail(request: AuthedRequest, packet_id: int) -> HttpResponse:
    packet = handover.packet_for(Reader.of(request), packet_id)
    scope = request.user.scope
    receiver = scope.can(Cap.PEOPLE_VIEW, packet.to_organisation_id)
    parts = handover.covered(packet)
    return render(
        request,
        "reception/packet_detail.html",
        {
            "packet": packet,
            "person": packet.person,
            "receiver": receiver,
            "shown": {name: (name not in Packet.PARTS or name in parts) for name in Packet.CONTENT},
            "documents": [Packet.Document(d).label for d in packet.documents if d in Packet.Document.values],
            "can_answer": receiver
            and packet.status == Packet.Status.SENT
            and scope.can(Cap.PEOPLE_EDIT, packet.to_organisation_id),
            "can_cancel": scope.can(Cap.PEOPLE_EDIT, packet.from_organisation_id)
            and packet.is_open
            and not packet.arrival_id,
            "answer_form": PacketAnswerForm(),
        },
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def packet_answer(request: AuthedRequest, packet_id: int) -> HttpResponse:
    packet = handover.packet_access(request.user, packet_id)

    def answer(data: dict[str, str]) -> Packet:
        if data["answer"] == "receive":
            return handover.receive_packet(packet=packet, user=request.user)
        return handover.decline_packet(packet=packet, user=request.user, reason=data.get("reason", ""))

    done = submit(
        request,
        PacketAnswerForm(request.POST),
        answer,
        lambda p: (
            _("Packet received: the person's record is open to your organisation.")
            if p.status == Packet.Status.RECEIVED
            else _("Packet declined.")
        ),
    )
    if done is not None and done.status == Packet.Status.RECEIVED:
        return redirect("person_detail", person_id=done.person_id)
    return redirect("packet_detail", packet_id=packet.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def packet_cancel(request: AuthedRequest, packet_id: int) -> HttpResponse:
    packet = handover.packet_access(request.user, packet_id)
    return confirm_then(
        request,
        title=_("Cancel this pre-arrival packet?"),
        lines=[
            _("%(org)s will no longer see %(name)s among its expected arrivals.")
            % {"org": packet.to_organisation.name, "name": packet.person.display_name},
            _("To send it again, prepare a new packet."),
        ],
        action=_("Cancel the packet"),
        back=reverse("packet_detail", args=[packet.pk]),
        do=lambda: handover.cancel_packet(packet=packet, user=request.user),
        success=_("Packet cancelled."),
    )
