from django.apps import AppConfig


class ContextConfig(AppConfig):
    name = "aisms.apps.context"
    label = "context"
    verbose_name = "Context of the organisation"
