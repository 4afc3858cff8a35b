"""Forms fit for a phone and a screen reader (issue 13 item 5): a required field's label is marked, a group of
checkboxes or radio buttons is a fieldset named by its legend, and the duplicate warning sits next to the
name and birth date that raise it, not above the form."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_required_labels_are_marked_and_optional_ones_are_not(caseworker, login):
    page = login(caseworker).get("/people/new/").content.decode()
    assert re.search(r'<label for="id_sex" class="required">', page)
    assert re.search(r'<label for="id_name_km">', page)  # optional: no mark


def test_a_group_of_checkboxes_is_a_fieldset_with_a_legend(caseworker, login, person):
    page = login(caseworker).get(f"/people/{person.pk}/").content.decode()
    consent = page.split(f'action="/people/{person.pk}/consents/', 1)[1].split("</form>", 1)[0]
    fieldset = consent.split('<fieldset class="field">', 1)[1].split("</fieldset>", 1)[0]
    assert "<legend" in fieldset and 'type="checkbox"' in fieldset


def test_the_duplicate_warning_sits_after_the_birth_date(caseworker, login):
    page = login(caseworker).get("/people/new/").content.decode()
    assert page.index('id="id_birth_date"') < page.index('id="duplicates"') < page.index('id="id_a_number"')
