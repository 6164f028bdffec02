"""Text normalisation shared by matching, search and deconfliction."""

from __future__ import annotations

import unicodedata


def normalise_name(name: str) -> str:
    """Case, accents, punctuation and spacing folded away: 'Dylan  O'Neil' -> 'dylan oneil'."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    kept = "".join(ch if ch.isalnum() or ch.isspace() else "" for ch in folded)
    return " ".join(kept.split())


# How long free text may be, by kind. Every text field takes its limit from here: the model
# (`max_length`, checked before any save by `refuse_overlong_text`), the forms (`maxlength` and a
# message naming the field), the API's request schemas (422 naming the field) and imports (the
# row and column). Lists show a shortened text; the record's page shows all of it.
NAME = 200
"""A name or short title: an OCG, a report's title, a capability, a place."""
LINE = 500
"""One line of explanation: why something was archived, a handling instruction."""
ENTRY = 1_000
"""One entry of a list: a 4P objective or action, its outcome, a reason for a decision."""
SUMMARY = 4_000
"""A summary or description: an OCG's summary, a plan's aim, a scoring rationale, guidance."""
NARRATIVE = 20_000
"""A narrative: an intelligence report's text, a handover note, a message in a thread."""
SHOWN_IN_LISTS = 120
"""Characters of a long text a list shows before it is shortened (`|truncatechars`)."""


def too_long(label: object, limit: int, length: int) -> str:
    """The message for text past its limit, naming the field."""
    from django.utils.text import capfirst
    from django.utils.translation import gettext as _

    return _("%(field)s must be %(limit)s characters or fewer (it has %(length)s).") % {
        "field": capfirst(str(label)),
        "limit": f"{limit:,}",
        "length": f"{length:,}",
    }


def refuse_overlong_text(
    sender: type, instance: object, raw: bool = False, **kwargs: object
) -> None:
    """Before a save: text past its field's limit is refused (a ValidationError naming the
    field), whichever edge it came through, and on SQLite too, which would store it."""
    from django.core.exceptions import ValidationError
    from django.db import models

    if raw or not sender.__module__.startswith("concord."):
        return
    errors: dict[str, list[str]] = {}
    for field in sender._meta.concrete_fields:  # type: ignore[attr-defined]
        if not isinstance(field, models.CharField | models.TextField) or not field.max_length:
            continue
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and len(value) > field.max_length:
            errors[field.name] = [too_long(field.verbose_name, field.max_length, len(value))]
    if errors:
        raise ValidationError(errors)
