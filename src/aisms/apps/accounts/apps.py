from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "aisms.apps.accounts"
    label = "accounts"
    verbose_name = "Accounts and access"
