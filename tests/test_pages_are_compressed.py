"""Pages travel compressed to phones on slow connections; a client that cannot read gzip gets plain HTML."""

import gzip

import pytest
from django.test import Client

from crossings.people.models import Person


@pytest.mark.django_db
def test_a_page_is_sent_gzipped_and_much_smaller(advocacy, caseworker, login):
    for n in range(40):
        Person.objects.create(organisation=advocacy, given_name=f"Dara{n}", family_name="Sok")
    client = login(caseworker)
    plain = client.get("/people/")
    packed = client.get("/people/", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content).decode().count("Dara") == plain.content.decode().count("Dara")
    assert len(packed.content) < len(plain.content) / 3


@pytest.mark.django_db
def test_the_api_is_compressed_too():
    response = Client().get("/api/openapi.json", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
