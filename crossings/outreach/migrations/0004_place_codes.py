"""Places typed before the pick lists become the official codes (crossings.gazetteer), so that
"មានជ័យ" and "Mean Chey" count as one district. A value the list does not know is kept as it was typed
(and shown as typed) rather than guessed; the pick lists and the checks stop new ones. Rows are updated
per distinct place, not per row: a million encounters hold a few hundred places."""

from django.db import migrations

from crossings import gazetteer
from crossings.errors import Refused


def _codes(province: str, district: str, commune: str) -> tuple[str, str, str] | None:
    try:
        codes = gazetteer.read_places(province=province, district=district, commune=commune)
    except Refused:
        # keep what can be read on its own: the province, or the district without a commune
        try:
            codes = gazetteer.read_places(province=province, district=district)
            codes["commune"] = commune
        except Refused:
            return None
    return codes["province"], codes["district"], codes["commune"]


def forwards(apps, schema_editor):
    for model_name in ("Site", "Encounter"):
        model = apps.get_model("outreach", model_name)
        for province, district, commune in (
            model.objects.values_list("province", "district", "commune").distinct().order_by()
        ):
            codes = _codes(province, district, commune)
            if codes is not None and codes != (province, district, commune):
                model.objects.filter(province=province, district=district, commune=commune).update(
                    province=codes[0], district=codes[1], commune=codes[2]
                )
    client = apps.get_model("outreach", "Client")
    for (district,) in client.objects.values_list("district").distinct().order_by():
        codes = _codes("", district, "")
        if codes is not None and codes[1] != district:
            client.objects.filter(district=district).update(district=codes[1])


class Migration(migrations.Migration):
    dependencies = [("outreach", "0003_encounter_description")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
