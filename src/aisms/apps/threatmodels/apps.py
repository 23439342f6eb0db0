from django.apps import AppConfig


class ThreatModelsConfig(AppConfig):
    name = "aisms.apps.threatmodels"
    label = "threatmodels"
    verbose_name = "AI threat modelling"
