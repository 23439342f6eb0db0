from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "aisms.apps.catalogue"
    label = "catalogue"
    verbose_name = "Reference catalogue"
