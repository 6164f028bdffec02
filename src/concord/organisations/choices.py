"""Vocabulary of the organisations app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    FORCE = "force", _("Police force")
    ROCU = "rocu", _("Regional organised crime unit")
    NATIONAL = "national", _("National agency")
    PARTNER = "partner", _("Partner agency")


class PartnerType(models.TextChoices):
    BORDER = "border", _("Border Force")
    TAX = "tax", _("HM Revenue and Customs")
    IMMIGRATION = "immigration", _("Immigration Enforcement")
    PROBATION = "probation", _("Prison and probation")
    WELFARE = "welfare", _("Department for Work and Pensions")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    OTHER = "other", _("Other partner")


class RoleCode(models.TextChoices):
    ANALYST = "analyst", _("Analyst")
    INTELLIGENCE_OFFICER = "intelligence_officer", _("Intelligence officer")
    SIO = "sio", _("Senior investigating officer (SIO)")
    LRO = "lro", _("Lead responsible officer (LRO)")
    SRO = "sro", _("Senior responsible officer (SRO)")
    TASKING_CHAIR = "tasking_chair", _("Tasking chair / regional SOC coordinator")
    CHIEF_OFFICER = "chief_officer", _("Chief officer")
    PARTNER_USER = "partner_user", _("Partner user")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


class VettingLevel(models.TextChoices):
    """Police (NPPV) and national security (SC, DV) vetting, lowest first."""

    NPPV1 = "NPPV1", _("NPPV level 1")
    NPPV2 = "NPPV2", _("NPPV level 2")
    NPPV3 = "NPPV3", _("NPPV level 3")
    SC = "SC", _("Security check (SC)")
    DV = "DV", _("Developed vetting (DV)")


VETTING_RANK = {level: rank for rank, level in enumerate(VettingLevel.values, start=1)}
