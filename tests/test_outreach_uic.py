"""The UIC: same facts give the same code in Khmer or Latin script; bad facts get a specific message;
different facts rarely collide; a code one keying slip away is flagged."""

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.outreach import uic
from crossings.people.names import transliterate_khmer

DOB = dt.date(1985, 3, 7)
TODAY = dt.date(2026, 4, 1)


def code(mother: str, father: str, order: int | None = 2, dob: dt.date = DOB) -> str:
    return uic.build_uic(
        mother_name=mother, father_name=father, birth_order=order, birth_date=dob, today=TODAY
    )


def test_it_builds_the_default_scheme() -> None:
    assert code("Dara", "Sok") == "DASO0207031985"


def test_unknown_birth_order_is_99() -> None:
    assert code("Dara", "Sok", None)[4:6] == "99"


@pytest.mark.parametrize(
    ("latin", "khmer"),
    [
        ("Dara", "ដារា"),
        ("Chhun", "ឈុន"),
        ("Chun", "ឈុន"),
        ("Sophea", "សុភា"),
        ("Kim", "គីម"),
        ("Sok", "សុខ"),
        ("Mao", "ម៉ៅ"),
        ("Srey Mom", "ស្រីមុំ"),
        ("Phalla", "ផល្លា"),
        ("Ly", "លី"),
    ],
)
def test_khmer_and_latin_spellings_give_the_same_code(latin: str, khmer: str) -> None:
    assert code(latin, "Sok") == code(khmer, "សុខ")
    assert code("Sok", latin) == code("សុខ", khmer)


def test_a_one_letter_name_is_padded() -> None:
    assert code("Y", "Sok").startswith("IX")


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"mother_name": ""}, "mother_name", "mother"),
        ({"father_name": "  "}, "father_name", "father"),
        ({"mother_name": "123"}, "mother_name", "no letters"),
        ({"birth_order": 0}, "birth_order", "1 to 98"),
        ({"birth_order": 100}, "birth_order", "1 to 98"),
        ({"birth_date": None}, "birth_date", "date of birth"),
        ({"birth_date": dt.date(2030, 1, 1)}, "birth_date", "future"),
        ({"birth_date": dt.date(1890, 1, 1)}, "birth_date", "1900"),
    ],
)
def test_each_bad_fact_gets_its_own_message(kwargs: dict, field: str, words: str) -> None:
    facts = {"mother_name": "Dara", "father_name": "Sok", "birth_order": 2, "birth_date": DOB} | kwargs
    with pytest.raises(uic.UICError) as err:
        uic.build_uic(**facts, today=TODAY)
    assert list(err.value.errors) == [field]
    assert words in err.value.errors[field]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("DASO02070319", "14 characters"),
        ("DA5O0207031985", "letters"),
        ("DASO02O7031985", "only digits"),
        ("DASO0007031985", "Birth order 00"),
        ("DASO0231021985", "not a real date"),
        ("DASO0207032099", "not possible"),
    ],
)
def test_a_typed_code_is_validated_with_a_reason(raw: str, words: str) -> None:
    with pytest.raises(uic.UICError) as err:
        uic.validate_uic(raw, today=TODAY)
    assert words in err.value.errors["uic"]


def test_a_typed_code_is_normalised() -> None:
    assert uic.validate_uic(" daso-02-07031985 ", today=TODAY) == "DASO0207031985"


def test_neighbours_are_one_slip_away() -> None:
    near = uic.neighbours("DASO0207031985")
    assert "DASO0207031986" in near  # one digit
    assert "DBSO0207031985" in near  # one letter
    assert "ADSO0207031985" in near  # two swapped
    assert "DASO0207031985" not in near
    assert all(sum(a != b for a, b in zip(n, "DASO0207031985", strict=True)) <= 2 for n in near)


# --- properties --------------------------------------------------------------------------------------------
_KHMER_CONSONANTS = "កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវសហឡអ"
_KHMER_VOWELS = ["", "ា", "ិ", "ី", "ុ", "ូ", "េ", "ែ", "ោ", "ៅ", "ួ"]
khmer_syllable = st.builds(
    lambda c, v: c + v, st.sampled_from(_KHMER_CONSONANTS), st.sampled_from(_KHMER_VOWELS)
)
khmer_name = st.lists(khmer_syllable, min_size=1, max_size=3).map("".join)
dates = st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2010, 12, 31))
orders = st.one_of(st.none(), st.integers(min_value=1, max_value=98))


@given(mother=khmer_name, father=khmer_name, order=orders, dob=dates)
@settings(max_examples=300, deadline=None)
def test_same_facts_same_code_in_either_script(
    mother: str, father: str, order: int | None, dob: dt.date
) -> None:
    """A name typed in Khmer and the same name typed in its popular Latin spelling give one code."""
    in_khmer = code(mother, father, order, dob)
    in_latin = code(transliterate_khmer(mother).title(), transliterate_khmer(father).upper(), order, dob)
    assert in_khmer == in_latin
    assert uic.validate_uic(in_khmer, today=TODAY) == in_khmer


@given(mother=khmer_name, father=khmer_name, order=orders, dob=dates, other_dob=dates)
@settings(max_examples=200, deadline=None)
def test_different_birth_dates_never_collide(
    mother: str, father: str, order: int | None, dob: dt.date, other_dob: dt.date
) -> None:
    if dob != other_dob:
        assert code(mother, father, order, dob) != code(mother, father, order, other_dob)


def test_different_people_rarely_collide() -> None:
    """10,000 clients with realistic facts (common names, births over 40 years): under 0.5% share a code."""
    rng = random.Random(2026)
    names = [
        "Dara",
        "Sok",
        "Sophea",
        "Chantha",
        "Vuthy",
        "Srey Mom",
        "Kim",
        "Mao",
        "Phalla",
        "Ly",
        "Bopha",
        "Rith",
        "Sokha",
        "Vanna",
        "Thida",
        "Piseth",
        "Chenda",
        "Sreyneang",
        "Kosal",
        "Makara",
    ]
    facts = set()
    for _ in range(10_000):
        facts.add(
            (
                rng.choice(names),
                rng.choice(names),
                rng.choice([1, 2, 3, 4, 5, None]),
                dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365)),
            )
        )
    codes = {code(m, f, o, d) for m, f, o, d in facts}
    assert (len(facts) - len(codes)) / len(facts) < 0.005
