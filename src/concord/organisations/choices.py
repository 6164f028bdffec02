"""Vocabulary of the organisations app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from concord.core.choices import (
    VETTING_RANK,
    OrganisationKind,
    RoleCode,
    VettingLevel,
)

__all__ = [
    "VETTING_RANK",
    "Language",
    "OrganisationKind",
    "PartnerType",
    "RoleCode",
    "VettingLevel",
]


class PartnerType(models.TextChoices):
    BORDER = "border", _("Border Force")
    TAX = "tax", _("HM Revenue and Customs")
    IMMIGRATION = "immigration", _("Immigration Enforcement")
    PROBATION = "probation", _("Prison and probation")
    WELFARE = "welfare", _("Department for Work and Pensions")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    OTHER = "other", _("Other partner")


class Language(models.TextChoices):
    """The languages Concord speaks (settings.LANGUAGES); a person's choice is kept on the
    profile, blank meaning not chosen (the browser's, or the sign-in page's cookie, then)."""

    ENGLISH = "en-gb", "English"
    WELSH = "cy", "Cymraeg"
