"""Issue 14: every name key records the name it came from (``form``), and the index covers it, so that
search can ask which names hold its keys before asking which people do. Existing people are re-keyed here
in batches of 2,000 (about 8 minutes per 1,000,000 people on SQLite, see docs/performance.md); the same
rebuild is `crossings people rebuild-keys`, which can be run ahead of the upgrade."""

from django.db import migrations, models


def rebuild_keys(apps, schema_editor):
    from crossings.people.matching import rebuild_all_name_keys

    rebuild_all_name_keys(
        person_model=apps.get_model("people", "Person"),
        name_model=apps.get_model("people", "PersonName"),
        key_model=apps.get_model("people", "PersonNameKey"),
    )


class Migration(migrations.Migration):
    dependencies = [("people", "0009_merge_0008_consent_scope_reminders_0008_us_family")]

    operations = [
        migrations.AddField(
            model_name="personnamekey",
            name="form",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RemoveIndex(model_name="personnamekey", name="people_namekey_key"),
        migrations.AddIndex(
            model_name="personnamekey",
            index=models.Index(fields=["key", "form", "person"], name="people_namekey_key_form"),
        ),
        migrations.RunPython(rebuild_keys, migrations.RunPython.noop),
    ]
