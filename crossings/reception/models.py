from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crossings.accounts.scoping import OrganisationScoped
from crossings.crypto import EncryptedTextField
from crossings.people.models import Consent, private_upload


class ArrivalBatch(OrganisationScoped):
    """The people removed on one flight."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    flight = models.CharField(_("flight"), max_length=50)
    date = models.DateField(_("arrival date"))
    expected = models.PositiveIntegerField(_("number expected"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "flight", "date"], name="batch_once")]
        verbose_name = _("arrival batch")
        verbose_name_plural = _("arrival batches")

    def __str__(self) -> str:
        return f"{self.flight} {self.date}"


class ManifestImport(models.Model):
    class Status(models.TextChoices):
        PREVIEW = "preview", _("checked, not imported")
        IMPORTED = "imported", _("imported")

    batch = models.ForeignKey(ArrivalBatch, on_delete=models.CASCADE, related_name="imports")
    file = models.FileField(upload_to=private_upload)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict)
    # "mdy" / "dmy" when the user chose how 03/04/1980 reads in this file; "" lets the file tell
    # (reception.manifest.date_order).
    date_order = models.CharField(max_length=3, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    report = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("manifest import")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"


class Arrival(models.Model):
    """One person on a batch, with the arrival-day checklist."""

    class ReleasedTo(models.TextChoices):
        NOT_YET = "", _("not yet")
        FAMILY = "family", _("family")
        NGO = "ngo", _("our organisation")
        OTHER = "other", _("someone else")

    batch = models.ForeignKey(ArrivalBatch, on_delete=models.CASCADE, related_name="arrivals")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="arrivals")
    row_number = models.PositiveIntegerField(null=True, blank=True)
    received = models.BooleanField(_("received at the immigration department"), default=False)
    released_to = models.CharField(_("released to"), max_length=10, choices=ReleasedTo.choices, blank=True)
    housing = models.BooleanField(_("temporary housing assigned"), default=False)
    phone = models.BooleanField(_("phone / SIM card"), default=False)
    cash = models.BooleanField(_("cash support"), default=False)
    medical_need = models.CharField(_("first medical need"), max_length=300, blank=True)
    # The optimistic edit check (crossings/conflicts.py): two people ticking the same arrival.
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    CHECKLIST_FIELDS = ("received", "released_to", "housing", "phone", "cash", "medical_need")

    class Meta:
        ordering = ["row_number", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "person"], name="arrival_once_per_batch")]
        verbose_name = _("arrival")

    def __str__(self) -> str:
        return f"arrival #{self.pk}"

    @property
    def accounted_for(self) -> bool:
        return self.received and bool(self.released_to)


class Assessment(OrganisationScoped):
    """Intake and needs assessment. Never edited in place: a re-assessment is a new version, so it can be
    compared with the first."""

    class Level(models.TextChoices):
        NONE = "none", _("none")
        BASIC = "basic", _("basic")
        CONVERSATIONAL = "conversational", _("conversational")
        FLUENT = "fluent", _("fluent")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="assessments")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    taken_on = models.DateField(_("date of assessment"), default=timezone.localdate)
    housing = models.CharField(_("housing"), max_length=300, blank=True)
    # Where the person lives now, as Cambodia's official place codes (crossings.gazetteer): what the
    # exchange with OSCaR / Primero and any count by province needs, and the same codes outreach uses.
    province = models.CharField(_("province of residence"), max_length=2, blank=True)
    district = models.CharField(_("district of residence"), max_length=4, blank=True)
    commune = models.CharField(_("commune of residence"), max_length=6, blank=True)
    has_id_card = models.BooleanField(_("Cambodian ID card"), default=False)
    has_family_book = models.BooleanField(_("family book"), default=False)
    has_birth_certificate = models.BooleanField(_("birth certificate"), default=False)
    khmer_level = models.CharField(
        _("Khmer language level"), max_length=20, choices=Level.choices, default=Level.NONE
    )
    work_skills = models.TextField(_("work skills and history"), blank=True)
    health = models.TextField(_("health"), blank=True)
    mental_health = EncryptedTextField(_("mental health"), blank=True, null=True)
    substance_use = EncryptedTextField(_("substance use"), blank=True, null=True)
    family_cambodia = models.TextField(_("family in Cambodia"), blank=True)
    family_us = models.TextField(_("family in the US"), blank=True)
    safety_risks = models.TextField(_("safety risks"), blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    RESTRICTED = ("mental_health", "substance_use")
    PLACES = ("province", "district", "commune")
    COMPARED = (
        "housing",
        "province",
        "district",
        "commune",
        "has_id_card",
        "has_family_book",
        "has_birth_certificate",
        "khmer_level",
        "work_skills",
        "health",
        "family_cambodia",
        "family_us",
        "safety_risks",
    )

    class Meta:
        ordering = ["person", "version"]
        constraints = [
            models.UniqueConstraint(fields=["person", "organisation", "version"], name="assessment_version")
        ]
        verbose_name = _("needs assessment")

    def __str__(self) -> str:
        return f"assessment v{self.version}"


class Service(models.Model):
    """The service catalogue, configurable per organisation in the back office."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="service_code")]
        verbose_name = _("service")

    def __str__(self) -> str:
        return self.name


DEFAULT_SERVICES = [
    ("housing_stipend", _("housing stipend")),
    ("documents", _("document assistance")),
    ("khmer_class", _("Khmer class")),
    ("vocational_training", _("vocational training")),
    ("job_placement", _("job placement")),
    ("cash", _("cash assistance")),
    ("medical_referral", _("medical referral")),
    ("mental_health_referral", _("mental-health referral")),
    ("addiction_referral", _("addiction treatment referral")),
    ("family_tracing", _("family tracing / contact with US family")),
]


