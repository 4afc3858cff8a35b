from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "crossings.calls"
    label = "calls"
    verbose_name = "Call line"
