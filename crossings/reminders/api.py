"""Reminders in the API: the same selectors and services as the pages. A contact's number is never
answered in full (its last three characters only); opting out is ``POST /api/consents/{id}/withdraw``."""

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.api_helpers import Paginated
from crossings.audit.reads import LoggedPages, Reader
from crossings.people import selectors as people_selectors
from crossings.reminders import selectors, services
from crossings.reminders.models import Channel, Contact, Reminder

router = Router(tags=["reminders"])


class ReminderOut(Schema):
    id: int
    person_id: int
    to: str  # "person" or "staff"
    channel: Channel
    kind: Reminder.Kind
    event_on: dt.date
    days_before: int
    status: Reminder.Status
    cancelled_because: str
    attempts: int
    last_error: str
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None

    @staticmethod
    def resolve_to(obj: Reminder) -> str:
        return "staff" if obj.to_staff else "person"


class ContactOut(Schema):
    id: int
    consent_id: int
    channel: Channel
    address_ends: str
    language: str
    detail: str
    given_on: dt.date
    expires_on: dt.date | None
    withdrawn_on: dt.date | None

    @staticmethod
    def resolve_address_ends(obj: Contact) -> str:
        return obj.address[-3:]

    @staticmethod
    def resolve_given_on(obj: Contact) -> dt.date:
        return obj.consent.given_on

    @staticmethod
    def resolve_expires_on(obj: Contact) -> dt.date | None:
        return obj.consent.expires_on

    @staticmethod
    def resolve_withdrawn_on(obj: Contact) -> dt.date | None:
        return obj.consent.withdrawn_on


class PersonRemindersOut(Schema):
    contacts: list[ContactOut]
    reminders: list[ReminderOut]


class OptIn(Schema):
    channel: Channel
    address: str = Field(..., min_length=1, max_length=254)
    language: Contact.Language = Contact.Language.KHMER
    detail: Contact.Detail = Contact.Detail.PLAIN
    given_on: dt.date
    expires_on: dt.date | None = None


@router.get("/reminders", response=list[ReminderOut], summary="The organisation's reminder log")
@requires(Cap.PEOPLE_VIEW)
@paginate(Paginated)
def list_reminders(request: AuthedRequest, status: Reminder.Status | None = None) -> Any:
    rows = selectors.reminders_visible(request.user).order_by("-id")
    if status is not None:
        rows = rows.filter(status=status)
    reader = Reader.of(request)
    return LoggedPages(rows, lambda page, _total: selectors.log_page(reader, page))


@router.post("/reminders/{reminder_id}/resend", response=ReminderOut, summary="Send a reminder again")
@requires(Cap.PEOPLE_EDIT)
def resend(request: AuthedRequest, reminder_id: int) -> Any:
    row = selectors.reminder_for(request.user, reminder_id)
    return services.resend(reminder=row, user=request.user)


@router.get("/people/{person_id}/reminders", response=PersonRemindersOut, summary="A person's reminders")
@requires(Cap.PEOPLE_VIEW)
def person_reminders(request: AuthedRequest, person_id: int) -> Any:
    _access, contacts, rows = selectors.person_reminders(Reader.of(request), person_id)
    return {"contacts": contacts, "reminders": rows}


@router.post(
    "/people/{person_id}/reminders", response={201: ContactOut}, summary="The person agrees to reminders"
)
@requires(Cap.PEOPLE_EDIT)
def opt_in(request: AuthedRequest, person_id: int, payload: OptIn) -> Any:
    access = people_selectors.person_access(request.user, person_id)
    contact = services.opt_in(person=access.person, user=request.user, **payload.dict())
    return Status(201, contact)
