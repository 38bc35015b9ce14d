from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "chorus.demo"
    label = "demo"
    verbose_name = "Demo data"
