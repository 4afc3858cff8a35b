"""Outreach data: anonymous clients (by UIC), encounters, the supplies ledger, and what ODK Collect sends.

Nothing here identifies a person and nothing links to ``people.Person``: a client is a UIC plus
non-identifying attributes (sex, age band, key population, district). Every row belongs to one organisation
and is visible to that organisation's members who hold ``Cap.OUTREACH_USE``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crossings import gazetteer
from crossings.accounts.models import Organisation
from crossings.accounts.roles import Cap
from crossings.accounts.scoping import OrganisationScoped

if TYPE_CHECKING:
    pass


class OrgScoped(OrganisationScoped):
    """Visible to the members of the owning organisation who hold OUTREACH_USE."""

    SCOPE_CAP = Cap.OUTREACH_USE

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    TRANSGENDER = "transgender", _("Transgender")
    UNKNOWN = "unknown", _("Not stated")


class AgeBand(models.TextChoices):
    # The bands of the WHO consolidated strategic-information guidelines (OAMT rows use <25 / 25+).
    UNDER_15 = "0-14", _("Under 15")
    A15_19 = "15-19", _("15-19")
    A20_24 = "20-24", _("20-24")
    A25_49 = "25-49", _("25-49")
    A50_PLUS = "50+", _("50 and over")
    UNKNOWN = "unknown", _("Not known")


class KeyPopulation(models.TextChoices):
    PWID = "pwid", _("Person who injects drugs")
    PWUD = "pwud", _("Person who uses drugs (not injecting)")
    SEX_WORKER = "sw", _("Sex worker")
    MSM = "msm", _("Man who has sex with men")
    TRANSGENDER = "tg", _("Transgender person")
    OTHER = "other", _("Other")


class HivTest(models.TextChoices):
    NOT_DONE = "not_done", _("Not done")
    NON_REACTIVE = "non_reactive", _("Non-reactive")
    REACTIVE = "reactive", _("Reactive")


class Referral(models.TextChoices):
    NONE = "", _("No referral")
    OST = "ost", _("Methadone / OST clinic")
    HIV_TREATMENT = "hiv_treatment", _("HIV treatment")
    TB = "tb", _("TB")
    SHELTER = "shelter", _("Shelter")
    DETOX = "detox", _("Detox")


class Item(models.TextChoices):
    NEEDLES_SYRINGES = "needles_syringes", _("Needles and syringes")
    CONDOMS = "condoms", _("Condoms")
    NALOXONE = "naloxone", _("Naloxone")
    SWABS = "swabs", _("Alcohol swabs")
    HIV_TEST_KITS = "hiv_test_kits", _("HIV test kits")


class Site(OrgScoped):
    """A place stock is kept and encounters happen: a drop-in centre, an office, a named hot spot."""

    class Kind(models.TextChoices):
        DROP_IN = "drop_in", _("Drop-in centre")
        OFFICE = "office", _("Office / stock room")
        HOT_SPOT = "hot_spot", _("Hot spot")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DROP_IN)
    province = models.CharField(_("province"), max_length=60, blank=True)
    district = models.CharField(_("district"), max_length=60, blank=True)
    commune = models.CharField(_("commune"), max_length=60, blank=True)
    low_stock_level = models.PositiveIntegerField(
        _("low-stock level"), default=50, help_text=_("Warn when the balance of an item falls to this.")
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="outreach_site_unique")]
        verbose_name = _("outreach site")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The site's place is read to the official codes, as an encounter's is (crossings.gazetteer), so a
        site typed in the back office counts in the same district as the encounters held there."""
        places = gazetteer.read_places(province=self.province, district=self.district, commune=self.commune)
        self.province, self.district, self.commune = places["province"], places["district"], places["commune"]


