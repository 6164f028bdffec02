"""The business plan of a ROCU or a force, in the shape of HMICFRS's force management
statement: demand now and for four years, the capacity and capability the posts give (with the
fixed-term share, vacancies and vetting), funding by stream and year, what is at risk as each
grant ends, and the risk from demand that cannot be met.

Scope: a force's plan covers the force; a ROCU's covers the ROCU and the regional demand of its
region's forces' register. Demand is each prioritised item's expected need by band
(`BandNeed`) plus the needs actions and requests named; it is projected forward by the
register's trend: the change over the last year in the number of prioritised items, applied
each year (capped between halving and doubling), since the register's own history is the best
evidence a plan has. Capacity in each year is taken on 1 April, from the posts in place then.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from concord.capabilities import capacity
from concord.capabilities.choices import CapacityUnit, CatalogueStatus, PostStatus
from concord.capabilities.models import (
    BandNeed,
    Capability,
    Demand,
    FundingStream,
    FundingYear,
    Post,
)
from concord.core.choices import OrganisationKind
from concord.organisations.models import Organisation
from concord.threats.models import REGISTER_ITEMS

YEARS = 4
TREND_FLOOR, TREND_CAP = Decimal("0.5"), Decimal("2")


def financial_year(on: dt.date) -> int:
    return on.year if on.month >= 4 else on.year - 1


def year_label(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"


@dataclass
class Row:
    """One capability across the plan's years."""

    capability: Capability
    demand: list[Decimal]
    capacity: list[Decimal]
    labels: list[str] = field(default_factory=list)

    @property
    def labelled_gaps(self) -> list[tuple[str, Decimal]]:
        return list(zip(self.labels, self.gaps, strict=True))

    @property
    def gaps(self) -> list[Decimal]:
        return [max(d - c, Decimal("0")) for d, c in zip(self.demand, self.capacity, strict=True)]

    @property
    def cells(self) -> list[tuple[Decimal, Decimal, Decimal]]:
        return list(zip(self.demand, self.capacity, self.gaps, strict=True))

    @property
    def at_risk(self) -> bool:
        return any(g > 0 for g in self.gaps)


@dataclass
class GrantRisk:
    stream: FundingStream
    end: capacity.StreamEnd


@dataclass
class BusinessPlan:
    organisation: Organisation
    scope: list[Organisation]
    years: list[int]
    trend: Decimal
    prioritised_now: int
    prioritised_year_ago: int
    rows: list[Row] = field(default_factory=list)
    workforce: dict[str, Any] = field(default_factory=dict)
    funding: list[tuple[FundingStream, list[Decimal | None]]] = field(default_factory=list)
    funding_totals: list[Decimal] = field(default_factory=list)
    grants: list[GrantRisk] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [year_label(y) for y in self.years]

    @property
    def risks(self) -> list[Row]:
        return [r for r in self.rows if r.at_risk]


def scope_of(organisation: Organisation) -> list[Organisation]:
    """The organisations a plan covers: a ROCU and its region's forces, or one organisation."""
    if organisation.kind == OrganisationKind.ROCU and organisation.region_id:
        return list(
            Organisation.objects.filter(
                Q(pk=organisation.pk)
                | Q(region_id=organisation.region_id, kind=OrganisationKind.FORCE)
            ).order_by("code")
        )
    return [organisation]


def _register(user: Any, scope_ids: list[int], today: dt.date) -> tuple[dict[str, int], int, int]:
    """Prioritised active items owned in scope that `user` may see, by band; and how many
    there are now and were a year ago. Counted through the access policy: a plan never counts
    what its reader may not see."""
    by_band: dict[str, int] = defaultdict(int)
    now = ago = 0
    year_ago = today - dt.timedelta(days=365)
    for model in REGISTER_ITEMS.values():
        items = (
            model.objects.visible_to(user)
            .filter(owner_id__in=scope_ids, status="active")
            .exclude(band="")
        )
        for row in items.order_by().values("band").annotate(n=Count("pk")):
            by_band[row["band"]] += row["n"]
            now += row["n"]
        ago += items.filter(created_at__date__lte=year_ago).count()
    return by_band, now, ago


