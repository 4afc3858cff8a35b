from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "crossings.exchange"
    label = "exchange"
    verbose_name = "Exchange with OSCaR and Primero"
