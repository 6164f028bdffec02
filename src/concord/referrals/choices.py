"""Vocabulary of partner referrals: what was found, how urgent, what the triager decided."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What a referral is about (the Border Force fast-parcel categories and the like)."""

    FIREARMS = "firearms", _("Firearms or ammunition")
    IMITATION_FIREARM = "imitation_firearm", _("Imitation firearm")
    WEAPONS = "weapons", _("Other weapons")
    DRUGS = "drugs", _("Drugs")
    CHILD_ABUSE = "child_abuse", _("Child sexual abuse material or child-like sex doll")
    CASH = "cash", _("Cash or value")
    PEOPLE = "people", _("People smuggling or trafficking")
    FRAUD = "fraud", _("Fraud or counterfeit goods")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    """How soon the receiving unit must triage a referral (its response time is data)."""

    P1 = "p1", _("Priority 1: urgent")
    P2 = "p2", _("Priority 2: high")
    P3 = "p3", _("Priority 3: routine")
    P4 = "p4", _("Priority 4: low")


# Lower is more urgent; a strong match raises a referral one step.
PRIORITY_ORDER = [Priority.P1, Priority.P2, Priority.P3, Priority.P4]


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Being researched")
    DECIDED = "decided", _("Decided")


class Decision(models.TextChoices):
    """What the triager decided; the sender sees this and nothing else of the triage."""

    NO_FURTHER_ACTION = "nfa", _("No further action")
    INTELLIGENCE = "intelligence", _("Intelligence report recorded")
    LINKED = "linked", _("Linked to an OCG or priority individual")
    INVESTIGATION = "investigation", _("Investigation opened or tasking requested")
    SAFEGUARDING = "safeguarding", _("Safeguarding referral made")


class Strength(models.TextChoices):
    """How well a check matched (from the matching engine's score)."""

    STRONG = "strong", _("Strong match")
    POSSIBLE = "possible", _("Possible match")
