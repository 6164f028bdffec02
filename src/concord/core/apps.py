from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel: base models, request logging, health."""

    name = "concord.core"
    label = "core"
