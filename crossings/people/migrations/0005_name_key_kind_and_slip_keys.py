"""Issue 14: name keys get a kind column, and every person gets one-slip keys ("d:", "k:") so that search
and the duplicate check forgive a typing slip. Existing people are re-keyed here, in batches; the same
rebuild is `crossings people rebuild-keys`."""

from django.db import migrations, models


def rebuild_keys(apps, schema_editor):
    # Nothing to do any more: migration 0010 rebuilds every person's keys with today's code (which also
    # writes a column this migration's model does not have yet). Rebuilding here as well would double the
    # time of an upgrade from before 0005.
    pass


def drop_slip_keys(apps, schema_editor):
    apps.get_model("people", "PersonNameKey").objects.filter(kind__in=["d", "k"]).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0004_encrypt_merge_snapshots")]

    operations = [
        migrations.AddField(
            model_name="personnamekey",
            name="kind",
            field=models.CharField(
                choices=[
                    ("p", "skeleton pair"),
                    ("c", "consonant-key pair"),
                    ("s", "one name"),
                    ("d", "one-slip (a letter deleted)"),
                    ("k", "one-slip in Khmer script"),
                ],
                default="p",
                max_length=1,
            ),
        ),
        migrations.RunPython(rebuild_keys, drop_slip_keys),
    ]
