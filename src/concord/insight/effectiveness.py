"""Effectiveness for an organisation, a region or the nation over a period, compared with the
period before: validated disruptions by 4P strand and impact, their outcomes, THR movement of
managed OCGs and PIs, the balance of the four Ps, time from mapping to an SIO and an LRO, plan
reviews on time, transfer and tasking turnaround, intelligence shared, accepted and fed back.

Every figure is an aggregate query over the reader's visible querysets (`visible_to`), so a
reader sees figures only for what they may see. Figures about a region or the nation beyond
their reach come only from published statistics releases, and only where the national
function approved that figure at that level (`ApprovedAggregate`): never from records they
cannot open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Avg,
    Count,
    DateField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core import policy
from concord.core.choices import OrganisationKind
from concord.core.models import Share
from concord.insight import statistics
from concord.insight.choices import AggregateLevel, Figure, ReleaseStatus
from concord.insight.models import ApprovedAggregate, StatisticsRelease
from concord.intelligence.models import ConditionsAccepted, Feedback, IntelReport
from concord.organisations.models import Organisation, Region
from concord.ownership.choices import AppointmentRole
from concord.ownership.models import Appointment, TaskingRequest, TransferRequest
from concord.plans.choices import DisruptionStatus, Strand
from concord.plans.models import Disruption, DisruptionImpact, Plan
from concord.scoring.models import Assessment
from concord.threats.choices import OcgStatus
from concord.threats.models import Ocg, PriorityIndividual

OUTCOME_FIELDS = (
    "arrests",
    "charges",
    "convictions",
    "drugs_kg",
    "cash_gbp",
    "firearms",
    "victims_safeguarded",
    "children_safeguarded",
    "assets_restrained_gbp",
    "referrals",
)
STRANDS = [Strand.PURSUE, Strand.PREVENT, Strand.PROTECT, Strand.PREPARE]


@dataclass(frozen=True)
class Scope:
    """Whose effectiveness: one organisation, one region (its ROCU and forces) or the nation."""

    level: str  # AggregateLevel
    organisation: Organisation | None = None
    region: Region | None = None

    @property
    def label(self) -> str:
        if self.organisation is not None:
            return str(self.organisation.display_name)
        if self.region is not None:
            return str(self.region.display_name)
        return str(_("England and Wales"))

    @property
    def key(self) -> str:
        if self.organisation is not None:
            return f"org:{self.organisation.code}"
        if self.region is not None:
            return f"region:{self.region.code}"
        return "nation"

    def q(self, prefix: str) -> Q:
        """Rows whose organisation (at `prefix`, e.g. "owner") is in scope."""
        if self.organisation is not None:
            return Q(**{f"{prefix}_id": self.organisation.pk})
        if self.region is not None:
            return Q(**{f"{prefix}__region_id": self.region.pk})
        return Q()


def scope_from(key: str, user: Any) -> Scope:
    """The scope a key names ("org:GMP", "region:north-west", "nation"); the reader's own
    organisation when the key is empty or unknown."""
    kind, _sep, code = key.partition(":")
    if kind == "org" and code:
        found = Organisation.objects.filter(code=code[:20]).select_related("region").first()
        if found is not None:
            return Scope(AggregateLevel.ORGANISATION, organisation=found)
    if kind == "region" and code:
        region = Region.objects.filter(code=code[:40]).first()
        if region is not None:
            return Scope(AggregateLevel.REGION, region=region)
    if kind == "nation":
        return Scope(AggregateLevel.NATION)
    acting = user.acting_organisation()
    return Scope(AggregateLevel.ORGANISATION, organisation=acting)


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        last = self.first - dt.timedelta(days=1)
        return Period(last - dt.timedelta(days=self.days - 1), last)

    def starts(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first, dt.time.min))

    def ends(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.last, dt.time.max))


def period_from(kind: str, year: str, quarter: str, first: str, last: str) -> Period:
    """A quarter or a year of the financial year, or custom dates; last quarter by default."""
    today = timezone.localdate()
    this_year, this_quarter = statistics.quarter_of(today)
    try:
        if kind == "custom":
            start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
            if start <= end and (end - start).days <= 3660:
                return Period(start, end)
        number = int(year) if year else this_year
        if kind == "year" and 2000 <= number <= 2100:
            return Period(dt.date(number, 4, 1), dt.date(number + 1, 3, 31))
        q = int(quarter) if quarter else this_quarter
        if 2000 <= number <= 2100 and 1 <= q <= 4:
            return Period(*statistics.quarter_dates(number, q))
    except ValueError:
        pass
    return Period(*statistics.quarter_dates(this_year, this_quarter))


@dataclass
class Figures:
    """One period's figures for one scope, as the reader may see them."""

    disruptions: int = 0
    by_strand: dict[str, int] = field(default_factory=dict)
    by_impact: list[tuple[str, str, int]] = field(default_factory=list)
    outcomes: dict[str, Any] = field(default_factory=dict)
    thr: dict[str, int] = field(default_factory=dict)
    mapping: dict[str, Any] = field(default_factory=dict)
    plans: dict[str, int] = field(default_factory=dict)
    transfers: dict[str, Any] = field(default_factory=dict)
    taskings: dict[str, int] = field(default_factory=dict)
    intelligence: dict[str, int] = field(default_factory=dict)

    @property
    def balance(self) -> dict[str, int]:
        """Each strand's share of the validated disruptions, in whole per cent."""
        total = sum(self.by_strand.values())
        return {s: round(100 * self.by_strand.get(s, 0) / total) if total else 0 for s in STRANDS}


