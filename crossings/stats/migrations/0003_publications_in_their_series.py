"""Existing publications -> the series of their source: ICE by name, the DHS Yearbook by its layout or
title, press and NGO by kind, anything else official -> "other official tables". Nothing is deleted; a
figure that was silently replaced by another series' figure is shown again, in its own series."""

from django.db import migrations

from crossings.stats import series as series_defs


def forwards(apps, schema_editor):
    Series = apps.get_model("stats", "Series")
    Publication = apps.get_model("stats", "Publication")
    rows = {}
    for slug, known in series_defs.BUILT_IN.items():
        rows[slug], _ = Series.objects.get_or_create(slug=slug, defaults=known.fields())
    for pub in Publication.objects.filter(series__isnull=True):
        slug = series_defs.infer(kind=pub.kind, publisher=pub.publisher, title=pub.title, layout=pub.layout)
        pub.series = rows[slug]
        pub.save(update_fields=["series"])


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_series")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
