"""Search and duplicate detection that understand Khmer names."""

import datetime as dt

import pytest

from crossings.people import matching
from crossings.people.models import Person


def found(user, text):
    return [m.person.display_name for m in matching.search(Person.objects.visible_to(user), text)]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Chun Vuthi", "Vutthy Chhun", "chhun vuthy", "CHHUN, Vuthy", "ឈុន វុទ្ធី"])
def test_search_finds_every_romanisation_order_and_script(register, caseworker, query):
    register("Chhun", "Vuthy", km="ឈុន វុទ្ធី")
    register("Sok", "Dara")
    assert found(caseworker, query)[0] == "CHHUN Vuthy"


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["srey mom ouk", "Ouk Srey Mom", "Uk Sreymom"])
def test_joined_and_split_names_match(register, caseworker, query):
    register("Ouk", "Sreymom")
    assert found(caseworker, query) == ["OUK Sreymom"]


@pytest.mark.django_db
def test_khmer_script_finds_a_latin_only_record(register, caseworker):
    register("Touch", "Sophea")
    assert found(caseworker, "ទូច សុភា")[0] == "TOUCH Sophea"


@pytest.mark.django_db
def test_aliases_are_searched(register, caseworker):
    register("Keo", "Bopha", aliases=["Bopha Johnson"])  # a married name used on US papers
    results = matching.search(Person.objects.visible_to(caseworker), "Johnson Bopha")
    assert results and "other name" in results[0].reasons[0]


@pytest.mark.django_db
def test_each_result_says_why_it_matched(register, caseworker):
    register("Chhun", "Vuthy")
    match = matching.search(Person.objects.visible_to(caseworker), "Chun Vuthi")[0]
    assert match.score >= 0.9
    assert "spelled differently" in match.reasons[0]


@pytest.mark.django_db
def test_results_are_ranked_exact_spelling_first(register, caseworker):
    register("Sok", "Dara")
    register("Sok", "Dary")
    register("Sok", "Darak")
    assert found(caseworker, "Sok Dara")[0] == "SOK Dara"


@pytest.mark.django_db
def test_an_a_number_is_found_exactly(register, caseworker):
    register("Sok", "Dara", a_number="A-012-345-678")
    assert found(caseworker, "A012345678") == ["SOK Dara"]


@pytest.mark.django_db
def test_a_near_miss_name_is_not_a_duplicate(register, caseworker):
    register("Touch", "Sophea", born=dt.date(1980, 5, 5))
    dupes = matching.possible_duplicates(
        Person.objects.visible_to(caseworker),
        family_name="Touch",
        given_name="Sopheap",
        birth_date=dt.date(1980, 5, 5),
    )
    assert dupes == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "other"), [("Sokha", "Sokhom"), ("Vanna", "Vannak"), ("Sophea", "Sopheap")]
)
def test_near_miss_given_names_are_not_duplicates(register, caseworker, given, other):
    register("Meas", given, born=dt.date(1985, 1, 1), precision="year")
    assert not matching.possible_duplicates(
        Person.objects.visible_to(caseworker),
        family_name="Meas",
        given_name=other,
        birth_date=dt.date(1985, 1, 1),
        birth_date_precision="year",
    )


@pytest.mark.django_db
def test_january_first_counts_as_the_year_only(register, caseworker):
    register("Chhun", "Vuthy", born=dt.date(1979, 1, 1), precision="exact")
    dupes = matching.possible_duplicates(
        Person.objects.visible_to(caseworker),
        family_name="Chun",
        given_name="Vuthi",
        birth_date=dt.date(1979, 8, 17),
    )
    assert len(dupes) == 1
    assert any("same year" in r for r in dupes[0].reasons)


@pytest.mark.django_db
def test_a_different_exact_birth_date_lowers_the_score_below_the_warning(register, caseworker):
    register("Chhun", "Vuthy", born=dt.date(1979, 3, 4))
    assert not matching.possible_duplicates(
        Person.objects.visible_to(caseworker),
        family_name="Chhun",
        given_name="Vuthy",
        birth_date=dt.date(1991, 11, 20),
    )