class Client(OrgScoped):
    uic = models.CharField(_("UIC"), max_length=32)
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, default=Sex.UNKNOWN)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    key_population = models.CharField(
        _("key population"), max_length=8, choices=KeyPopulation.choices, default=KeyPopulation.OTHER
    )
    district = models.CharField(_("district"), max_length=60, blank=True)
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))
    # What decides whether the client is due a follow-up (crossings.outreach.followup), kept from their
    # encounters by followup.refresh at each recorded encounter, so the list is one indexed read.
    last_site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # db_default: the client upsert (raw SQL, encounters._CLIENT_UPSERT) names only the columns it sets
    last_test = models.CharField(_("last HIV test"), max_length=12, blank=True, db_default="")
    last_test_on = models.DateField(_("last HIV test on"), null=True, blank=True)
    treated_on = models.DateField(_("linked to HIV treatment on"), null=True, blank=True)
    open_referral_on = models.DateField(_("referral open since"), null=True, blank=True)

    class Meta:
        ordering = ["uic"]
        constraints = [models.UniqueConstraint(fields=["organisation", "uic"], name="outreach_client_uic")]
        verbose_name = _("outreach client")

    def __str__(self) -> str:
        return self.uic


class Encounter(OrgScoped):
    class Source(models.TextChoices):
        WEB = "web", _("Web form")
        ODK = "odk", _("ODK Collect")
        API = "api", _("API")

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="encounters")
    date = models.DateField(_("date"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="encounters",
        help_text=_("Where the supplies handed out were drawn from."),
    )
    province = models.CharField(_("province"), max_length=60, blank=True)
    district = models.CharField(_("district"), max_length=60, blank=True)
    commune = models.CharField(_("commune"), max_length=60, blank=True)
    hot_spot = models.CharField(_("hot spot"), max_length=100, blank=True)
    needles_syringes = models.PositiveIntegerField(_("needles and syringes"), default=0)
    condoms = models.PositiveIntegerField(_("condoms"), default=0)
    naloxone = models.PositiveIntegerField(_("naloxone"), default=0)
    swabs = models.PositiveIntegerField(_("alcohol swabs"), default=0)
    hiv_test = models.CharField(
        _("HIV test"), max_length=12, choices=HivTest.choices, default=HivTest.NOT_DONE
    )
    referral = models.CharField(
        _("referral"), max_length=16, choices=Referral.choices, blank=True, default=""
    )
    referral_completed = models.BooleanField(_("referral completed"), default=False)
    # The client as described at this contact. Indicators for a period count clients as they were in
    # that period, so a report made today for last quarter is the same report next year, whatever the
    # client's later contacts say (the Client row holds only the latest description).
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, default=Sex.UNKNOWN)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    key_population = models.CharField(
        _("key population"), max_length=8, choices=KeyPopulation.choices, default=KeyPopulation.OTHER
    )
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.WEB)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["organisation", "date"], name="outreach_enc_org_date"),
            models.Index(fields=["district", "date"], name="outreach_enc_district_date"),
        ]
        verbose_name = _("encounter")

    def __str__(self) -> str:
        return f"{self.client_id} {self.date}"

    def supplies(self) -> dict[str, int]:
        """What this encounter draws from stock, per ledger item."""
        return {
            Item.NEEDLES_SYRINGES: self.needles_syringes,
            Item.CONDOMS: self.condoms,
            Item.NALOXONE: self.naloxone,
            Item.SWABS: self.swabs,
            Item.HIV_TEST_KITS: 0 if self.hiv_test == HivTest.NOT_DONE else 1,
        }


