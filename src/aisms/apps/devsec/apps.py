from django.apps import AppConfig


class DevsecConfig(AppConfig):
    name = "aisms.apps.devsec"
    label = "devsec"
    verbose_name = "Secure coding"
