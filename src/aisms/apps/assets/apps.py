from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "aisms.apps.assets"
    label = "assets"
    verbose_name = "Asset inventory"
