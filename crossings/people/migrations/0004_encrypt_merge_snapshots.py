"""PersonMerge.snapshot held the merged record's A-number and contact as plain JSON (in the database file,
in every dump and backup, untouched by rotate-keys). It becomes one encrypted token, like those fields."""

import crossings.crypto
from django.db import migrations


def encrypt_snapshots(apps, schema_editor):
    PersonMerge = apps.get_model("people", "PersonMerge")
    for merge in PersonMerge.objects.all().iterator():
        merge.snapshot_sealed = merge.snapshot
        merge.save(update_fields=["snapshot_sealed"])


def decrypt_snapshots(apps, schema_editor):
    PersonMerge = apps.get_model("people", "PersonMerge")
    for merge in PersonMerge.objects.all().iterator():
        merge.snapshot = merge.snapshot_sealed
        merge.save(update_fields=["snapshot"])


class Migration(migrations.Migration):
    dependencies = [("people", "0003_referral_chain_and_holder")]

    operations = [
        migrations.AddField(
            model_name="personmerge",
            name="snapshot_sealed",
            field=crossings.crypto.EncryptedJSONField(null=True),
        ),
        migrations.RunPython(encrypt_snapshots, decrypt_snapshots),
        migrations.RemoveField(model_name="personmerge", name="snapshot"),
        migrations.RenameField(model_name="personmerge", old_name="snapshot_sealed", new_name="snapshot"),
        migrations.AlterField(
            model_name="personmerge",
            name="snapshot",
            field=crossings.crypto.EncryptedJSONField(),
        ),
    ]