class StockMovement(OrgScoped):
    """One line of the supplies ledger. Quantities are positive; the kind gives the direction."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        DISTRIBUTED = "distributed", _("Distributed")
        ADJUSTMENT_IN = "adjust_in", _("Adjustment (in)")
        ADJUSTMENT_OUT = "adjust_out", _("Adjustment (out: lost, expired, transferred)")

    INBOUND = (Kind.RECEIVED, Kind.ADJUSTMENT_IN)

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="movements")
    item = models.CharField(_("item"), max_length=16, choices=Item.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    date = models.DateField(_("date"))
    encounter = models.ForeignKey(
        Encounter, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["site", "item", "date"], name="outreach_stock_site_item")]
        verbose_name = _("stock movement")

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} {self.item}"


class StockBalance(OrgScoped):
    """The running book balance of one item at one site: the sum of its ledger lines, changed in the same
    transaction as every line written or removed (``services`` is the only writer of either), so a page
    showing stock levels reads a handful of rows instead of adding up years of ledger. The ledger stays
    the record; ``services.ledger_balances`` adds it up, and a test holds the two equal."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    item = models.CharField(_("item"), max_length=16, choices=Item.choices)
    balance = models.IntegerField(_("balance"), default=0)  # may go below zero: see record_encounter

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "item"], name="outreach_stockbalance_unique")]

    def __str__(self) -> str:
        return f"{self.item} {self.balance}"


class StockCount(OrgScoped):
    """A physical count of one item at one site, for reconciliation against the ledger."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="counts")
    item = models.CharField(_("item"), max_length=16, choices=Item.choices)
    date = models.DateField(_("date"))
    counted = models.PositiveIntegerField(_("counted"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.item} {self.counted} on {self.date}"


class XForm(models.Model):
    """A compiled form offered to ODK Collect. ``organisation`` null: a built-in form every outreach
    organisation gets (compiled from crossings/outreach/forms/*.xlsx)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True)
    form_id = models.CharField(max_length=100)
    version = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    xml = models.TextField()
    md5 = models.CharField(max_length=32)
    xlsform = models.BinaryField()
    kind = models.CharField(max_length=20, default="encounter")  # which parser reads its submissions
    encrypted = models.BooleanField(default=False)
    media = models.JSONField(default=list, blank=True)  # file names the form needs (generated per org)
    is_active = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["form_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "form_id", "version"], name="outreach_xform_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.form_id} {self.version}"

    @classmethod
    def for_org_ids(cls, org_ids: frozenset[int] | set[int]) -> models.QuerySet[XForm]:
        return cls.objects.filter(models.Q(organisation__isnull=True) | models.Q(organisation_id__in=org_ids))


class Submission(OrgScoped):
    """What ODK Collect sent, stored before anything is parsed: the XML exactly as received.

    ``instance_id`` is the form's meta/instanceID, or ``sha256:<hex>`` of the bytes when the XML could not
    be read; a resend of the same bytes is therefore recognised either way.
    """

    class Status(models.TextChoices):
        PARSED = "parsed", _("Recorded")
        FAILED = "failed", _("Could not be recorded")
        SUPERSEDED = "superseded", _("Replaced by an edit")
        ENCRYPTED = "encrypted", _("Encrypted, waiting for decryption")

    instance_id = models.CharField(max_length=200)
    deprecated_id = models.CharField(max_length=200, blank=True)
    form_id = models.CharField(max_length=100, blank=True)
    form_version = models.CharField(max_length=40, blank=True)
    xform = models.ForeignKey(XForm, on_delete=models.PROTECT, null=True, blank=True)
    xml = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True)
    encounter = models.ForeignKey(
        Encounter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "instance_id"], name="outreach_submission_instance"
            )
        ]

    def __str__(self) -> str:
        return self.instance_id


class Attachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "name"], name="outreach_attachment_name")
        ]

    def __str__(self) -> str:
        return self.name


class OpenRosaCredential(models.Model):
    """The secret a worker's ODK Collect uses, separate from their web password.

    Digest authentication needs HA1 = md5(username:realm:password) on the server, which an Argon2 hash
    cannot give; so ODK gets its own password, set by a supervisor, stored only as HA1. It is tied to one
    organisation: what that phone sends belongs there. See docs/outreach.md for the trade-off.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="openrosa")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    realm = models.CharField(max_length=100)
    ha1 = models.CharField(max_length=32)
    is_active = models.BooleanField(default=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"OpenRosa credential {self.pk}"
