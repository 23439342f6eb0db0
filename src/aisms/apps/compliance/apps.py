from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "aisms.apps.compliance"
    label = "compliance"
    verbose_name = "Compliance, evidence and documented information"
