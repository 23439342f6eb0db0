from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "aisms.apps.controls"
    label = "controls"
    verbose_name = "Statement of Applicability"
