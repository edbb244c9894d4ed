from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "zoneops.api"
    label = "api"
