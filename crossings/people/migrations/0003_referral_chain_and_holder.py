
import crossings.crypto
import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

CANCELLED_NOTE = (
    "Ended by the 2026-12 security review: the consent was not recorded by the organisation that holds "
    "the record, or the referring organisation did not hold the record itself."
)


def narrow_existing_referrals(apps, schema_editor):
    """Bring referrals made before the chain rule under it. A consent recorded by an organisation that
    did not hold the record could widen what the holder's own consent granted (the hostile review's first
    finding): such consents are withdrawn and the referrals resting on them ended. Every other referral
    carries its consent's sections, narrowed for an onward referral to what its sender held."""
    Person = apps.get_model("people", "Person")
    Consent = apps.get_model("people", "Consent")
    Referral = apps.get_model("people", "Referral")
    today = timezone.localdate()
    holder = dict(Person.objects.values_list("pk", "organisation_id"))
    for consent in Consent.objects.filter(withdrawn_on__isnull=True).iterator():
        if consent.organisation_id != holder.get(consent.person_id):
            consent.withdrawn_on = today
            consent.save(update_fields=["withdrawn_on"])
    live = ("pending", "accepted")
    for referral in Referral.objects.select_related("consent").order_by("created_at", "pk"):
        sections = list(referral.consent.sections or [])
        valid_consent = referral.consent.organisation_id == holder.get(referral.person_id)
        basis = None
        if valid_consent and referral.from_organisation_id != holder.get(referral.person_id):
            basis = (
                Referral.objects.filter(
                    person_id=referral.person_id,
                    to_organisation_id=referral.from_organisation_id,
                    status="accepted",
                    basis__isnull=True,
                )
                .exclude(pk=referral.pk)
                .order_by("-created_at")
                .first()
            )
            if basis is None:
                valid_consent = False
            else:
                sections = [s for s in sections if s in set(basis.sections or [])]
        referral.sections = sections
        referral.basis = basis
        if not valid_consent and referral.status in live:
            referral.status = "cancelled"
            referral.decline_reason = CANCELLED_NOTE
        referral.save(update_fields=["sections", "basis", "status", "decline_reason"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('people', '0002_alter_person_options_and_more'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalreferral',
            name='basis',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='people.referral', verbose_name='received through'),
        ),
        migrations.AddField(
            model_name='historicalreferral',
            name='sections',
            field=models.JSONField(blank=True, default=list, verbose_name='sections shared'),
        ),
        migrations.AddField(
            model_name='referral',
            name='basis',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='onward', to='people.referral', verbose_name='received through'),
        ),
        migrations.AddField(
            model_name='referral',
            name='sections',
            field=models.JSONField(blank=True, default=list, verbose_name='sections shared'),
        ),
        migrations.AlterField(
            model_name='historicalperson',
            name='organisation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organisation', verbose_name='holding organisation'),
        ),
        migrations.AlterField(
            model_name='person',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='people', to='accounts.organisation', verbose_name='holding organisation'),
        ),
        migrations.RunPython(narrow_existing_referrals, migrations.RunPython.noop),
    ]
