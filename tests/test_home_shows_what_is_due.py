"""The home page is built from what is due for the user's role: each line names the person and links to
them, each list of people is logged, the blocks follow the organisation's kind, and the page's query count is
bounded whatever the caseload."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crossings.accounts.models import Organisation
from crossings.accounts.roles import OrgKind, Role
from crossings.audit.models import AccessLog
from crossings.cases import services as cases
from crossings.cases.models import Case
from crossings.legal import services as legal
from crossings.people.models import Person
from crossings.reception import services as reception_services
from crossings.reception.models import Arrival

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def a_person(org: Organisation, n: int) -> Person:
    return Person.objects.create(
        organisation=org,
        given_name=f"Given{n}",
        family_name=f"Family{n}",
        birth_date=dt.date(1980 + n % 20, 5, 1),
    )


def legal_caseload(org: Organisation, user, n: int) -> None:
    for i in range(n):
        person = a_person(org, i)
        case = cases.open_case(
            person=person, organisation_id=org.pk, programme=Case.Programme.LEGAL_DEFENCE, owner=user
        )
        cases.add_task(
            case=case, title=f"Call witness {i}", due_on=TODAY + dt.timedelta(days=i - 2), created_by=user
        )
        legal.mark_detained(
            person=person, organisation_id=org.pk, facility="Tacoma NWDC", date=TODAY, user=user
        )


def test_a_caseworker_sees_tasks_overdue_first_with_the_person_named(advocacy, caseworker, login):
    legal_caseload(advocacy, caseworker, 3)
    page = login(caseworker).get("/").content.decode()
    assert "Your tasks this week" in page
    assert page.index("Call witness 0") < page.index("Call witness 1") < page.index("Call witness 2")
    assert "2 days overdue" in page and "due today" in page
    assert "FAMILY0 Given0" in page and "born 1980" in page
    person = Person.objects.get(given_name="Given0")
    assert f'href="/people/{person.pk}/"' in page
    assert "Detained now" in page and "Tacoma NWDC" in page
    # both lists name people: both are in the access log, under the organisation
    reasons = set(
        AccessLog.objects.filter(user=caseworker, reason="home").values_list("object_type", flat=True)
    )
    assert {"cases.task", "legal.detention"} <= set(reasons)


def test_the_home_page_query_count_does_not_grow_with_the_caseload(advocacy, caseworker, login):
    client = login(caseworker)
    legal_caseload(advocacy, caseworker, 2)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    legal_caseload(advocacy, caseworker, 12)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 40


def test_reception_sees_flights_and_follow_ups_not_the_legal_blocks(make_org, make_user, login):
    org = make_org("Reception (home)", OrgKind.RECEPTION, "KH")
    officer = make_user(Role.CASEWORKER, org, username="officer")
    batch = reception_services.record_flight(
        organisation_id=org.pk, user=officer, flight="CX 731", date=TODAY
    )
    person = a_person(org, 7)
    Arrival.objects.create(batch=batch, person=person)
    page = login(officer).get("/").content.decode()
    assert "Flights to meet" in page and "CX 731" in page and "1 not yet received" in page
    assert "Your deadlines" not in page and "Detained now" not in page


def test_an_outreach_worker_sees_the_week_and_no_case_blocks(make_org, make_user, login):
    org = make_org("Outreach (home)", OrgKind.OUTREACH, "KH")
    worker = make_user(Role.OUTREACH_WORKER, org, username="worker")
    page = login(worker).get("/").content.decode()
    assert "Your outreach this week" in page and "0 encounters" in page
    assert "Your tasks this week" not in page and "Referrals waiting" not in page


def test_the_menu_offers_only_what_the_organisation_kind_uses(
    advocacy, caseworker, make_org, make_user, login
):
    advocate_menu = login(caseworker).get("/").content.decode().split("</nav>")[0]
    assert "/legal/deadlines/" in advocate_menu and "/legal/rapid-response/" in advocate_menu
    assert 'href="/reception/"' not in advocate_menu
    officer = make_user(Role.CASEWORKER, make_org("Reception (menu)", OrgKind.RECEPTION, "KH"))
    reception_menu = login(officer).get("/").content.decode().split("</nav>")[0]
    assert 'href="/reception/"' in reception_menu
    assert "/legal/deadlines/" not in reception_menu and "/legal/rapid-response/" not in reception_menu


def test_the_menu_counts_what_waits(advocacy, reception, caseworker, make_user, login):
    """Badges beside the doors: referrals waiting for the user's organisation, the user's overdue tasks, and
    for a reception organisation the people announced before their flight; none when nothing waits."""
    from django.utils import timezone

    from crossings.cases.models import Task
    from crossings.people import sharing
    from crossings.people.models import Person
    from crossings.reception import handover

    officer = make_user(Role.CASEWORKER, reception, username="badge-officer")
    menu = login(officer).get("/").content.decode().split("</nav>")[0]
    assert "badge-referrals" not in menu and "badge-expected" not in menu
    person = Person.objects.create(organisation=advocacy, family_name="Sok", given_name="Dara")
    today = timezone.localdate()
    sharing.record_consent(
        person=person, user=caseworker, scope="share", shared_with=reception, given_on=today
    )
    handover.prepare_packet(
        person=person,
        to_organisation=reception,
        user=caseworker,
        data={"expected_on": today + dt.timedelta(days=3)},
    )  # sends a referral too
    case = Case.objects.create(
        organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
    )
    Task.objects.create(
        case=case,
        title="late",
        due_on=today - dt.timedelta(days=1),
        assignee=caseworker,
        created_by=caseworker,
    )
    menu = login(officer).get("/").content.decode().split("</nav>")[0]
    assert 'data-testid="badge-referrals">1<' in menu and 'data-testid="badge-expected">1<' in menu
    advocate_menu = login(caseworker).get("/people/").content.decode().split("</nav>")[0]
    assert 'data-testid="badge-overdue">1<' in advocate_menu and "badge-expected" not in advocate_menu


def test_a_supervisor_sees_the_teams_overdue_work_access_log_anomalies_in_constant_queries(
    advocacy, caseworker, supervisor, make_user, login
):
    from crossings.team import UNUSUAL_READS_A_DAY

    legal_caseload(advocacy, caseworker, 3)  # tasks due 2 and 1 days ago are overdue
    client = login(supervisor)
    client.get("/")  # warm the session

    def team_block() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/").content.decode()
        return page, len(ctx.captured_queries)

    page, few = team_block()
    assert 'data-testid="today-team"' in page and "caseworker — " in page and "2 tasks overdue" in page
    assert "Nothing unusual in the access log." in page and "No background job has failed." in page
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user=caseworker,
                organisation=advocacy,
                action="view",
                object_type="people.person",
                object_id="1",
            )
            for _ in range(UNUSUAL_READS_A_DAY + 1)
        ]
        + [
            AccessLog(
                user=caseworker, organisation=advocacy, action="break_glass", object_type="x", object_id="1"
            )
        ]
    )
    legal_caseload(advocacy, caseworker, 6)
    page, many = team_block()
    assert "1 emergency access this week" in page
    assert f"{UNUSUAL_READS_A_DAY + 2} records read in the last 24 hours" in page
    assert many == few  # grouped counts, whatever the caseload
    # a caseworker does not get the team block; their own home is unchanged
    assert 'data-testid="today-team"' not in login(caseworker).get("/").content.decode()


def test_an_analyst_sees_the_latest_figures_and_no_person(make_org, make_user, login):
    org = make_org("Research (home)", OrgKind.RESEARCH, "KH")
    analyst = make_user(Role.ANALYST, org, username="ana")
    page = login(analyst).get("/").content.decode()
    assert 'data-testid="today-figures"' in page and "Make a report" in page
    assert 'data-testid="today-team"' not in page


def test_an_outreach_worker_is_told_of_stock_running_low(make_org, make_user, login):
    from crossings.outreach.models import Site, StockBalance

    org = make_org("Outreach (stock)", OrgKind.OUTREACH, "KH")
    worker = make_user(Role.OUTREACH_WORKER, org, username="stock-worker")
    site = Site.objects.create(organisation=org, name="Drop-in", low_stock_level=50)
    StockBalance.objects.create(organisation=org, site=site, item="needles_syringes", balance=12)
    StockBalance.objects.create(organisation=org, site=site, item="condoms", balance=400)
    block = login(worker).get("/").content.decode()
    low = block.split('data-testid="low-stock"')[1].split("</ul>")[0]
    assert "Drop-in" in low and "12 left (warning at 50)" in low and "400" not in low


def test_an_outreach_worker_sees_the_clients_due_a_follow_up_in_constant_queries(make_org, make_user, login):
    from crossings.outreach.encounters import EncounterData, record_encounter
    from crossings.outreach.models import Referral

    org = make_org("Outreach (due)", OrgKind.OUTREACH, "KH")
    worker = make_user(Role.OUTREACH_WORKER, org, username="due-worker")
    client = login(worker)

    def meet(uic):
        data = EncounterData(uic=uic, date=dt.date.today(), district="1201", province="12")
        data.referral = Referral.OST
        assert not data.check()
        record_encounter(organisation_id=org.pk, worker=worker, data=data, check_collisions=False, warn=False)

    meet("DASO0207031985")
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/").content.decode()
    for uic in ("SRVI0112111990", "KAPH0305051988", "MOCH0109091979"):
        meet(uic)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/").content.decode()

    assert len(many) == len(few)
    due = page.split('data-testid="clients-due"')[1].split("</ul>")[0]
    assert "DASO0207031985" in due and "Referral not yet completed" in due
    assert "4 clients at your sites" in page
