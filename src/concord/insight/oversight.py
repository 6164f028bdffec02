"""The oversight pack of a ROCU for a quarter (HMICFRS recommendation 4): for its chief officer
and the regional governance board. Effectiveness of the region against the quarter before,
the consistency exceptions of the ROCU and its forces in the latest run, capability and funding
risks, and a counter-corruption summary (alerts raised and reviewed, the audit verified).

Everything is read through the reader's visible querysets; the counts of alerts are aggregates
of the ROCU and its own forces, whose governance the reader holds (`Act.OVERSEE`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import translation

from concord.capabilities.choices import GapStatus
from concord.capabilities.models import FundingStream, Gap
from concord.core.choices import OrganisationKind
from concord.insight import consistency, effectiveness, statistics
from concord.insight.choices import AggregateLevel
from concord.insight.models import AuditVerification, ConsistencyException, ConsistencyRun
from concord.monitoring.choices import AlertStatus
from concord.monitoring.models import Alert
from concord.organisations.models import Organisation

EXCEPTIONS_SHOWN = 200


@dataclass
class Pack:
    rocu: Organisation
    organisations: list[Organisation]
    year: int
    quarter: int
    period: effectiveness.Period
    now: effectiveness.Figures
    before: effectiveness.Figures
    run: ConsistencyRun | None
    exceptions: list[ConsistencyException]
    exception_count: int
    by_rule: list[tuple[str, int]]
    gaps: list[Gap]
    gap_count: int
    funding: list[FundingStream]
    alerts: dict[str, int]
    verification: AuditVerification | None

    @property
    def label(self) -> str:
        return f"{self.year}/{str(self.year + 1)[-2:]} Q{self.quarter}"

    @property
    def slug(self) -> str:
        return f"{self.year}-q{self.quarter}"


def rocus_for(user: Any) -> list[Organisation]:
    """The ROCUs whose pack the person may open."""
    from concord.core import policy

    return [
        o
        for o in Organisation.objects.filter(kind=OrganisationKind.ROCU, is_active=True)
        .select_related("region")
        .order_by("name")
        if policy.may(user, policy.Act.OVERSEE, o)
    ]


def parse_quarter(slug: str) -> tuple[int, int] | None:
    year, _sep, quarter = slug.partition("-q")
    try:
        y, q = int(year), int(quarter)
    except ValueError:
        return None
    return (y, q) if 2000 <= y <= 2100 and 1 <= q <= 4 else None


def build(user: Any, rocu: Organisation, year: int, quarter: int) -> Pack:
    period = effectiveness.Period(*statistics.quarter_dates(year, quarter))
    scope = effectiveness.Scope(AggregateLevel.REGION, region=rocu.region)
    organisations = list(
        Organisation.objects.filter(
            Q(pk=rocu.pk) | Q(kind=OrganisationKind.FORCE, region_id=rocu.region_id)
        ).order_by("kind", "name")
    )
    ids = [o.pk for o in organisations]
    run = consistency.latest_run()
    exceptions: list[ConsistencyException] = []
    by_rule: list[tuple[str, int]] = []
    count = 0
    if run is not None:
        visible = ConsistencyException.objects.visible_to(user).filter(
            run=run, organisation_id__in=ids
        )
        welsh = translation.get_language() == "cy"
        by_rule = [
            ((welsh and row["rule__description_cy"]) or row["rule__description"], row["n"])
            for row in visible.order_by()
            .values("rule__order", "rule__description", "rule__description_cy")
            .annotate(n=Count("pk"))
            .order_by("rule__order")
        ]
        count = sum(n for _label, n in by_rule)
        exceptions = list(
            visible.select_related("rule", "organisation", "ocg", "priority_individual")[
                :EXCEPTIONS_SHOWN
            ]
        )
    gaps = Gap.objects.visible_to(user).filter(organisation_id__in=ids, status=GapStatus.OPEN)
    soon = period.last + dt.timedelta(days=365)
    funding = list(
        FundingStream.objects.visible_to(user)
        .filter(organisation_id__in=ids, ends__isnull=False, ends__gte=period.first, ends__lte=soon)
        .select_related("organisation")
        .order_by("ends")[:20]
    )
    alerts = Alert.objects.filter(organisation_id__in=ids).aggregate(
        raised=Count(
            "pk", filter=Q(raised_at__date__gte=period.first, raised_at__date__lte=period.last)
        ),
        reviewed=Count(
            "pk",
            filter=Q(
                reviewed_at__date__gte=period.first,
                reviewed_at__date__lte=period.last,
            )
            & ~Q(status=AlertStatus.OPEN),
        ),
        open=Count("pk", filter=Q(status=AlertStatus.OPEN)),
    )
    now, before = effectiveness.compare(user, scope, period)
    return Pack(
        rocu=rocu,
        organisations=organisations,
        year=year,
        quarter=quarter,
        period=period,
        now=now,
        before=before,
        run=run,
        exceptions=exceptions,
        exception_count=count,
        by_rule=by_rule,
        gaps=list(
            gaps.select_related("capability", "organisation").order_by("-weighted", "pk")[:10]
        ),
        gap_count=gaps.count(),
        funding=funding,
        alerts={k: int(v or 0) for k, v in alerts.items()},
        verification=AuditVerification.objects.order_by("-verified_at").first(),
    )
