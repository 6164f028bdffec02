from django.apps import AppConfig


class WebConfig(AppConfig):
    """The UI shell: layout, navigation, shared template tags, list and export helpers."""

    name = "concord.web"
    label = "web"