def build(user: Any, organisation: Organisation, *, today: dt.date) -> BusinessPlan:
    """The plan as `user` may see it (callers check they may see the organisation's capacity;
    the register behind the demand is counted through the policy)."""
    scope = scope_of(organisation)
    scope_ids = [o.pk for o in scope]
    first = financial_year(today)
    years = [first + k for k in range(YEARS + 1)]
    by_band, now, ago = _register(user, scope_ids, today)
    trend = Decimal(now) / Decimal(ago) if ago else Decimal("1")
    trend = min(max(trend, TREND_FLOOR), TREND_CAP).quantize(Decimal("0.01"))
    plan = BusinessPlan(
        organisation=organisation,
        scope=scope,
        years=years,
        trend=trend,
        prioritised_now=now,
        prioritised_year_ago=ago,
    )
    capabilities = {
        c.code: c for c in Capability.objects.filter(catalogue__status=CatalogueStatus.PUBLISHED)
    }
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for need in BandNeed.objects.filter(
        capability__catalogue__status=CatalogueStatus.PUBLISHED
    ).select_related("capability"):
        if organisation.kind == OrganisationKind.ROCU and need.capability.level == "force":
            continue
        if organisation.kind == OrganisationKind.FORCE and need.capability.level != "force":
            continue
        expected[need.capability.code] += need.amount * by_band.get(need.band, 0)
    named = (
        Demand.objects.visible_to(user)
        .filter(ends__gte=today)
        .filter(
            Q(ocg__owner_id__in=scope_ids)
            | Q(priority_individual__owner_id__in=scope_ids)
            | Q(vulnerability__owner_id__in=scope_ids)
        )
        .select_related("capability")
    )
    for named_need in named:
        expected[named_need.capability.code] += named_need.amount
    posts = list(capacity.posts_for(Post.objects.filter(unit__organisation_id__in=scope_ids)))
    by_year = {y: capacity.by_capability(capacity.pools(posts, dt.date(y, 4, 1))) for y in years}
    by_year[first] = capacity.by_capability(capacity.pools(posts, today))
    held = {p.unit.capability.code for p in posts}
    for code in sorted(
        set(expected) | held, key=lambda c: capabilities[c].name if c in capabilities else c
    ):
        capability = capabilities.get(code)
        if capability is None:
            continue
        demand = [_in_units(capability, expected[code] * trend**k) for k in range(len(years))]
        plan.rows.append(
            Row(
                capability=capability,
                demand=demand,
                capacity=[by_year[y].get(code, Decimal("0")) for y in years],
                labels=[year_label(y) for y in years],
            )
        )
    plan.workforce = _workforce(posts, today)
    streams = list(
        FundingStream.objects.filter(organisation_id__in=scope_ids)
        .select_related("organisation")
        .order_by("ends", "name")
    )
    amounts: dict[tuple[int, int], Decimal] = {
        (y.stream_id, y.year): y.amount
        for y in FundingYear.objects.filter(stream__in=streams, year__in=years)
    }
    totals = [Decimal("0")] * len(years)
    for stream in streams:
        row: list[Decimal | None] = []
        for i, y in enumerate(years):
            value = amounts.get((stream.pk, y))
            row.append(value)
            totals[i] += value or Decimal("0")
        plan.funding.append((stream, row))
        if stream.ends is not None and stream.ends >= today:
            plan.grants.append(GrantRisk(stream=stream, end=capacity.stream_end(stream)))
    plan.funding_totals = totals
    return plan


def _in_units(capability: Capability, amount: Decimal) -> Decimal:
    if capability.unit == CapacityUnit.HOURS:
        return amount.quantize(Decimal("1"))
    return amount.quantize(Decimal("0.1"))


def _workforce(posts: list[Post], today: dt.date) -> dict[str, Any]:
    current = [p for p in posts if p.in_post(today)]
    vetting: dict[str, int] = defaultdict(int)
    for p in current:
        vetting[p.vetting] += 1
    fixed = sum(1 for p in current if p.ends is not None)
    return {
        "posts": len(current),
        "filled": sum(1 for p in current if p.status == PostStatus.FILLED),
        "vacant": sum(1 for p in current if p.status == PostStatus.VACANT),
        "frozen": sum(1 for p in current if p.status == PostStatus.FROZEN),
        "fixed_term": fixed,
        "fixed_term_share": round(100 * fixed / len(current)) if current else 0,
        "fte": sum((p.fte for p in current), Decimal("0")),
        "vetting": dict(sorted(vetting.items())),
    }


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int
    label: str
    value: Decimal


def funding_chart(plan: BusinessPlan, width: int = 640, height: int = 220) -> dict[str, Any]:
    """Bar geometry for funding by year (the table beside it holds the same figures)."""
    top = max(plan.funding_totals or [Decimal("0")]) or Decimal("1")
    inner = height - 48
    step = (width - 48) // max(len(plan.years), 1)
    bars = []
    for i, total in enumerate(plan.funding_totals):
        h = int(inner * (total / top))
        bars.append(
            Bar(
                x=24 + i * step + step // 6,
                y=height - 24 - h,
                height=h,
                label=plan.labels[i],
                value=total,
            )
        )
    return {"width": width, "height": height, "bar_width": step * 2 // 3, "bars": bars}
