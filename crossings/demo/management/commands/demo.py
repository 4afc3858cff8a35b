from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from crossings.accounts.models import Membership, Organisation, User
from crossings.accounts.roles import OrgKind, Role
from crossings.people.models import Person

DEMO_PASSWORD = "crossings-demo"  # noqa: S105 - a published demo password, refused in production mode

ORGS = {
    "advocacy": ("Lotus Advocacy Collective (demo)", OrgKind.ADVOCACY, "US"),
    "reception": ("Phnom Penh Reception Centre (demo)", OrgKind.RECEPTION, "KH"),
    "outreach": ("Street Outreach Phnom Penh (demo)", OrgKind.OUTREACH, "KH"),
}

# username, organisation, role, first name, last name
USERS = [
    ("demo-admin", "advocacy", Role.ORG_ADMIN, "Ada", "Admin"),
    ("demo-supervisor", "advocacy", Role.SUPERVISOR, "Sam", "Supervisor"),
    ("demo-caseworker", "advocacy", Role.CASEWORKER, "Casey", "Worker"),
    ("demo-legal", "advocacy", Role.LEGAL_ADVOCATE, "Lee", "Advocate"),
    ("demo-reception", "reception", Role.CASEWORKER, "Rith", "Reception"),
    ("demo-outreach", "outreach", Role.OUTREACH_WORKER, "Oun", "Outreach"),
    ("demo-analyst", "reception", Role.ANALYST, "Ana", "Analyst"),
    ("demo-volunteer", "advocacy", Role.VOLUNTEER, "Vanna", "Volunteer"),
]

# Fictional people: names are common Khmer names, dates and numbers are invented.
PEOPLE = [
    ("advocacy", "Dara", "Sok", "សុខ ដារា", "male", dt.date(1979, 1, 1), "estimated", "A-000-100-001"),
    ("advocacy", "Vuthy", "Chhun", "ឈុន វុទ្ធី", "male", dt.date(1981, 6, 14), "exact", "A-000-100-002"),
    ("advocacy", "Sreymom", "Ouk", "អ៊ុក ស្រីមុំ", "female", dt.date(1983, 3, 1), "month", ""),
    ("reception", "Sophea", "Touch", "ទូច សុភា", "female", dt.date(1980, 1, 1), "year", ""),
    ("reception", "Bopha", "Keo", "កែវ បុប្ផា", "female", dt.date(1985, 9, 30), "exact", "A-000-100-005"),
]


