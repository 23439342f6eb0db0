from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "aisms.apps.web"
    label = "web"
    verbose_name = "Web UI shell"
