from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings

from crossings.accounts.models import Membership, Organisation, User
from crossings.accounts.roles import OrgKind, Role
from crossings.people.models import Person

# Property tests run on shared machines whose speed varies by tens of percent: no per-example time limit
# (Hypothesis's default 200 ms fails a slow first example as "flaky"). In CI the examples are derived from
# each test's name, so a landing depends on the code, not on the run; local runs keep exploring at random.
hypothesis_settings.register_profile("local", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.load_profile(
    "ci" if os.environ.get("CI", "").lower() not in ("", "0", "false") else "local"
)

PASSWORD = "a-long-test-password-2026"
_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _forget_process_caches() -> None:
    """Each test's database rows are rolled back; caches that hold rows must not outlive them."""
    registry = sys.modules.get("crossings.outreach.odk.forms_registry")
    if registry is not None:
        registry.forget_found_forms()


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language() -> Iterator[None]:
    """Django's LocaleMiddleware activates the request's language in the thread and leaves it there; a test
    client asking for Khmer would otherwise make every later test in the same worker Khmer."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_directory(settings: Any, tmp_path: Any) -> None:
    """Uploaded files (manifests, documents) go to the test's own directory, not the project's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_org(db: Any) -> Callable[..., Organisation]:
    def make(name: str | None = None, kind: str = OrgKind.ADVOCACY, country: str = "US") -> Organisation:
        return Organisation.objects.create(name=name or f"Org {next(_counter)}", kind=kind, country=country)

    return make


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(
        role: str | None, org: Organisation | None = None, username: str | None = None, **extra: Any
    ) -> User:
        user = User.objects.create_user(
            username=username or f"user{next(_counter)}", password=PASSWORD, **extra
        )
        if role is not None and org is not None:
            Membership.objects.create(user=user, organisation=org, role=role)
        return user

    return make


def verified_client(user: User) -> Client:
    """A client logged in as ``user`` that has also passed the TOTP check when the role needs one."""
    client = Client()
    client.force_login(user)
    if user.needs_two_factor():
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def login() -> Callable[[User], Client]:
    return verified_client


@pytest.fixture
def advocacy(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org("Advocates (test)", OrgKind.ADVOCACY, "US")


@pytest.fixture
def reception(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org("Reception (test)", OrgKind.RECEPTION, "KH")


@pytest.fixture
def caseworker(make_user: Callable[..., User], advocacy: Organisation) -> User:
    return make_user(Role.CASEWORKER, advocacy, username="caseworker")


@pytest.fixture
def supervisor(make_user: Callable[..., User], advocacy: Organisation) -> User:
    return make_user(Role.SUPERVISOR, advocacy, username="supervisor")


@pytest.fixture
def register(advocacy: Organisation, caseworker: User) -> Callable[..., Person]:
    """Register a person the way the application does (services.create_person: name keys included), in
    ``org`` or the advocacy organisation."""
    from crossings.people import services

    def make(
        family: str = "",
        given: str = "",
        km: str = "",
        born: Any = None,
        precision: str = "exact",
        sex: str = "unknown",
        a_number: str = "",
        aliases: tuple[str, ...] = (),
        org: Organisation | None = None,
    ) -> Person:
        return services.create_person(
            organisation_id=(org or advocacy).pk,
            user=caseworker,
            aliases=list(aliases),
            data={
                "family_name": family,
                "given_name": given,
                "name_km": km,
                "birth_date": born,
                "birth_date_precision": precision,
                "sex": sex,
                "a_number": a_number,
            },
        )

    return make


@pytest.fixture
def person(advocacy: Organisation) -> Person:
    return Person.objects.create(
        organisation=advocacy,
        given_name="Dara",
        family_name="Sok",
        name_km="សុខ ដារា",
        sex="male",
        a_number="A-012-345-678",
    )
