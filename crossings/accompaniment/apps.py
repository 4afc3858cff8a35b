from django.apps import AppConfig


class AccompanimentConfig(AppConfig):
    name = "crossings.accompaniment"
    label = "accompaniment"
    verbose_name = "Accompaniment"
