"""Issue 14, second part: search asks which *names* hold its keys before it asks which people do, so a
slip that spells a common real name still shows the rarer name one letter away; Khmer typed with one slip
finds a person held in Latin letters only; the duplicate check weighs a full date of birth above a year."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossings.people import matching, names, services
from crossings.people.models import Person, PersonNameKey


def shown(user, text, first=5):
    return [m.person.display_name for m in matching.search(Person.objects.visible_to(user), text)[:first]]


@pytest.mark.django_db
def test_a_slip_onto_a_common_name_still_shows_the_name_one_letter_away(register, caseworker):
    """ "Sen Sophea" typed for Seng Sophea: Sen/Sin Sophea is a real name held by many; the first five
    hold at most three of them and then the closest other names."""
    for i in range(8):
        register("Sin", "Sophea", born=dt.date(1970 + i, 3, 3))
    seng = register("Seng", "Sophea", born=dt.date(1995, 1, 1))
    results = matching.search(Person.objects.visible_to(caseworker), "Sen Sophea")
    top = [m.person for m in results[:5]]
    assert seng in top
    assert [p.family_name for p in top[:3]] == ["Sin"] * 3  # the name as typed still comes first
    assert any("one letter apart" in r for m in results if m.person == seng for r in m.reasons)
    # typed right, the name is first and its namesakes are not pushed down by the spreading
    assert shown(caseworker, "Seng Sophea", 1) == ["SENG Sophea"]


@pytest.mark.django_db
def test_without_another_close_name_the_first_five_are_all_namesakes(register, caseworker):
    for i in range(7):
        register("Chea", "Vuthy", born=dt.date(1970 + i, 3, 3))
    register("Long", "Bopha", born=dt.date(1980, 1, 1))
    assert shown(caseworker, "Chea Vuthy") == ["CHEA Vuthy"] * 5


@pytest.mark.django_db
def test_a_rare_name_is_fetched_even_when_a_near_common_name_fills_the_candidate_limit(
    register, caseworker, monkeypatch
):
    """More holders of Keo Dara than the candidate limit: Kim Dara, one slip from "Ki Dara" too, is
    still fetched (a few people of each name), and shown."""
    monkeypatch.setattr(matching, "CANDIDATE_LIMIT", 6)
    monkeypatch.setattr(matching, "PER_NAME", 3)
    for i in range(12):
        register("Keo", "Dara", born=dt.date(1960 + i, 1, 1))
    kim = register("Kim", "Dara", born=dt.date(1981, 8, 23))
    found = matching.search(Person.objects.visible_to(caseworker), "Ki Dara")
    assert kim in [m.person for m in found[:5]]


@pytest.mark.django_db
def test_the_per_name_limit_counts_only_people_the_reader_may_see(register, caseworker, make_org):
    """The few people fetched of each name are the visible ones: holders of that name in another
    organisation do not use up the name's places."""
    other = make_org("Elsewhere")
    for i in range(25):
        register("Kim", "Dara", born=dt.date(1950 + i, 1, 1), org=other)
    mine = register("Kim", "Dara", born=dt.date(1981, 8, 23))
    found = matching.search(Person.objects.visible_to(caseworker), "Ki Dara")
    assert [m.person for m in found] == [mine]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "family", "given_name"),
    [
        ("ជន វុទ្ធី", "Chin", "Vuthy"),  # ជិន with its vowel sign dropped
        ("គីម វណណា", "Kim", "Vanna"),  # វណ្ណា with the coeng forgotten: "vanana" in Latin letters
        ("លឹម សុវណ្ណា", "Lim", "Sovanny"),  # សុវណ្ណី with the wrong last vowel
    ],
)
def test_khmer_typed_with_one_slip_finds_a_record_held_in_latin_letters_only(
    register, caseworker, query, family, given_name
):
    person = register(family, given_name, born=dt.date(1980, 1, 1))
    results = matching.search(Person.objects.visible_to(caseworker), query)
    assert person in [m.person for m in results[:5]]
    hit = next(m for m in results if m.person == person)
    assert hit.score >= matching.ONE_SLIP_SEARCH_SCORE


@pytest.mark.django_db
def test_a_khmer_re_entry_with_one_slip_of_a_latin_only_record_is_flagged(register, caseworker):
    kym = register("Kym", "Vanna", born=dt.date(1975, 7, 25))
    dupes = matching.possible_duplicates(
        Person.objects.visible_to(caseworker), name_km="គីម វណណា", birth_date=dt.date(1975, 7, 25)
    )
    assert [m.person for m in dupes] == [kym]
    assert any("one letter apart" in r for r in dupes[0].reasons)