class Sources:
    """The reader's visible records of each kind in a scope, each filter built once and
    shared by both periods of a comparison (building the policy's filter is most of a
    figure's cost in Python)."""

    def __init__(self, user: Any, scope: Scope) -> None:
        self.user = user
        self.scope = scope

    @cached_property
    def disruptions(self) -> QuerySet[Disruption]:
        return Disruption.objects.visible_to(self.user).filter(
            self.scope.q("claimed_for"), status=DisruptionStatus.VALIDATED
        )

    @cached_property
    def ocgs(self) -> QuerySet[Ocg]:
        return Ocg.objects.visible_to(self.user).filter(self.scope.q("owner"))

    @cached_property
    def priority_individuals(self) -> QuerySet[PriorityIndividual]:
        return PriorityIndividual.objects.visible_to(self.user).filter(self.scope.q("owner"))

    @cached_property
    def plans(self) -> QuerySet[Plan]:
        scope = self.scope
        return Plan.objects.visible_to(self.user).filter(
            Q(ocg__status=OcgStatus.ACTIVE, **_prefixed(scope, "ocg__owner"))
            | Q(
                priority_individual__status=OcgStatus.ACTIVE,
                **_prefixed(scope, "priority_individual__owner"),
            )
        )

    @cached_property
    def transfers(self) -> QuerySet[TransferRequest]:
        return TransferRequest.objects.visible_to(self.user).filter(
            self.scope.q("to_organisation") | self.scope.q("from_organisation")
        )

    @cached_property
    def taskings(self) -> QuerySet[TaskingRequest]:
        return TaskingRequest.objects.visible_to(self.user).filter(self.scope.q("to_organisation"))

    @cached_property
    def reports(self) -> Any:
        return policy.visible_pks(self.user, IntelReport, self.scope.q("owner"))


def _days(expression: Any) -> float | None:
    if expression is None:
        return None
    if isinstance(expression, dt.timedelta):
        return round(expression.total_seconds() / 86400, 1)
    return round(float(expression) / 86400e6, 1)  # microseconds (SQLite)


def _on(field: str, period: Period, *, days: bool = False) -> Q:
    """Rows whose `field` (a date with `days`, else a moment) falls in the period."""
    if days:
        return Q(**{f"{field}__gte": period.first, f"{field}__lte": period.last})
    return Q(**{f"{field}__gte": period.starts(), f"{field}__lte": period.ends()})


def _any_of(field: str, periods: list[Period], *, days: bool = False) -> Q:
    found = Q(pk__in=[])
    for period in periods:
        found |= _on(field, period, days=days)
    return found


def compute(user: Any, scope: Scope, period: Period, sources: Sources | None = None) -> Figures:
    """Every figure of one period for one scope, from the reader's visible records only."""
    return compute_periods(user, scope, [period], sources)[0]


