from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data (`crossings demo`). An app of its own, on top of every other, because it writes to all
    of them: kept in accounts it made the bottom layer import the apps built on it."""

    name = "crossings.demo"
    label = "demo"
    verbose_name = _("Demo data")