@pytest.mark.django_db
def test_a_changed_last_khmer_vowel_is_a_slip_unless_someone_is_called_that(register, caseworker):
    """ដារ for ដារា (Dara) spells no registered name: a slip, flagged. សុភាព for សុភា (Sophea) spells
    Sopheap, which is registered: another person."""
    dara = register("Chhim", "Darra", km="ឈឹម ដារា", born=dt.date(1969, 1, 1), precision="estimated")
    visible = Person.objects.visible_to(caseworker)
    dupes = matching.possible_duplicates(
        visible, name_km="ឈឹម ដារ", birth_date=dt.date(1969, 1, 1), birth_date_precision="estimated"
    )
    assert [m.person for m in dupes] == [dara]
    register("Touch", "Sophea", km="ទូច សុភា", born=dt.date(1980, 5, 5))
    register("Touch", "Sopheap", km="ទូច សុភាព", born=dt.date(1971, 2, 2))
    assert not [
        m
        for m in matching.possible_duplicates(visible, name_km="ទូច សុភាព", birth_date=dt.date(1980, 5, 5))
        if m.person.given_name == "Sophea"
    ]


@pytest.mark.django_db
def test_a_slip_inside_a_name_is_not_taken_for_another_name(register, caseworker):
    """Vutny for Vuthy, Darehh for Dareth: the letter slipped is before the last one, so it is a slip,
    not the change of ending that makes another name (Sophea / Sopheap)."""
    register("Hem", "Vuthy", born=dt.date(1963, 12, 11))
    register("Heng", "Dareth", born=dt.date(1997, 11, 8))
    visible = Person.objects.visible_to(caseworker)
    for family, given_name, born in (("Hem", "Vutny", (1963, 12, 11)), ("Heng", "Darehh", (1997, 11, 8))):
        dupes = matching.possible_duplicates(
            visible, family_name=family, given_name=given_name, birth_date=dt.date(*born)
        )
        assert dupes and "one letter apart" in dupes[0].reasons[0], (given_name, dupes)


@pytest.mark.django_db
def test_the_same_full_date_of_birth_ranks_above_the_same_year(register, caseworker):
    """Re-entering Seng Ratana, born 14 July 1963: the record with that very date comes before namesakes
    recorded with the year only, though both are flagged."""
    year_only = [register("Seng", "Ratana", born=dt.date(1963, 1, 1), precision="year") for _ in range(6)]
    same_day = register("Seng", "Ratana", born=dt.date(1963, 7, 14))
    dupes = matching.possible_duplicates(
        Person.objects.visible_to(caseworker),
        family_name="Seng",
        given_name="Ratana",
        birth_date=dt.date(1963, 7, 14),
    )
    assert dupes[0].person == same_day
    assert {m.person for m in dupes[1:]} <= set(year_only) and len(dupes) == 5


