"""Messages, translated when Django is set up and left in English when the engine runs alone."""

from __future__ import annotations


def _(message: str) -> str:
    """gettext where Django's settings are configured (pages, the API, tests), else the message.

    The engine is also run outside Django (the benchmark, a worker): then there is no catalogue
    to read and the English text is the text.
    """
    from django.conf import settings

    if not settings.configured:
        return message
    from django.utils.translation import gettext

    return gettext(message)