class Goal(OrganisationScoped):
    class Dimension(models.TextChoices):
        ECONOMIC = "economic", _("economic")
        SOCIAL = "social", _("social")
        PSYCHOSOCIAL = "psychosocial", _("psychosocial")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="goals")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("goal"), max_length=200)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    target_on = models.DateField(_("target date"), null=True, blank=True)
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["target_on", "id"]
        verbose_name = _("goal")

    def __str__(self) -> str:
        return self.title


class ServiceDelivery(OrganisationScoped):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="services")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    date = models.DateField(_("date"))
    provider = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provided by a partner"),
        help_text=_("Leave empty when your organisation provided it."),
    )
    cost = models.DecimalField(_("cost (USD)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("service delivered")

    def __str__(self) -> str:
        return f"{self.service_id} {self.date}"


class FollowUp(OrganisationScoped):
    """A scheduled follow-up after arrival, with its reintegration survey once recorded."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="follow_ups")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    arrival = models.ForeignKey(Arrival, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(_("months after arrival"))
    due_on = models.DateField(_("due on"))
    task = models.OneToOneField(
        "cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The client's one-time token of the submission that recorded it: a retried request is recognised.
    submission = models.UUIDField(null=True, blank=True, unique=True)
    answers = models.JSONField(default=dict, blank=True)
    economic = models.FloatField(null=True, blank=True)
    social = models.FloatField(null=True, blank=True)
    psychosocial = models.FloatField(null=True, blank=True)
    overall = models.FloatField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["arrival", "months"], name="follow_up_once")]
        verbose_name = _("follow-up")

    def __str__(self) -> str:
        return f"{self.months}-month follow-up"

    @property
    def is_overdue(self) -> bool:
        return self.recorded_on is None and self.due_on < timezone.localdate()


class Packet(models.Model):
    """A pre-arrival packet: what the US organisation that knows the person tells the reception organisation
    before the flight, with the person's consent to share with it (docs/handover.md).

    It travels with a referral (the person's ``global_id`` with it), so once the reception organisation
    receives it, the record is theirs to see through the usual consent chain. Until then they see only who is
    expected and when, never the legal file. The packet's parts follow the consent: health needs only with
    the "health and medication needs" section, relatives and US family only with "contact details and family".
    A withdrawn or expired consent hides the packet at once (checked on every read, never copied)."""

    class Status(models.TextChoices):
        SENT = "sent", _("waiting for the reception organisation")
        RECEIVED = "received", _("received")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    class Document(models.TextChoices):
        TRAVEL_DOCUMENT = "travel_document", _("travel document")
        ID_CARD = "id_card", _("Cambodian ID card")
        FAMILY_BOOK = "family_book", _("family book")
        BIRTH_CERTIFICATE = "birth_certificate", _("birth certificate")
        US_PAPERS = "us_papers", _("US papers (ID, records)")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="packets")
    from_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reception organisation"),
    )
    referral = models.ForeignKey("people.Referral", on_delete=models.PROTECT, related_name="packets")
    # The consent the packet was sent under, and the sections it carried then (the consent's, narrowed to what
    # the sender itself held): what the packet may show, while that consent stays valid.
    consent = models.ForeignKey("people.Consent", on_delete=models.PROTECT, related_name="packets")
    sections = models.JSONField(default=list, blank=True)
    flight = models.CharField(_("flight"), max_length=50, blank=True)
    expected_on = models.DateField(_("expected arrival date"))
    health_needs = EncryptedTextField(_("health needs"), blank=True, null=True)
    medication = EncryptedTextField(
        _("medication"),
        blank=True,
        null=True,
        help_text=_("Name, dose, and how many days the person carries."),
    )
    contacts_cambodia = EncryptedTextField(_("relatives or contacts in Cambodia"), blank=True, null=True)
    us_family = EncryptedTextField(
        _("US family to keep informed"), blank=True, null=True, help_text=_("Children, spouse, parents.")
    )
    documents = models.JSONField(_("documents the person carries"), default=list, blank=True)
    belongings = EncryptedTextField(
        _("bag and belongings"),
        blank=True,
        null=True,
        help_text=_("The 40-lb bag, and what stayed behind with whom."),
    )
    note = EncryptedTextField(_("note for the reception team"), blank=True, null=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    # Set when a manifest row is matched to this person: the packet is on a flight.
    arrival = models.ForeignKey(Arrival, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    # Which consent section each part needs; the rest (flight, date, documents, bag, note) goes with any
    # consent that names the reception organisation, as identity does.
    PARTS = {
        "health_needs": Consent.Section.HEALTH,
        "medication": Consent.Section.HEALTH,
        "contacts_cambodia": Consent.Section.CONTACT,
        "us_family": Consent.Section.CONTACT,
    }
    CONTENT = (
        "flight",
        "expected_on",
        "health_needs",
        "medication",
        "contacts_cambodia",
        "us_family",
        "documents",
        "belongings",
        "note",
    )

    class Meta:
        ordering = ["expected_on", "id"]
        constraints = [
            # One open packet per person and reception organisation: a second would be a second arrival.
            models.UniqueConstraint(
                fields=["person", "to_organisation"],
                condition=models.Q(status__in=["sent", "received"], arrival__isnull=True),
                name="packet_open_once",
            )
        ]
        verbose_name = _("pre-arrival packet")
        verbose_name_plural = _("pre-arrival packets")

    def __str__(self) -> str:
        return f"packet #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.RECEIVED)
