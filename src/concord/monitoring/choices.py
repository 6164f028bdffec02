"""Vocabulary of counter-corruption monitoring."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    BULK_VIEWING = "bulk_viewing", _("Bulk viewing")
    ASSOCIATION_SEARCH = "association_search", _("Search for a declared association or oneself")
    OUT_OF_PATTERN = "out_of_pattern", _("Access outside the usual working pattern")
    PROBING = "probing", _("Repeated requests for records not found")
    EXPIRED_VETTING = "expired_vetting", _("Access attempt after vetting expired")
    DECONFLICTION_FISHING = (
        "deconfliction_fishing",
        _("Bulk or repeated deconfliction checks outside one's work"),
    )


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REVIEWED = "reviewed", _("Reviewed: no further action")
    REFERRED = "referred", _("Referred for investigation")


class Relationship(models.TextChoices):
    RELATIVE = "relative", _("Relative")
    PARTNER = "partner", _("Partner or spouse")
    FRIEND = "friend", _("Friend")
    ASSOCIATE = "associate", _("Associate")
    BUSINESS = "business", _("Business connection")
    OTHER = "other", _("Other")
