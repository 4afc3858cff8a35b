from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "crossings.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from crossings import events
        from crossings.cases import family

        # US family's custody and child-support follow-ups become tasks when the removal is recorded.
        events.occurred.connect(family.on_event, dispatch_uid="cases.family_follow_ups")