def compare(user: Any, scope: Scope, period: Period) -> tuple[Figures, Figures]:
    """The figures of a period and of the one before it, read together."""
    now, before = compute_periods(user, scope, [period, period.previous()])
    return now, before


def compute_periods(
    user: Any, scope: Scope, periods: list[Period], sources: Sources | None = None
) -> list[Figures]:
    """Every figure of each period for one scope, from the reader's visible records only.
    Where a figure is a count, a sum or a mean, one query reads every period (an aggregate
    filtered by period each), so a comparison costs few more queries than one period."""
    sources = sources if sources is not None else Sources(user, scope)
    found = [Figures() for _ in periods]
    numbered = list(enumerate(periods))

    disruptions = sources.disruptions.filter(_any_of("occurred_on", periods, days=True)).order_by()
    by_period = {f"n{i}": Count("pk", filter=_on("occurred_on", p, days=True)) for i, p in numbered}
    strands: dict[Any, dict[str, Any]] = {
        row["strand"]: dict(row) for row in disruptions.values("strand").annotate(**by_period)
    }
    impacts: dict[Any, dict[str, Any]] = {
        row["impact_id"]: dict(row) for row in disruptions.values("impact_id").annotate(**by_period)
    }
    outcomes = disruptions.aggregate(
        **{
            f"{f}__{i}": Sum(f, filter=_on("occurred_on", p, days=True))
            for i, p in numbered
            for f in OUTCOME_FIELDS
        }
    )
    ranked = list(DisruptionImpact.objects.order_by("rank"))
    for i, figures in enumerate(found):
        figures.by_strand = {s: int(strands.get(s, {}).get(f"n{i}", 0)) for s in STRANDS}
        figures.disruptions = sum(figures.by_strand.values())
        figures.by_impact = [
            (impact.code, impact.display_name, int(impacts.get(impact.pk, {}).get(f"n{i}", 0)))
            for impact in ranked
        ]
        figures.outcomes = {f: (outcomes[f"{f}__{i}"] or 0) for f in OUTCOME_FIELDS}

    for figures, thr, mapping in zip(
        found, _thr(sources, periods), _mapping(sources, periods), strict=True
    ):
        figures.thr = thr
        figures.mapping = mapping

    today = timezone.localdate()
    plans = sources.plans.order_by().aggregate(
        plans=Count("pk", distinct=True),
        on_time=Count("pk", filter=Q(next_review_on__gte=today), distinct=True),
        **{
            f"reviewed{i}": Count("reviews", filter=_on("reviews__reviewed_at", p))
            for i, p in numbered
        },
    )
    transfers = (
        sources.transfers.filter(_any_of("requested_at", periods))
        .order_by()
        .aggregate(
            **{
                f"{name}{i}": aggregate
                for i, p in numbered
                for name, aggregate in (
                    ("requested", Count("pk", filter=_on("requested_at", p))),
                    (
                        "decided",
                        Count("pk", filter=_on("requested_at", p) & Q(decided_at__isnull=False)),
                    ),
                    (
                        "decided_days",
                        Avg(
                            ExpressionWrapper(
                                F("decided_at") - F("requested_at"), output_field=DurationField()
                            ),
                            filter=_on("requested_at", p),
                        ),
                    ),
                )
            }
        )
    )
    taskings = (
        sources.taskings.filter(_any_of("respond_by", periods, days=True))
        .order_by()
        .aggregate(
            **{
                f"{name}{i}": Count("pk", filter=_on("respond_by", p, days=True) & extra)
                for i, p in numbered
                for name, extra in (
                    ("due", Q()),
                    ("decided", Q(decided_at__isnull=False)),
                    ("on_time", Q(decided_at__date__lte=F("respond_by"))),
                )
            }
        )
    )
    reports = sources.reports
    shared = Share.objects.filter(
        _any_of("created_at", periods),
        content_type=ContentType.objects.get_for_model(IntelReport),
        object_id__in=reports,
    ).aggregate(**{f"n{i}": Count("created_at", filter=_on("created_at", p)) for i, p in numbered})
    accepted = ConditionsAccepted.objects.filter(
        _any_of("accepted_at", periods), report__in=reports
    ).aggregate(**{f"n{i}": Count("pk", filter=_on("accepted_at", p)) for i, p in numbered})
    fed_back = Feedback.objects.filter(_any_of("given_at", periods), report__in=reports).aggregate(
        **{f"n{i}": Count("pk", filter=_on("given_at", p)) for i, p in numbered}
    )
    for i, figures in enumerate(found):
        figures.plans = {
            "plans": plans["plans"],
            "on_time": plans["on_time"],
            "reviewed": plans[f"reviewed{i}"],
        }
        figures.transfers = {
            "requested": transfers[f"requested{i}"],
            "decided": transfers[f"decided{i}"],
            "decided_days": _days(transfers[f"decided_days{i}"]),
        }
        figures.taskings = {k: taskings[f"{k}{i}"] for k in ("due", "decided", "on_time")}
        figures.intelligence = {
            "shared": shared[f"n{i}"],
            "accepted": accepted[f"n{i}"],
            "fed_back": fed_back[f"n{i}"],
        }
    return found


