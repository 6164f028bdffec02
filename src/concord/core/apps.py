from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel: base models, request logging, health."""

    name = "concord.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from concord.core import tasks
        from concord.core.text import refuse_overlong_text

        # Text past its limit is refused before any save of a Concord record.
        pre_save.connect(refuse_overlong_text, dispatch_uid="concord-text-limits")
        tasks.connect_signals()
