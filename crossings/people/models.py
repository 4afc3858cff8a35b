from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crossings.accounts.roles import Cap
from crossings.accounts.scoping import Scope, ScopedQuerySet
from crossings.crypto import EncryptedCharField, EncryptedJSONField, EncryptedTextField, blind_index
from crossings.people.places import BirthplaceKind, Camp, Province


def private_upload(instance: Any, filename: str) -> str:
    """Uploads get a random name under MEDIA_ROOT (outside any static root); the original name is kept
    in the database only."""
    import uuid

    return f"{instance._meta.app_label}/{instance._meta.model_name}/{uuid.uuid4().hex}"


class PersonQuerySet(ScopedQuerySet):
    def with_a_number(self, value: str) -> PersonQuerySet:
        """Exact A-number match through the keyed hash, under every configured key (rotation-safe)."""
        normalised = Person.normalise_a_number(value)
        if not normalised:
            return self.none()
        return self.filter(a_number_index__in=blind_index(normalised, all_keys=True))

    def active(self) -> PersonQuerySet:
        return self.filter(merged_into__isnull=True)


class Person(models.Model):
    class Sex(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")
        OTHER = "other", _("other")
        UNKNOWN = "unknown", _("unknown")

    class DatePrecision(models.TextChoices):
        EXACT = "exact", _("exact")
        MONTH = "month", _("month")
        YEAR = "year", _("year")
        ESTIMATED = "estimated", _("estimated")

    class KhmerAbility(models.TextChoices):
        UNKNOWN = "unknown", _("not known")
        NONE = "none", _("none")
        BASIC = "basic", _("a few words")
        CONVERSATIONAL = "conversational", _("conversational")
        FLUENT = "fluent", _("fluent")
        READS_WRITES = "reads_writes", _("fluent, reads and writes")

    # The organisation that holds the record: the one that registered it, or the one an accepted transfer
    # handed it to. Only this organisation records or withdraws the person's consents (people/access.py).
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("holding organisation"),
    )
    # The person's identifier outside this database (OSCaR, Primero, OpenFn jobs, webhooks): random, so it
    # says nothing about the person or the organisation, and never changes, so a later system that saw it
    # once recognises the same person. A merge keeps the survivor's (PersonMerge.merged_global_id).
    global_id = models.UUIDField(_("global id"), default=uuid.uuid4, unique=True, editable=False)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    name_km = models.CharField(_("full name in Khmer script"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("precision of the date of birth"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.EXACT,
    )
    birthplace_kind = models.CharField(
        _("place of birth"), max_length=10, choices=BirthplaceKind.choices, default=BirthplaceKind.UNKNOWN
    )
    birthplace_province = models.CharField(
        _("province of birth"), max_length=20, choices=Province.choices, blank=True
    )
    birthplace_camp = models.CharField(_("camp of birth"), max_length=20, choices=Camp.choices, blank=True)
    birthplace_other = models.CharField(_("other place of birth"), max_length=200, blank=True)
    us_arrival_date = models.DateField(_("date of arrival in the US"), null=True, blank=True)
    us_city = models.CharField(_("city in the US"), max_length=100, blank=True)
    languages = models.CharField(
        _("languages"), max_length=200, blank=True, help_text=_("e.g. English, Khmer")
    )
    khmer_ability = models.CharField(
        _("Khmer ability"), max_length=20, choices=KhmerAbility.choices, default=KhmerAbility.UNKNOWN
    )
    a_number = EncryptedCharField(_("A-number"), blank=True, null=True)
    a_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    contact = EncryptedTextField(
        _("contact details"), blank=True, null=True, help_text=_("Phone, address, e-mail")
    )
    photo = models.FileField(_("photo"), upload_to=private_upload, blank=True)
    # Derived from the journey by crossings.people.journey; never edited by hand.
    status = models.CharField(_("status"), max_length=20, default="at_risk", editable=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["a_number_index", "updated_at"])

    objects = PersonQuerySet.as_manager()
    # Not a column: the other names of a search or duplicate-check candidate, loaded in one light query by
    # crossings.people.matching so that ranking builds no model per alias.
    other_names: list[str]

    # What a caseworker types and may change, declared once: the web form, the API's create and change
    # schemas and the services all take their field list from here (tests/test_person_fields_are_one_list.py).
    EDITABLE_FIELDS = (
        "family_name",
        "given_name",
        "name_km",
        "sex",
        "birth_date",
        "birth_date_precision",
        "birthplace_kind",
        "birthplace_province",
        "birthplace_camp",
        "birthplace_other",
        "us_arrival_date",
        "us_city",
        "languages",
        "khmer_ability",
        "a_number",
        "contact",
    )

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.a_number_index = self.a_number_digest(self.a_number)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if not (self.given_name or self.family_name or self.name_km):
            errors["given_name"] = str(_("Give at least one name, in Latin letters or in Khmer script."))
        if self.birth_date and self.birth_date > today:
            errors["birth_date"] = str(_("The date of birth is in the future."))
        if self.birth_date and self.birth_date.year < 1900:
            errors["birth_date"] = str(_("The date of birth is before 1900."))
        if self.us_arrival_date and self.us_arrival_date > today:
            errors["us_arrival_date"] = str(_("The date of arrival in the US is in the future."))
        if self.birth_date and self.us_arrival_date and self.us_arrival_date < self.birth_date:
            errors["us_arrival_date"] = str(_("The date of arrival in the US is before the date of birth."))
        if self.birthplace_kind == BirthplaceKind.PROVINCE and not self.birthplace_province:
            errors["birthplace_province"] = str(_("Choose the province of birth."))
        if self.birthplace_kind == BirthplaceKind.CAMP and not self.birthplace_camp:
            errors["birthplace_camp"] = str(_("Choose the camp of birth."))
        if self.a_number and not (7 <= sum(ch.isdigit() for ch in self.a_number) <= 9):
            errors["a_number"] = str(_("An A-number has 7 to 9 digits, e.g. A-012-345-678."))
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        latin = " ".join(p for p in (self.family_name.upper(), self.given_name) if p)
        return latin or self.name_km or f"#{self.pk}"

    @property
    def birthplace_display(self) -> str:
        if self.birthplace_kind == BirthplaceKind.PROVINCE:
            return str(self.get_birthplace_province_display())
        if self.birthplace_kind == BirthplaceKind.CAMP:
            return str(self.get_birthplace_camp_display())
        if self.birthplace_kind == BirthplaceKind.OTHER:
            return self.birthplace_other
        return ""

    @property
    def birth_year_only(self) -> bool:
        """Many refugees were given 1 January of an estimated year: such a date says only the year."""
        if self.birth_date is None:
            return False
        if self.birth_date_precision in (self.DatePrecision.YEAR, self.DatePrecision.ESTIMATED):
            return True
        return (self.birth_date.month, self.birth_date.day) == (1, 1)

    @classmethod
    def scope_filter(cls, scope: Scope) -> models.Q:
        """Visible to case roles of the holding organisation, and to organisations that accepted a referral
        which is still live: its consent and every consent up the chain of referrals that brought the
        record to the referrer are valid today (Referral.live_q). Merged records are hidden."""
        orgs = scope.orgs_with(Cap.PEOPLE_VIEW)
        shared = Referral.objects.filter(person_id=OuterRef("pk"), to_organisation_id__in=orgs).filter(
            Referral.live_q()
        )
        return (models.Q(organisation_id__in=orgs) | models.Q(Exists(shared))) & models.Q(
            merged_into__isnull=True
        )

    @staticmethod
    def normalise_a_number(value: str) -> str:
        """A-numbers are written A-012-345-678, A12345678, 012 345 678…: compare the nine digits."""
        digits = "".join(ch for ch in value if ch.isdigit())
        return digits.zfill(9) if digits else ""

    @classmethod
    def a_number_digest(cls, value: str | None) -> str:
        normalised = cls.normalise_a_number(value or "")
        return str(blind_index(normalised)) if normalised else ""

    @classmethod
    def recompute_blind_indexes(cls) -> None:
        """After a key rotation: re-derive every keyed hash with the new first key."""
        for person in cls.objects.filter(a_number__isnull=False).only("pk", "a_number").iterator():
            cls.objects.filter(pk=person.pk).update(a_number_index=cls.a_number_digest(person.a_number))


class PersonName(models.Model):
    """Another name or spelling the person is known by (alias, spelling on a US document, nickname)."""

    MAX_PER_PERSON = 20  # more is a data-entry accident or an attack (20,000 aliases held a worker 600 s)
    MAX_LENGTH = 200

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=MAX_LENGTH)
    note = models.CharField(_("where it is used"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("other name")
        verbose_name_plural = _("other names")

    def __str__(self) -> str:
        return self.name


class PersonNameKey(models.Model):
    """Search keys derived from every name form of a person (crossings.people.names.index_keys).
    Rebuilt whenever a name changes; a plain indexed column so lookups are fast on SQLite and PostgreSQL."""

    class Kind(models.TextChoices):
        PAIR = "p", "skeleton pair"
        CONSONANTS = "c", "consonant-key pair"
        SINGLE = "s", "one name"
        SLIP = "d", "one-slip (a letter deleted)"
        KHMER_SLIP = "k", "one-slip in Khmer script"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    # The key's first letter, as a column: what each kind costs in rows, and a rebuild can tell old rows.
    kind = models.CharField(max_length=1, choices=Kind.choices, default=Kind.PAIR)
    # The name the key came from ("p:" key of its skeleton pair, names.form_key). Search first asks which
    # names hold its keys (one index-only scan), then fetches a few people of each: a common name one slip
    # away cannot crowd the person of a rarer name out of the candidates.
    form = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["key", "form", "person"], name="people_namekey_key_form")]

    def __str__(self) -> str:
        return self.key


class FamilyMember(models.Model):
    class Location(models.TextChoices):
        US = "us", _("in the US")
        CAMBODIA = "cambodia", _("in Cambodia")
        ELSEWHERE = "elsewhere", _("elsewhere")

    class Citizen(models.TextChoices):
        UNKNOWN = "", _("not known")
        YES = "yes", _("yes")
        NO = "no", _("no")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="family")
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=100)
    location = models.CharField(_("where"), max_length=10, choices=Location.choices)
    contact = EncryptedTextField(_("contact details"), blank=True, null=True)
    # US family left behind by a removal (docs/people.md, "US family"): a US-citizen child stays, and who
    # has custody and who pays or receives child support must be settled before and after the flight.
    us_citizen = models.CharField(_("US citizen"), max_length=3, choices=Citizen.choices, blank=True)
    minor = models.BooleanField(_("under 18"), default=False)
    custody_follow_up = models.BooleanField(_("custody to settle after removal"), default=False)
    child_support_follow_up = models.BooleanField(
        _("child support to follow up after removal"), default=False
    )
    history = HistoricalRecords()

    # What the web form and the API edit: one list (tests/test_person_fields_are_one_list.py).
    FIELDS = (
        "name",
        "relationship",
        "location",
        "contact",
        "us_citizen",
        "minor",
        "custody_follow_up",
        "child_support_follow_up",
    )

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.custody_follow_up and not self.minor:
            errors["custody_follow_up"] = str(_("Custody is settled for a child under 18."))
        if (self.custody_follow_up or self.child_support_follow_up) and self.location != self.Location.US:
            field = "custody_follow_up" if self.custody_follow_up else "child_support_follow_up"
            errors[field] = str(_("Custody and child-support follow-ups are for family in the US."))
        if errors:
            raise ValidationError(errors)


