from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zoneops.demo"
    label = "demo"
