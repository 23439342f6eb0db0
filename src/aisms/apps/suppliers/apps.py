from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "aisms.apps.suppliers"
    label = "suppliers"
    verbose_name = "Supplier relationships"
