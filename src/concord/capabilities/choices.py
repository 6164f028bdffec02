"""Vocabulary of capability, capacity and funding."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CapacityUnit(models.TextChoices):
    """What a capability's capacity is counted in."""

    HOURS = "hours", _("officer hours a week")
    TEAMS = "teams", _("teams")
    DEPLOYMENTS = "deployments", _("deployments a month")


class CapabilityLevel(models.TextChoices):
    """Where a capability is normally held."""

    FORCE = "force", _("Force")
    REGIONAL = "regional", _("Regional (ROCU)")
    NATIONAL = "national", _("National")


class CatalogueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class FundingKind(models.TextChoices):
    """Where the money comes from: HMICFRS's concern is the mix of force contributions and
    short-term grants."""

    FORCE_CONTRIBUTIONS = "force_contributions", _("Force contributions")
    HOME_OFFICE_GRANT = "home_office_grant", _("Home Office grant")
    OTHER_GRANT = "other_grant", _("Other grant")
    CORE = "core", _("Core budget")


class ContributionBasis(models.TextChoices):
    """What each force's share of a contributions stream is in proportion to."""

    EQUAL = "equal", _("Equal shares")
    FIXED = "fixed", _("Fixed weights")
    POPULATION = "population", _("Population")
    OFFICERS = "officers", _("Police officer establishment")
    FUNDING_FORMULA = "funding_formula", _("Police funding formula share")


class PostStatus(models.TextChoices):
    FILLED = "filled", _("Filled")
    VACANT = "vacant", _("Vacant")
    FROZEN = "frozen", _("Frozen")


class DemandSource(models.TextChoices):
    """What named the need for a capability."""

    BAND = "band", _("Expected from the priority band")
    ACTION = "action", _("4P plan action")
    TASKING = "tasking", _("Tasking request")
    TRANSFER = "transfer", _("Request for SIO support")


class GapStatus(models.TextChoices):
    """Where a gap stands: open until a tasking chair lends, bids or accepts the risk, or the
    next allocation finds it met."""

    OPEN = "open", _("Open")
    LOAN = "loan", _("Loan agreed")
    BID = "bid", _("Bid made")
    RISK = "risk", _("Risk accepted")
    MET = "met", _("Met")
    ENDED = "ended", _("Loan ended")


# A gap answered by one of these stays answered until its review date: the allocation does
# not open it again before then.
ANSWERED = (GapStatus.LOAN, GapStatus.BID, GapStatus.RISK)