@pytest.mark.django_db
def test_search_costs_the_same_statements_however_many_names_and_people(
    register, caseworker, django_assert_max_num_queries
):
    visible = Person.objects.visible_to(caseworker)
    register("Kim", "Dara", born=dt.date(1981, 1, 1))
    with django_assert_max_num_queries(5) as small:  # names, people, other names; one-word fallback
        matching.search(visible, "Ki Dara")
    for i, family in enumerate(["Keo", "Ky", "Kit", "Kin", "Kao", "Khim", "Kong"] * 4):
        register(family, "Dara", born=dt.date(1950 + i, 1, 1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(matching.search(visible, "Ki Dara")) == 20


@pytest.mark.django_db
def test_every_stored_key_names_the_form_it_came_from(register):
    person = register("Chea", "Vuthy", km="ជា វុទ្ធី", born=dt.date(1979, 6, 15))
    services.add_alias(person=person, name="Tony Chea")
    rows = list(PersonNameKey.objects.filter(person=person).values_list("key", "form"))
    expected = names.key_forms("Chea", "Vuthy", "ជា វុទ្ធី", ["Tony Chea"])
    assert dict(rows) == expected
    assert {form for _key, form in rows} >= {names.form_key("jea", "voti"), names.form_key("jea", "toni")}
    assert all(form.startswith("p:") for _key, form in rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    word=st.sampled_from(["ជិន", "វណ្ណា", "សុខា", "ដារា", "ប៊ុនធឿន", "វុទ្ធី", "សុវណ្ណី"]),
    i=st.integers(0, 20),
    op=st.sampled_from(["drop", "wrong", "drop subscript", "drop coeng"]),
    pick=st.integers(0, 20),
)
def test_every_single_khmer_slip_is_undone_by_one_repair(word, i, op, pick):
    """Whatever the slip (a vowel sign dropped or wrong, a subscript dropped, the coeng forgotten), the
    word as it should be is among the repairs of the word as typed (in Latin letters: its skeleton)."""
    vowels = [chr(c) for c in range(0x17B6, 0x17C6)]
    spots = [j for j, ch in enumerate(word) if (ch in vowels if op in ("drop", "wrong") else ch == "\u17d2")]
    if not spots:
        return
    j = spots[i % len(spots)]
    if op == "drop":
        typed = word[:j] + word[j + 1 :]
    elif op == "wrong":
        other = [v for v in vowels if v != word[j]]
        typed = word[:j] + other[pick % len(other)] + word[j + 1 :]
    elif op == "drop subscript":
        typed = word[:j] + word[j + 2 :]
    else:
        typed = word[:j] + word[j + 1 :]
    if names.skeleton(typed) == names.skeleton(word):
        return  # the slip does not change the reading: nothing to repair
    units = names._khmer_units(typed)
    assert names.skeleton(word) in names.khmer_repairs(units)


@pytest.mark.django_db
def test_the_warning_says_how_many_more_look_as_close(register, caseworker, login):
    """Eight namesakes born "1962": the warning lists five and says three more are not listed, in the
    reader's language."""
    for _ in range(8):
        register("Sok", "Sophea", born=dt.date(1962, 1, 1), precision="year")
    found = matching.possible_duplicates(
        Person.objects.visible_to(caseworker),
        family_name="Sok",
        given_name="Sophea",
        birth_date=dt.date(1962, 1, 1),
        birth_date_precision="year",
    )
    assert len(found) == 5 and found.more == 3
    client = login(caseworker)
    data = {"family_name": "Sok", "given_name": "Sophea", "birth_date": "1962-01-01"}
    data["birth_date_precision"] = "year"
    english = client.post("/people/check-duplicates/", data).content.decode()
    assert "3 more people look as close and are not listed" in english
    caseworker.language = "km"
    caseworker.save(update_fields=["language"])
    khmer = login(caseworker).post("/people/check-duplicates/", data).content.decode()
    assert "មាន 3 នាក់ទៀតដែលស្រដៀងដូចគ្នា" in khmer


PRECISIONS = ["exact", "month", "year", "estimated"]


@pytest.mark.django_db
def test_the_birth_dates_fetched_are_every_date_that_could_make_a_duplicate(advocacy):
    """_could_agree narrows the duplicate check's candidates in SQL: it must keep every recorded date whose
    birth_date_score is above 0 (a name alone cannot reach the warning), 1 January and swapped days
    included. Every precision against every precision, for dates on each side of each rule."""
    entered = [dt.date(1977, 12, 21), dt.date(1980, 5, 7), dt.date(1981, 1, 1), dt.date(1990, 3, 3)]
    recorded: list[tuple[dt.date | None, str]] = [(None, "exact")]
    for a in entered:
        for b in {
            a,
            dt.date(a.year, a.day, a.month) if a.day <= 12 else a,
            dt.date(a.year, 1, 1),
            dt.date(a.year, a.month, 28),
            dt.date(a.year, 12 if a.month < 12 else 1, 15),
            dt.date(a.year + 1, 6, 30),
            dt.date(a.year - 1, 2, 2),
            dt.date(a.year + 2, 1, 1),
        }:
            recorded += [(b, pb) for pb in PRECISIONS]
    people = Person.objects.bulk_create(
        [
            Person(organisation=advocacy, family_name="X", birth_date=b, birth_date_precision=pb)
            for b, pb in recorded
        ]
    )
    checked = 0
    for a in entered:
        for pa in PRECISIONS:
            kept = matching._could_agree(a, pa)
            fetched = set(
                Person.objects.filter(kept, pk__in=[p.pk for p in people]).values_list("pk", flat=True)
            )
            for person in people:
                score, _reason = matching.birth_date_score(
                    a, pa, person.birth_date, person.birth_date_precision
                )
                if score > 0:
                    checked += 1
                    assert person.pk in fetched, (
                        a,
                        pa,
                        person.birth_date,
                        person.birth_date_precision,
                        score,
                    )
    assert checked > 100
    assert matching._could_agree(None, "exact") is None  # no date entered: every date scores 0.5


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_keys_their_name_forms(advocacy):
    """People keyed before migration 0010 have no form on their keys: the migration re-keys them all."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = ("people", "0009_merge_0008_consent_scope_reminders_0008_us_family")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    old_person, old_key = old.get_model("people", "Person"), old.get_model("people", "PersonNameKey")
    person = old_person.objects.create(organisation_id=advocacy.pk, family_name="Chea", given_name="Vuthy")
    old_key.objects.create(person_id=person.pk, key="p:jea|voti", kind="p")  # as 0005 left them
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = dict(PersonNameKey.objects.filter(person_id=person.pk).values_list("key", "form"))
    assert rows == names.key_forms("Chea", "Vuthy")
    assert rows["p:jea|voti"] == "p:jea|voti" and "d:jea|vti" in rows


@pytest.mark.django_db
def test_a_khmer_reader_reads_why_two_spellings_match_in_khmer(register, caseworker):
    register("Chhun", "Vuthy", born=dt.date(1981, 6, 14))
    from django.utils import translation

    with translation.override("km"):
        reason = matching.search(Person.objects.visible_to(caseworker), "Chun Vuthi")[0].reasons[0]
    assert "Chun ≈ Chhun (អក្សរ h ក្រោយព្យញ្ជនៈ)" in reason and "Vuthi ≈ Vuthy (y ខាងចុង)" in reason, reason
    assert "aspirate" not in reason and "final y" not in reason
    with translation.override("en"):
        reason = matching.search(Person.objects.visible_to(caseworker), "Chun Vuthi")[0].reasons[0]
    assert "Chun ≈ Chhun (aspirate), Vuthi ≈ Vuthy (final y)" in reason
