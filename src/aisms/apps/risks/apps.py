from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "aisms.apps.risks"
    label = "risks"
    verbose_name = "Risk assessment and treatment"