def _thr(sources: Sources, periods: list[Period]) -> list[dict[str, int]]:
    """THR movement in each period: items assessed in it, their risk now against their last
    assessment before it. One query per kind of item reads every period."""
    found = [{"reduced": 0, "increased": 0, "unchanged": 0, "new": 0} for _ in periods]
    items: tuple[tuple[QuerySet[Any], str], ...] = (
        (sources.ocgs, "ocg"),
        (sources.priority_individuals, "priority_individual"),
    )
    for visible, subject in items:
        assessed = Assessment._base_manager.filter(**{subject: OuterRef("pk")})
        marks: dict[str, Any] = {}
        counts: dict[str, Any] = {}
        for i, period in enumerate(periods):
            marks[f"in{i}"] = Exists(assessed.filter(_on("assessed_at", period)))
            marks[f"was{i}"] = Subquery(
                assessed.filter(assessed_at__lt=period.starts())
                .order_by("-assessed_at", "-pk")
                .values("risk_score")[:1],
                output_field=DecimalField(max_digits=12, decimal_places=3),
            )
            moved, was = Q(**{f"in{i}": True}), F(f"was{i}")
            known = moved & Q(**{f"was{i}__isnull": False})
            counts[f"reduced{i}"] = Count("pk", filter=known & Q(risk_score__lt=was))
            counts[f"increased{i}"] = Count("pk", filter=known & Q(risk_score__gt=was))
            counts[f"unchanged{i}"] = Count("pk", filter=known & Q(risk_score=was))
            counts[f"new{i}"] = Count("pk", filter=moved & Q(**{f"was{i}__isnull": True}))
        any_period = Exists(assessed.filter(_any_of("assessed_at", periods)))
        # DISTINCT (the rows are distinct already) keeps the marks in a subquery that
        # PostgreSQL cannot flatten, so each is worked out once per item, not once per count.
        row = visible.filter(any_period).annotate(**marks).order_by().distinct().aggregate(**counts)
        for i, thr in enumerate(found):
            for key in thr:
                thr[key] += int(row[f"{key}{i}"] or 0)
    return found


def _mapping(sources: Sources, periods: list[Period]) -> list[dict[str, Any]]:
    """Mapping to an SIO and an LRO in each period: OCGs mapped in it, and how long each
    took. One query reads every period."""
    first_of = {
        role: Subquery(
            Appointment.objects.filter(ocg=OuterRef("pk"), role=role)
            .order_by()
            .values("ocg")
            .annotate(first=Min("started_on"))
            .values("first")[:1],
            output_field=DateField(),
        )
        for role in (AppointmentRole.SIO, AppointmentRole.LRO)
    }

    def took(role_on: str) -> ExpressionWrapper[Any]:
        return ExpressionWrapper(F(role_on) - F("mapped_on"), output_field=DurationField())

    aggregates: dict[str, Any] = {}
    for i, period in enumerate(periods):
        mapped = _on("mapped_on", period, days=True)
        aggregates[f"mapped{i}"] = Count("pk", filter=mapped)
        aggregates[f"with_sio{i}"] = Count("pk", filter=mapped & Q(sio_on__isnull=False))
        aggregates[f"with_lro{i}"] = Count("pk", filter=mapped & Q(lro_on__isnull=False))
        aggregates[f"sio_days{i}"] = Avg(took("sio_on"), filter=mapped)
        aggregates[f"lro_days{i}"] = Avg(took("lro_on"), filter=mapped)
    row = (
        sources.ocgs.filter(_any_of("mapped_on", periods, days=True))
        .annotate(sio_on=first_of[AppointmentRole.SIO], lro_on=first_of[AppointmentRole.LRO])
        .order_by()
        .distinct()  # as in _thr: each first appointment worked out once per OCG
        .aggregate(**aggregates)
    )
    return [
        {
            "mapped": row[f"mapped{i}"],
            "with_sio": row[f"with_sio{i}"],
            "with_lro": row[f"with_lro{i}"],
            "sio_days": _days(row[f"sio_days{i}"]),
            "lro_days": _days(row[f"lro_days{i}"]),
        }
        for i in range(len(periods))
    ]


