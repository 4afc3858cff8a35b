import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("stats", "0003_publications_in_their_series")]

    operations = [
        migrations.AlterField(
            model_name="publication",
            name="series",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="publications",
                to="stats.series",
                verbose_name="series",
            ),
        ),
    ]
