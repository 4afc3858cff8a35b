"""Every person gets a stable global_id (a random UUID). The classic three steps, so that it works on
SQLite and PostgreSQL alike: add the column nullable, give each existing person their own uuid (a column
default would give them all the same one), then make it required and unique. History rows take the id of
the person they are about, so the history reads as if the person always had it."""

import uuid

from django.db import migrations, models


def fill_global_ids(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    HistoricalPerson = apps.get_model("people", "HistoricalPerson")
    batch = []
    for person in Person.objects.filter(global_id__isnull=True).only("pk").iterator(chunk_size=2000):
        person.global_id = uuid.uuid4()
        batch.append(person)
        if len(batch) >= 2000:
            Person.objects.bulk_update(batch, ["global_id"])
            batch = []
    if batch:
        Person.objects.bulk_update(batch, ["global_id"])
    ids = dict(Person.objects.values_list("pk", "global_id"))
    rows = []
    for row in HistoricalPerson.objects.filter(global_id__isnull=True).only("history_id", "id").iterator():
        # a history row of a person deleted since still gets an id of its own
        row.global_id = ids.get(row.id) or uuid.uuid4()
        rows.append(row)
        if len(rows) >= 2000:
            HistoricalPerson.objects.bulk_update(rows, ["global_id"])
            rows = []
    if rows:
        HistoricalPerson.objects.bulk_update(rows, ["global_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_name_key_kind_and_slip_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="global_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="global id"),
        ),
        migrations.AddField(
            model_name="historicalperson",
            name="global_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="global id"),
        ),
        migrations.RunPython(fill_global_ids, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="person",
            name="global_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="global id"),
        ),
        migrations.AlterField(
            model_name="historicalperson",
            name="global_id",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False, verbose_name="global id"),
        ),
        migrations.AddField(
            model_name="personmerge",
            name="merged_global_id",
            field=models.UUIDField(blank=True, db_index=True, editable=False, null=True),
        ),
    ]
