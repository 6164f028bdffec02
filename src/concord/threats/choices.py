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
