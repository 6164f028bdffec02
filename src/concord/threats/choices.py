"""Vocabulary of the register."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OcgStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class MemberRole(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    SIGNIFICANT = "significant", _("Significant")
    PERIPHERAL = "peripheral", _("Peripheral")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class EntityKind(models.TextChoices):
    BUSINESS = "business", _("Business")
    VEHICLE = "vehicle", _("Vehicle")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email address")
    ADDRESS = "address", _("Address")
    ACCOUNT = "account", _("Bank account")


class LinkType(models.TextChoices):
    OWNS = "owns", _("Owns")
    USES = "uses", _("Uses")
    LIVES_AT = "lives_at", _("Lives at")
    DIRECTOR = "director", _("Director of")
    EMPLOYED = "employed", _("Works for")
    ASSOCIATED = "associated", _("Associated with")


class VulnerabilityKind(models.TextChoices):
    PERSON = "person", _("Person")
    PLACE = "place", _("Place")
    COMMUNITY = "community", _("Community")
    BUSINESS = "business", _("Business")
    THEME = "theme", _("Theme")
