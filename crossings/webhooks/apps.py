from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "crossings.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from crossings import events
        from crossings.webhooks import checks, delivery  # noqa: F401 - checks registers the deploy check

        # Outbox rows are written in the emitting service's transaction (crossings/events.py).
        events.occurred.connect(delivery.on_event, dispatch_uid="webhooks.queue_deliveries")
