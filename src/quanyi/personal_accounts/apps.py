from django.apps import AppConfig


class PersonalAccountsConfig(AppConfig):
    name = "quanyi.personal_accounts"
    label = "personal_accounts"
    verbose_name = "personal accounts"
