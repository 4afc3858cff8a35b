"""Series: a family of publications counting the same thing the same way (issue 15). Publications get a
series; the next migration puts each existing publication in the series of its source."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="Series",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(max_length=60, unique=True, verbose_name="key")),
                ("name", models.CharField(max_length=200, verbose_name="series")),
                ("publisher", models.CharField(blank=True, max_length=200, verbose_name="publisher")),
                ("table", models.CharField(blank=True, max_length=300, verbose_name="table family")),
                (
                    "kind",
                    models.CharField(
                        choices=[("official", "official table"), ("press", "press citing an agency"), ("ngo", "NGO count")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("counting", models.TextField(blank=True, verbose_name="what is counted, and how")),
                ("rank", models.PositiveSmallIntegerField(default=100)),
            ],
            options={"verbose_name": "series", "verbose_name_plural": "series", "ordering": ["rank", "slug"]},
        ),
        migrations.AddField(
            model_name="publication",
            name="series",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="publications",
                to="stats.series",
                verbose_name="series",
            ),
        ),
    ]
