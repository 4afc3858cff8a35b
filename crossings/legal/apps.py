from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "crossings.legal"
    label = "legal"
    verbose_name = _("Legal track")

    def ready(self) -> None:
        from crossings.legal import checks  # noqa: F401 - registers the deployment checks
