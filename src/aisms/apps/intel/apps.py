from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "aisms.apps.intel"
    label = "intel"
    verbose_name = "Threat intelligence"
