from django.apps import AppConfig


class BondsConfig(AppConfig):
    name = "crossings.bonds"
    label = "bonds"
    verbose_name = "Bonds"
