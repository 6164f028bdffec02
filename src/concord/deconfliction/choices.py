"""The vocabulary of deconfliction: kinds of operation, subject, deployment and hit, and how a
hit is resolved."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OperationKind(models.TextChoices):
    PLAN = "plan", _("Linked to a 4P plan")
    PI = "pi", _("Priority individual investigation")
    STANDALONE = "standalone", _("Standalone operation")


class SubjectKind(models.TextChoices):
    PERSON = "person", _("Person")
    PHONE = "phone", _("Phone number")
    EMAIL = "email", _("E-mail address")
    VRM = "vrm", _("Vehicle registration mark (VRM)")
    VIN = "vin", _("Vehicle identification number (VIN)")
    ADDRESS = "address", _("Address")
    POSTCODE = "postcode", _("Postcode")
    ACCOUNT = "account", _("Bank account")
    IMEI = "imei", _("IMEI")
    HANDLE = "handle", _("Online handle")


class DeploymentKind(models.TextChoices):
    WARRANT = "warrant", _("Warrant")
    SEARCH = "search", _("Search")
    ARREST = "arrest", _("Arrest")
    SURVEILLANCE = "surveillance", _("Surveillance")
    TEST_PURCHASE = "test_purchase", _("Test purchase")
    COVERT_MEETING = "covert_meeting", _("Covert meeting")


class HitKind(models.TextChoices):
    TARGET = "target", _("Target")
    EVENT = "event", _("Event")


class HitStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONTACTED = "contacted", _("Both parties contacted")
    RESOLVED = "resolved", _("Resolved")


class Resolution(models.TextChoices):
    DECONFLICTED = "deconflicted", _("Deconflicted")
    JOINT = "joint", _("Joint working")
    STAND_DOWN = "stand_down", _("One party stands down")


class Side(models.TextChoices):
    A = "a", _("Checking party")
    B = "b", _("Registered party")
