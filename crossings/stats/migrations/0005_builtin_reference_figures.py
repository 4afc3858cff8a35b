"""Load the built-in reference figures on every install (issue 15): the DHS Yearbook series FY1993–2008
(two editions) and FY2016, the ICE ERO annual reports FY2014–2024, press and NGO figures, each with its
publication and address. Idempotent: a database that already holds them (``load-reference``) is unchanged.
Reversing removes nothing: figures are publications, not schema."""

from django.db import migrations


def forwards(apps, schema_editor):
    from crossings.stats.reference import load_reference

    load_reference(
        model_classes=(
            apps.get_model("stats", "Series"),
            apps.get_model("stats", "Publication"),
            apps.get_model("stats", "Figure"),
        )
    )


class Migration(migrations.Migration):
    dependencies = [("stats", "0004_publication_series_required")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
