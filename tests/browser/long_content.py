"""Long content for the phone crawl: the demo's rows are short, real ones are not. Names with no place to
break in both scripts, a deadline whose action and citation run on, a long case note with an address in it,
long organisation and site names, and a reintegration score table. Written through the services, as the
pages would write them."""

from __future__ import annotations

import datetime as dt
import uuid

from crossings.accounts.models import Organisation, User

# One word each: a phone can only fit them by breaking inside the word (overflow-wrap).
GIVEN = "Sovannarithypanhachakrapongsopheaktravisethkunthea"
FAMILY = "Chhoeunmeasprumsokhavattey-Vannarithcheasopheap"
KHMER = "សុវណ្ណរិទ្ធិបញ្ញាចក្រពង្សសោភ័ណ្ឌត្រាវិសេដ្ឋគន្ធាឈឿនមាសព្រំសុខាវត្តី"
ADDRESS = (
    "https://www.justice.gov/eoir/reference-materials/ic/chapter-4/"
    "4-15-motions-to-reopen-and-reconsider-filing"
)
ACTION = f"File the motion to reopen with new evidence of changed country conditions in Cambodia ({ADDRESS})"
CITATION = (
    "8 U.S.C. § 1229a(c)(7)(C)(i); 8 C.F.R. § 1003.23(b)(1) and § 1003.2(c)(2); Matter of Chhoeun-Marin-"
    "Sovannarithypanhachakrapongsopheaktra, 28 I&N Dec. 1001 (BIA 2026)"
)
NOTE = (
    "Called the sister at the number on the intake form; she will bring the birth certificate and the "
    f"Cambodian family book on Monday. The court's instructions are at {ADDRESS} "
    "and the A-file request tracking number is FOIA-2026-USCIS-NRC-000123456789012345."
)
ORGS = {
    "Lotus Advocacy Collective (demo)": (
        "Lotus Advocacy Collective for Cambodian American Community Members Facing Deportation (demo)"
    ),
    "Phnom Penh Reception Centre (demo)": (
        "Phnom Penh Returnee Reception, Reintegration and Integration Support Centre (demo)"
    ),
    "Street Outreach Phnom Penh (demo)": "Street Outreach and Harm Reduction Phnom Penh Municipality (demo)",
}


def seed() -> dict[str, list[str]]:
    """Write the long rows after `crossings demo`; return, per organisation kind, the pages that show them."""
    from crossings.cases import services as cases
    from crossings.cases.models import Note
    from crossings.legal import services as legal
    from crossings.legal.models import CourtEvent, Deadline
    from crossings.outreach.models import Site
    from crossings.people import services as people
    from crossings.reception import score
    from crossings.reception import services as reception
    from crossings.reception.models import Arrival, ArrivalBatch

    for short, long in ORGS.items():
        Organisation.objects.filter(name=short).update(name=long)
    Site.objects.filter(name="Demo drop-in centre").update(
        name="Demo drop-in centre beside the Chbar Ampov market, Street 369"
    )
    _encounter_at_a_long_hot_spot()
    caseworker = User.objects.get(username="demo-caseworker")
    officer = User.objects.get(username="demo-reception")
    advocacy = caseworker.memberships.get().organisation_id
    receiving = officer.memberships.get().organisation_id

    def person(organisation_id: int, user: User):
        return people.create_person(
            organisation_id=organisation_id,
            user=user,
            data={
                "given_name": GIVEN,
                "family_name": FAMILY,
                "name_km": KHMER,
                "sex": "male",
                "birth_date": dt.date(1984, 4, 17),
                "us_city": "Rancho Cucamonga-Long Beach-Lakewood",
            },
        )

    advocated = person(advocacy, caseworker)
    proceeding = legal.open_proceeding(
        person=advocated,
        organisation_id=advocacy,
        court="Executive Office for Immigration Review, Adelanto Immigration Court, 10250 Rancho Road",
        opened_on=dt.date(2025, 3, 4),
        user=caseworker,
    )
    legal.record_court_event(
        proceeding=proceeding,
        kind=CourtEvent.Kind.IJ_DECISION,
        outcome="removal_ordered",
        date=dt.date.today() - dt.timedelta(days=20),
        user=caseworker,
    )
    # as long as the columns allow (SQLite would store longer; PostgreSQL refuses)
    assert len(ACTION) <= Deadline._meta.get_field("action").max_length
    assert len(CITATION) <= Deadline._meta.get_field("citation").max_length
    Deadline.objects.filter(person=advocated).update(action=ACTION, citation=CITATION, note=NOTE)
    case = legal.legal_case(person=advocated, organisation_id=advocacy, user=caseworker)
    Note.objects.create(case=case, body=NOTE, author=caseworker)
    cases.add_task(case=case, title=ACTION, due_on=dt.date.today(), created_by=caseworker)

    received = person(receiving, officer)
    batch = ArrivalBatch.objects.get(organisation_id=receiving)
    arrival = Arrival.objects.create(batch=batch, person=received, row_number=9, received=True)
    reception.create_assessment(
        person=received,
        organisation_id=receiving,
        user=officer,
        housing="Temporary room at the reception centre's guesthouse, then with an aunt in Takhmao, Kandal",
        work_skills=NOTE,
    )
    first, *_later = reception.schedule_follow_ups(arrival=arrival, user=officer)
    answers = {key: 2 + i % 3 for i, key in enumerate(score.question_keys())}
    reception.record_follow_up(follow_up=first, answers=answers, submission=uuid.uuid4(), user=officer)
    return {
        "advocacy": [
            f"/people/{advocated.pk}/",
            f"/people/{advocated.pk}/legal/",
            f"/cases/{case.pk}/",
        ],
        "reception": [f"/people/{received.pk}/", f"/people/{received.pk}/reception/"],
        "outreach": ["/outreach/encounters/", "/outreach/supplies/reconciliation/"],
    }


def _encounter_at_a_long_hot_spot() -> None:
    """An outreach encounter this week at the long-named site, under a long hot-spot name: the encounters,
    indicators, stock and reconciliation pages show them."""
    from crossings.outreach import encounters as outreach
    from crossings.outreach.models import Site

    worker = User.objects.get(username="demo-outreach")
    site = Site.objects.get(organisation_id=worker.memberships.get().organisation_id)
    data = outreach.EncounterData(
        uic="DASO0207031985",
        date=dt.date.today(),
        district="Chamkar Mon",
        site_id=site.pk,
        hot_spot="Riverside-under-the-Chroy-Changvar-bridge-behind-the-night-market-stalls",
        needles_syringes=30,
        condoms=5,
    )
    assert data.check() == {}
    outreach.record_encounter(organisation_id=site.organisation_id, worker=worker, data=data)