class JourneyEvent(models.Model):
    class Kind(models.TextChoices):
        IN_PROCEEDINGS = "in_proceedings", _("in removal proceedings")
        FINAL_ORDER = "final_order", _("final order of removal")
        DETAINED = "detained", _("detained")
        RELEASED_SUPERVISION = "released_supervision", _("released on an order of supervision")
        CHECK_IN = "check_in", _("ICE check-in")
        TRAVEL_DOC_REQUESTED = "travel_doc_requested", _("travel document requested")
        TRAVEL_DOC_ISSUED = "travel_doc_issued", _("travel document issued")
        REMOVAL_SCHEDULED = "removal_scheduled", _("removal scheduled")
        REMOVED = "removed", _("removed")
        ARRIVED = "arrived", _("arrived in Cambodia")
        REINTEGRATING = "reintegrating", _("reintegration started")
        REINTEGRATED = "reintegrated", _("reintegrated")
        RELIEF_GRANTED = "relief_granted", _("relief granted")
        NATURALISED = "naturalised", _("naturalised")
        DIED = "died", _("died")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices)
    date = models.DateField(_("date"))
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("Detention facility, court, ICE office, city…")
    )
    flight = models.CharField(_("flight"), max_length=50, blank=True)
    in_custody = models.BooleanField(_("in ICE custody"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("journey event")
        verbose_name_plural = _("journey events")

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class Consent(models.Model):
    class Scope(models.TextChoices):
        SERVICES = "services", _("to receive services")
        SHARE = "share", _("to share the record with a named organisation")
        PHOTOS = "photos", _("to take and keep photos")
        # The organisation's own record sent on to its linked case-management system (OSCaR, Primero,
        # through the exchange feed, docs/exchange.md): a disclosure beyond the organisation, so asked for.
        EXCHANGE = "exchange", _("to send the record to the organisation's linked case-management system")
        # Short reminders of appointments sent to the person by SMS, Telegram or e-mail (docs/reminders.md):
        # the channel and the number are kept beside the consent, in the reminders app, encrypted.
        REMINDERS = "reminders", _("to receive reminders of appointments")

    class Section(models.TextChoices):
        """What a sharing consent lets the other organisation see. Identity is always included."""

        IDENTIFIERS = "identifiers", _("A-number")
        CONTACT = "contact", _("contact details and family")
        JOURNEY = "journey", _("journey (proceedings, detention, removal, arrival)")
        PHOTO = "photo", _("photo")
        # Only a pre-arrival packet carries it (reception.handover): medicines must not run out on the flight.
        HEALTH = "health", _("health and medication needs")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by organisation"),
    )
    scope = models.CharField(_("consent to"), max_length=10, choices=Scope.choices)
    shared_with = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("share with"),
    )
    sections = models.JSONField(_("what may be shared"), default=list, blank=True)
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    form = models.FileField(_("signed form (scan)"), upload_to=private_upload, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.scope} {self.given_on}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.scope == self.Scope.SHARE and not self.shared_with_id:
            errors["shared_with"] = str(_("Name the organisation the person agrees to share with."))
        if self.scope != self.Scope.SHARE and self.shared_with_id:
            errors["shared_with"] = str(_("Only a sharing consent names an organisation."))
        if (
            self.scope == self.Scope.SHARE
            and self.shared_with_id
            and self.shared_with_id == self.organisation_id
        ):
            errors["shared_with"] = str(_("A sharing consent names another organisation than your own."))
        if self.given_on and self.given_on > timezone.localdate():
            errors["given_on"] = str(_("Consent cannot be given in the future."))
        if self.expires_on and self.given_on and self.expires_on <= self.given_on:
            errors["expires_on"] = str(_("The expiry date must be after the date the consent was given."))
        unknown = set(self.sections or []) - set(self.Section.values)
        if unknown:
            errors["sections"] = str(
                _("Unknown sections: %(names)s.") % {"names": ", ".join(sorted(unknown))}
            )
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day: dt.date) -> bool:
        return (
            self.given_on <= day
            and (self.withdrawn_on is None or self.withdrawn_on > day)
            and (self.expires_on is None or self.expires_on >= day)
        )

    @staticmethod
    def valid_q(prefix: str = "", day: dt.date | None = None) -> models.Q:
        day = day or timezone.localdate()
        return (
            models.Q(**{f"{prefix}given_on__lte": day})
            & (
                models.Q(**{f"{prefix}withdrawn_on__isnull": True})
                | models.Q(**{f"{prefix}withdrawn_on__gt": day})
            )
            & (
                models.Q(**{f"{prefix}expires_on__isnull": True})
                | models.Q(**{f"{prefix}expires_on__gte": day})
            )
        )


