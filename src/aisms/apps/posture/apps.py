from django.apps import AppConfig


class PostureConfig(AppConfig):
    name = "aisms.apps.posture"
    label = "posture"
    verbose_name = "Adaptive posture (intelligence correlated with assets and risks)"
    default_auto_field = "django.db.models.BigAutoField"
