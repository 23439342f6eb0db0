from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "aisms.apps.people"
    label = "people"
    verbose_name = "People, competence and training"