@pytest.mark.django_db
def test_swapped_family_and_given_name_is_a_duplicate(register, caseworker):
    register("Chhun", "Vuthy", born=dt.date(1981, 6, 14))
    dupes = matching.possible_duplicates(
        Person.objects.visible_to(caseworker),
        family_name="Vuthy",
        given_name="Chhun",
        birth_date=dt.date(1981, 6, 14),
    )
    assert len(dupes) == 1 and dupes[0].score > 0.9


@pytest.mark.django_db
def test_the_same_a_number_is_always_a_duplicate(register, caseworker):
    register("Sok", "Dara", a_number="A-012-345-678")
    dupes = matching.possible_duplicates(
        Person.objects.visible_to(caseworker), family_name="Nguyen", given_name="Anh", a_number="012345678"
    )
    assert [m.reasons for m in dupes] == [["same A-number"]]


@pytest.mark.django_db
def test_duplicates_in_another_organisation_are_not_revealed(register, make_user, make_org):
    register("Chhun", "Vuthy", born=dt.date(1981, 6, 14))
    outsider = make_user("caseworker", make_org("Elsewhere"))
    assert not matching.possible_duplicates(
        Person.objects.visible_to(outsider),
        family_name="Chhun",
        given_name="Vuthy",
        birth_date=dt.date(1981, 6, 14),
    )


@pytest.mark.django_db
def test_the_create_form_warns_before_saving_and_saves_when_confirmed(register, caseworker, login):
    register("Chhun", "Vuthy", born=dt.date(1981, 6, 14))
    client = login(caseworker)
    form = {
        "family_name": "Chun",
        "given_name": "Vuthi",
        "sex": "male",
        "birth_date": "1981-06-14",
        "birth_date_precision": "exact",
        "birthplace_kind": "unknown",
        "khmer_ability": "unknown",
    }
    warning = client.post("/people/new/", form)
    assert warning.status_code == 200
    assert "may already be registered" in warning.content.decode()
    assert Person.objects.count() == 1
    partial = client.post("/people/check-duplicates/", form)
    assert "CHHUN Vuthy" in partial.content.decode()
    saved = client.post("/people/new/", {**form, "not_a_duplicate": "on"})
    assert saved.status_code == 302
    assert Person.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("given", "other"), [("Chantha", "Chanthy"), ("Phalla", "Phally")])
def test_vowel_only_near_misses_with_the_same_birth_date_are_not_duplicates(
    register, caseworker, given, other
):
    register("Touch", given, born=dt.date(1984, 4, 4))
    assert not matching.possible_duplicates(
        Person.objects.visible_to(caseworker),
        family_name="Touch",
        given_name=other,
        birth_date=dt.date(1984, 4, 4),
    )


@pytest.mark.django_db
def test_a_year_in_the_query_narrows_namesakes(register, caseworker):
    register("Sok", "Dara", born=dt.date(1979, 5, 5))
    register("Sok", "Dara", born=dt.date(1990, 2, 2))
    results = matching.search(Person.objects.visible_to(caseworker), "Sok Dara 1979")
    assert [m.person.birth_date.year for m in results] == [1979]


@pytest.mark.django_db
def test_the_duplicate_check_finds_the_person_among_many_namesakes(register, caseworker, advocacy):
    from crossings.people.matching import CANDIDATE_LIMIT

    Person.objects.bulk_create(
        [
            Person(
                organisation=advocacy,
                family_name="Sok",
                given_name="Dara",
                birth_date=dt.date(1960 + i % 20, 3, 3),
            )
            for i in range(CANDIDATE_LIMIT + 50)
        ]
    )
    for person in Person.objects.all():
        matching.rebuild_name_keys(person)
    target = register("Sok", "Dara", born=dt.date(1985, 7, 9))
    dupes = matching.possible_duplicates(
        Person.objects.visible_to(caseworker),
        family_name="Sok",
        given_name="Dara",
        birth_date=dt.date(1985, 7, 9),
    )
    assert dupes and dupes[0].person == target