class Referral(models.Model):
    class Kind(models.TextChoices):
        REFERRAL = "referral", _("referral (ask them to serve the person too)")
        TRANSFER = "transfer", _("transfer (hand the case over)")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="referrals")
    from_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("refer to")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REFERRAL)
    purpose = models.TextField(_("purpose"))
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    # What the referral carries, fixed when it is sent: the sections of the consent naming the receiver,
    # narrowed to those the referring organisation itself holds. The receiver sees no more than this.
    sections = models.JSONField(_("sections shared"), default=list, blank=True)
    # For an onward referral (sent by an organisation that received the record itself), the referral that
    # brought it the record: if that one stops being live, so does this one (Referral.live_q).
    basis = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onward",
        verbose_name=_("received through"),
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    # How many times a record may be passed on from its holder (holder → B → C → D). A longer chain is
    # refused: the holding organisation should refer directly, with a consent naming the receiver.
    MAX_HOPS = 3

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"referral #{self.pk} → {self.to_organisation_id} ({self.status})"

    @classmethod
    def scope_filter(cls, scope: Scope) -> models.Q:
        orgs = scope.orgs_with(Cap.PEOPLE_VIEW)
        return models.Q(from_organisation_id__in=orgs) | models.Q(to_organisation_id__in=orgs)

    @classmethod
    def live_q(cls, prefix: str = "", day: dt.date | None = None, hops: int | None = None) -> models.Q:
        """A referral that gives access today: accepted, its consent valid, and, for an onward referral,
        the referral it was based on live too, all the way back to the holding organisation. Unrolled to
        MAX_HOPS levels so that it is one SQL condition on either database."""
        hops = cls.MAX_HOPS if hops is None else hops
        here = models.Q(**{f"{prefix}status": cls.Status.ACCEPTED}) & Consent.valid_q(
            prefix=f"{prefix}consent__", day=day
        )
        from_holder = models.Q(**{f"{prefix}basis__isnull": True})
        if hops <= 1:
            return here & from_holder
        return here & (from_holder | cls.live_q(f"{prefix}basis__", day, hops - 1))

    @property
    def hops(self) -> int:
        """1 for a referral sent by the holding organisation, 2 for one passed on by its receiver, …"""
        count, seen = 1, self.basis
        while seen is not None:
            count, seen = count + 1, seen.basis
        return count


class PersonMerge(models.Model):
    """A record of two person records merged into one, with a snapshot of the one that disappeared."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # The duplicate as it was (A-number and contact included): encrypted like the fields it copies.
    snapshot = EncryptedJSONField()
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The global_id the absorbed record had: another system that knew the person by it can be told which
    # record it now is (the survivor keeps its own).
    merged_global_id = models.UUIDField(null=True, blank=True, editable=False, db_index=True)
    merged_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("merge of person records")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