class Command(BaseCommand):
    help = (
        "Load clearly fictional demo data (three organisations, one user per role, a few people) and print "
        "the logins. Safe to run again: existing records are reused, nothing is deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Load without printing the logins")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if settings.MODE == "production":
            raise CommandError("Refusing to load demo data in production mode (CROSSINGS_MODE=production).")
        orgs = {
            key: Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "country": country})[0]
            for key, (name, kind, country) in ORGS.items()
        }
        secrets: dict[str, str] = {}
        for username, org_key, role, first, last in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username,
                    password=DEMO_PASSWORD,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.org",
                    is_staff=role == Role.ORG_ADMIN,
                )
            Membership.objects.get_or_create(
                user=user,
                organisation=orgs[org_key],
                role=role,
                defaults={"is_responder": role in (Role.SUPERVISOR, Role.LEGAL_ADVOCATE)},
            )
            if role in settings.TWO_FACTOR_ROLES:
                device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
                if device is None:
                    device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
                secrets[username] = base64.b32encode(device.bin_key).decode()
        if not Person.objects.exists():  # a second run reuses everything and adds nothing
            self._load_people(orgs)
            self._load_reception(orgs)
            self._load_outreach(orgs)
        from crossings.stats.models import Figure

        if not Figure.objects.exists():
            call_command("stats", "load-reference", verbosity=0)
        if not options["quiet"]:
            self._print_logins(secrets)

    def _load_people(self, orgs: dict[str, Organisation]) -> None:
        """A few people with journeys, a case with an overdue task, a consent and a pending referral."""
        from crossings.cases.models import Case, Task
        from crossings.people import journey, services, sharing

        caseworker = User.objects.get(username="demo-caseworker")
        reception = User.objects.get(username="demo-reception")
        people = {}
        for org_key, given, family, km, sex, born, precision, a_number in PEOPLE:
            user = caseworker if org_key == "advocacy" else reception
            people[given] = services.create_person(
                organisation_id=orgs[org_key].pk,
                user=user,
                data={
                    "given_name": given,
                    "family_name": family,
                    "name_km": km,
                    "sex": sex,
                    "birth_date": born,
                    "birth_date_precision": precision,
                    "a_number": a_number or None,
                    "us_city": "Long Beach",
                },
            )
        today = dt.date.today()
        advocacy = orgs["advocacy"].pk
        vuthy, dara = people["Vuthy"], people["Dara"]
        for kind, date in (
            ("in_proceedings", dt.date(2019, 3, 4)),
            ("final_order", dt.date(2020, 9, 1)),
            ("released_supervision", dt.date(2020, 12, 1)),
            ("check_in", today - dt.timedelta(days=30)),
        ):
            journey.record_event(
                person=vuthy, kind=kind, date=date, user=caseworker, organisation_id=advocacy
            )
        journey.record_event(
            person=dara,
            kind="final_order",
            date=dt.date(2015, 5, 5),
            user=caseworker,
            organisation_id=advocacy,
        )
        case = Case.objects.create(
            organisation=orgs["advocacy"], person=vuthy, programme="legal_defence", owner=caseworker
        )
        Task.objects.create(
            case=case,
            title="Prepare ICE check-in",
            due_on=today - dt.timedelta(days=2),
            assignee=caseworker,
            created_by=caseworker,
        )
        # A check-in next week that the advocates asked volunteers to accompany (docs/accompaniment.md).
        from crossings.accompaniment import services as accompaniment
        from crossings.legal import services as legal

        check_in = legal.record_check_in(
            person=vuthy,
            organisation_id=advocacy,
            date=today + dt.timedelta(days=5),
            office="Los Angeles ICE Field Office, 300 N Los Angeles St",
            outcome="scheduled",
            user=caseworker,
        )
        accompaniment.open_accompaniment(
            user=caseworker,
            check_in=check_in,
            cap=3,
            meets_at=dt.time(7, 45),
            meeting_point="Coffee cart by the federal building's north entrance",
            note="Wear the community T-shirt; ask for Casey.",
            language="en_km",
        )
        # Reminders (docs/reminders.md): the advocates remind by e-mail (the demo's private outbox), in Los
        # Angeles time; Vuthy agreed to be reminded of his check-ins, in English, without saying of what.
        from crossings.reminders import services as reminders
        from crossings.reminders.models import ReminderSettings

        ReminderSettings.objects.create(
            organisation_id=advocacy,
            sender_name="Advocates",
            phone="+1 206 555 0100",
            time_zone="America/Los_Angeles",
        )
        reminders.opt_in(
            person=vuthy, user=caseworker, channel="email", address="vuthy@example.org", language="en"
        )
        sharing.record_consent(
            person=dara,
            user=caseworker,
            scope="share",
            shared_with=orgs["reception"],
            sections=["journey", "contact"],
            given_on=today,
        )
        sharing.refer(
            person=dara,
            to_organisation=orgs["reception"],
            purpose="Removal expected; please meet the flight and help with housing.",
            user=caseworker,
        )
        # A call last night: Sokha's sister says ICE took him at home. Verified, the rapid response is open,
        # and the organisation and the family are raising his bond (docs/calls-and-bonds.md).
        from crossings.bonds import services as bonds
        from crossings.calls import services as calls

        sokha = services.create_person(
            organisation_id=advocacy,
            user=caseworker,
            data={
                "given_name": "Sokha",
                "family_name": "Meas",
                "name_km": "មាស សុខា",
                "sex": "male",
                "birth_date": dt.date(1988, 2, 14),
                "us_city": "Long Beach",
            },
        )
        journey.record_event(
            person=sokha,
            kind="in_proceedings",
            date=dt.date(2024, 6, 3),
            user=caseworker,
            organisation_id=advocacy,
        )
        call = calls.take_call(
            organisation_id=advocacy,
            user=caseworker,
            data={
                "caller_name": "Sreyneang",
                "relationship": "sibling",
                "caller_language": "km",
                "person_name": "Meas Sokha",
                "whereabouts": "Adelanto ICE Processing Center (the ICE locator lists him)",
                "what_happened": "Two officers came to the house at 6 am and took him.",
                "callback_number": "+1 562 555 0142",
            },
        )
        calls.link_person(call=call, person=sokha, user=caseworker)
        response = calls.open_rapid_response(
            call=call,
            user=caseworker,
            verified=True,
            facility="Adelanto ICE Processing Center",
            date=today - dt.timedelta(days=1),
        )
        bond = bonds.post_bond(
            detention=response.detention,
            amount="5000",
            obligor="Sreyneang Meas",
            posted_on=today,
            user=caseworker,
        )
        bonds.add_contribution(
            bond=bond, amount="3000", source="bond_fund", from_whom="Community bond fund", user=caseworker
        )
        bonds.add_contribution(
            bond=bond, amount="2000", source="family", from_whom="Sreyneang Meas", user=caseworker
        )
        # Sreymom's removal flight is known: the advocates sent a pre-arrival packet (docs/handover.md).
        from crossings.reception import handover

        sreymom = people["Sreymom"]
        flight_day = today + dt.timedelta(days=10)
        journey.record_event(
            person=sreymom,
            kind="removal_scheduled",
            date=flight_day,
            user=caseworker,
            organisation_id=advocacy,
        )
        sharing.record_consent(
            person=sreymom,
            user=caseworker,
            scope="share",
            shared_with=orgs["reception"],
            sections=["contact", "health"],
            given_on=today,
        )
        handover.prepare_packet(
            person=sreymom,
            to_organisation=orgs["reception"],
            user=caseworker,
            data={
                "flight": "Demo charter PP-02",
                "expected_on": flight_day,
                "medication": "Blood-pressure tablets (amlodipine 5 mg), carries 14 days",
                "contacts_cambodia": "Aunt in Takhmao, Kandal (phone with the advocates)",
                "us_family": "Two children in Long Beach with their father",
                "documents": ["travel_document", "birth_certificate"],
                "belongings": "One 40-lb bag; winter clothes left with her sister",
            },
        )

    def _load_reception(self, orgs: dict[str, Organisation]) -> None:
        """A flight that landed last week, one person received, one still unaccounted for."""
        from crossings.reception import services as reception
        from crossings.reception.models import Arrival, ArrivalBatch

        officer = User.objects.get(username="demo-reception")
        batch = ArrivalBatch.objects.create(
            organisation=orgs["reception"],
            flight="Demo charter PP-01",
            date=dt.date.today() - dt.timedelta(days=7),
            expected=2,
            created_by=officer,
        )
        for row, person in enumerate(
            Person.objects.filter(organisation=orgs["reception"]).order_by("pk"), start=2
        ):
            arrival = Arrival.objects.create(batch=batch, person=person, row_number=row)
            if row == 2:
                reception.update_checklist(
                    arrival=arrival,
                    user=officer,
                    received=True,
                    released_to="family",
                    housing=True,
                    phone=True,
                )

    def _load_outreach(self, orgs: dict[str, Organisation]) -> None:
        """A drop-in centre, the built-in ODK form, and an ODK password for the demo outreach worker."""
        from crossings.outreach.models import Site
        from crossings.outreach.odk.auth import set_credential
        from crossings.outreach.odk.forms_registry import ensure_builtin_forms

        Site.objects.get_or_create(
            organisation=orgs["outreach"],
            name="Demo drop-in centre",
            defaults={"province": "12", "district": "1202"},  # official codes: Phnom Penh, Daun Penh
        )
        ensure_builtin_forms()
        set_credential(
            user=User.objects.get(username="demo-outreach"),
            organisation=orgs["outreach"],
            password=DEMO_PASSWORD + "-odk",
            by=None,
        )

    def _print_logins(self, secrets: dict[str, str]) -> None:
        w = self.stdout.write
        w("")
        w("Crossings demo — all data here is fictional.")
        w(f"Open http://127.0.0.1:8000/ and log in with one of these (password for all: {DEMO_PASSWORD}):")
        for username, org_key, role, *_rest in USERS:
            line = f"  {username:<17} {role.value:<16} {ORGS[org_key][0]}"
            if username in secrets:
                code = f"crossings demo totp-code {username}"
                line += f"\n      TOTP secret {secrets[username]}  (current code: {code})"
            w(line)
        w("Try: demo-caseworker sees a pending referral to the reception centre; demo-reception accepts it.")
        w("     demo-reception sees OUK Sreymom in Expected arrivals (a pre-arrival packet) and receives it.")
        w("     demo-caseworker: the call line holds last night's call about MEAS Sokha, with his bond.")
        w("     demo-volunteer sees only the check-in open for accompaniment, and signs up for it.")
        odk = f"password {DEMO_PASSWORD}-odk"
        w(f"ODK Collect: server http://<this machine>:8000/openrosa/, user demo-outreach, {odk}")
        w("Public statistics (no login): http://127.0.0.1:8000/stats/")
        w("")
