"""Vocabulary the access policy decides from: organisation kinds, roles, vetting, markings."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    FORCE = "force", _("Police force")
    ROCU = "rocu", _("Regional organised crime unit")
    NATIONAL = "national", _("National agency")
    PARTNER = "partner", _("Partner agency")


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
    # Sees every deconfliction hit at pointer level (never the records behind), contacts both
    # parties and records the resolution; not an operational role, so it sees no records.
    WATCH_DESK = "watch_desk", _("Deconfliction watch desk")


# Roles that work with records. An administrator or auditor alone manages people or the audit,
# not the register.
OPERATIONAL_ROLES = frozenset(
    {
        RoleCode.ANALYST,
        RoleCode.INTELLIGENCE_OFFICER,
        RoleCode.SIO,
        RoleCode.LRO,
        RoleCode.SRO,
        RoleCode.TASKING_CHAIR,
        RoleCode.CHIEF_OFFICER,
        RoleCode.PARTNER_USER,
    }
)
# The owner's managers, who keep sight of need-to-know records of their organisation.
MANAGER_ROLES = frozenset({RoleCode.CHIEF_OFFICER, RoleCode.SRO})


class VettingLevel(models.TextChoices):
    """Police (NPPV) and national security (SC, DV) vetting, lowest first."""

    NPPV1 = "NPPV1", _("NPPV level 1")
    NPPV2 = "NPPV2", _("NPPV level 2")
    NPPV3 = "NPPV3", _("NPPV level 3")
    SC = "SC", _("Security check (SC)")
    DV = "DV", _("Developed vetting (DV)")


VETTING_RANK = {level: rank for rank, level in enumerate(VettingLevel.values, start=1)}


class Classification(models.TextChoices):
    """Government Security Classifications held on Concord (TOP SECRET never is)."""

    OFFICIAL = "OFFICIAL", _("OFFICIAL")
    SECRET = "SECRET", _("SECRET")


CLASSIFICATION_RANK = {Classification.OFFICIAL: 1, Classification.SECRET: 2}
# SECRET material needs national security vetting.
CLEARANCE_FOR = {
    Classification.OFFICIAL: {
        VettingLevel.NPPV1,
        VettingLevel.NPPV2,
        VettingLevel.NPPV3,
        VettingLevel.SC,
        VettingLevel.DV,
    },
    Classification.SECRET: {VettingLevel.SC, VettingLevel.DV},
}


class ShareCause(models.TextChoices):
    """Why a share exists; with `Share.cause_id` (the request, appointment or peer), it is how
    the share is found again to end it (never by its purpose text, which is for people)."""

    MANUAL = "manual", _("Shared by the owner")
    DISSEMINATION = "dissemination", _("Intelligence dissemination")
    TRANSFER_REQUEST = "transfer_request", _("Transfer request")
    FORMER_OWNER = "former_owner", _("Former owner: warrants and safeguarding")
    TASKING_REQUEST = "tasking_request", _("Tasking request")
    APPOINTMENT = "appointment", _("Appointment")
    FEDERATION = "federation", _("Received over federation")
    MENTORING = "mentoring", _("Mentoring: a mentor reads the mentee's 4P plans")


class TaskState(models.TextChoices):
    """Where a background task has got, as the page that started it shows it."""

    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")
