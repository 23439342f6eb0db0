from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "aisms.apps.audits"
    label = "audits"
    verbose_name = "Audits, management review and improvement"