def _prefixed(scope: Scope, prefix: str) -> dict[str, Any]:
    if scope.organisation is not None:
        return {f"{prefix}_id": scope.organisation.pk}
    if scope.region is not None:
        return {f"{prefix}__region_id": scope.region.pk}
    return {}


def within_reach(user: Any, scope: Scope) -> bool:
    """Whether the reader's reach covers every organisation of the scope, so the figures from
    their visible records are the scope's figures (else they are only what they may see)."""
    viewer = policy.viewer_for(user)
    if not viewer.sees_records or viewer.is_partner:
        return False
    if viewer.national_reach:
        return True
    if scope.organisation is not None:
        organisation = scope.organisation
        return organisation.pk == viewer.organisation_id or (
            viewer.organisation_kind == OrganisationKind.ROCU
            and organisation.kind == OrganisationKind.FORCE
            and organisation.region_id == viewer.region_id
        )
    return False


@dataclass(frozen=True)
class PublishedFigure:
    """A figure from a published release: the region (or nation) row of an approved table."""

    table: str
    label: str
    columns: list[tuple[str, int | None]]
    release: str


def approved_aggregates(scope: Scope, period: Period) -> list[PublishedFigure]:
    """Published, approved figures for a region or the nation in the releases of the quarters
    the period covers (withheld cells stay withheld: None)."""
    if scope.level == AggregateLevel.ORGANISATION:
        return []
    approved = set(
        ApprovedAggregate.objects.filter(level=scope.level).values_list("figure", flat=True)
    )
    if not approved:
        return []
    quarters = {statistics.quarter_of(period.first), statistics.quarter_of(period.last)}
    day = period.first
    while day <= period.last:
        quarters.add(statistics.quarter_of(day))
        day += dt.timedelta(days=80)
    wanted = Q(pk__in=[])
    for year, quarter in quarters:
        wanted |= Q(year=year, quarter=quarter)
    releases = StatisticsRelease.objects.filter(wanted, status=ReleaseStatus.PUBLISHED).order_by(
        "year", "quarter"
    )
    row = scope.region.name if scope.region is not None else None
    made: list[PublishedFigure] = []
    for release in releases:
        for table in release.tables:
            code = table["code"]
            figure = Figure.DISRUPTIONS if code == "disruptions" else Figure.OUTCOMES
            if figure not in approved:
                continue
            data = table["data"]
            names = [d["name"] for d in data["dimensions"]]
            columns: list[tuple[str, int | None]] = []
            for cell in data["cells"]:
                if cell.get("region") != row:
                    continue
                label = str(cell.get("strand") or data["total_label"]) if "strand" in names else ""
                columns.append((label, cell["value"]))
            made.append(
                PublishedFigure(
                    table=code, label=str(table_label(code)), columns=columns, release=release.label
                )
            )
    return made


def table_label(code: str) -> str:
    from concord.insight.choices import StatisticsTable

    try:
        return str(StatisticsTable(code).label)
    except ValueError:
        return code


def change(now: float | int | None, before: float | int | None) -> str:
    """ "+3", "-2", "0" or "" when either is unknown."""
    if now is None or before is None:
        return ""
    difference = round(float(now) - float(before), 1)
    if difference == int(difference):
        difference = int(difference)
    return f"+{difference}" if difference > 0 else str(difference)
