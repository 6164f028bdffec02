"""National consistency (HMICFRS recommendation 6): rules as data (`ConsistencyRule`), one
evaluator per rule code, run over every ROCU and force at once (nightly as a task, or with
`concord consistency run`).

Each evaluator is one aggregate query over the whole register (the run is the system's, not a
reader's: it reads through the base managers) that yields (organisation, OCG, PI, detail) rows;
the run keeps them as `ConsistencyException`s, which readers see only through the OCG or PI
they name (`ConsistencyException.access`), and the counts per organisation and rule, which the
national comparison shows only where the national function approved them as an aggregate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from concord.core.choices import OrganisationKind
from concord.insight.choices import RuleCode, RunStatus
from concord.insight.models import (
    AuditVerification,
    ConsistencyException,
    ConsistencyRule,
    ConsistencyRun,
)
from concord.monitoring.choices import AlertKind, AlertStatus
from concord.monitoring.models import Alert
from concord.organisations.models import Organisation
from concord.ownership.choices import AppointmentRole
from concord.ownership.models import Appointment
from concord.plans.choices import DisruptionStatus, Strand
from concord.plans.models import Disruption, Objective, Plan
from concord.scoring.choices import ModelStatus
from concord.scoring.filters import LEVEL_KINDS
from concord.scoring.models import ScoringModel
from concord.threats.choices import OcgStatus
from concord.threats.models import Ocg, PriorityIndividual

CHECKED_KINDS = (OrganisationKind.ROCU, OrganisationKind.FORCE)
# The key of exceptions about no one organisation (the audit trail) in a run's counts.
NATIONAL = "national"
# The rules as first seeded (migration 0002 and the demo): code, English, Welsh, params.
DEFAULT_RULES: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        RuleCode.ASSESSED_IN_CYCLE,
        "Every mapped OCG is assessed within its re-assessment cycle.",
        "Mae pob OCG a fapiwyd yn cael ei asesu o fewn ei gylch ailasesu.",
        {"grace_days": 0},
    ),
    (
        RuleCode.BAND1_HAS_LRO,
        "Every band 1 OCG and priority individual has a current LRO.",
        "Mae gan bob OCG ac unigolyn blaenoriaeth band 1 LRO presennol.",
        {"band": "1"},
    ),
    (
        RuleCode.BAND_FITS_LEVEL,
        "The priority band and the owning level agree (the scoring model's level fit).",
        "Mae'r band blaenoriaeth a'r lefel berchnogaeth yn cytuno (ffit lefel y model sgorio).",
        {},
    ),
    (
        RuleCode.PLAN_BEYOND_PURSUE,
        "Every 4P plan has an objective beyond Pursue.",
        "Mae gan bob cynllun 4P amcan y tu hwnt i Erlid.",
        {},
    ),
    (
        RuleCode.CLAIMS_VALIDATED,
        "Disruption claims are validated or rejected within 28 days.",
        "Caiff hawliadau tarfu eu dilysu neu eu gwrthod o fewn 28 diwrnod.",
        {"days": 28},
    ),
    (
        RuleCode.ASSOCIATIONS_REVIEWED,
        "Alerts about searches for declared associations are reviewed within 7 days.",
        "Caiff rhybuddion am chwiliadau am gysylltiadau a ddatganwyd eu hadolygu o fewn 7 diwrnod.",
        {"days": 7},
    ),
    (
        RuleCode.AUDIT_VERIFIED,
        "The audit trail has been verified intact within 7 days.",
        "Mae'r trywydd archwilio wedi'i wirio'n gyfan o fewn 7 diwrnod.",
        {"days": 7},
    ),
]


def ensure_rules() -> None:
    """Create the default rules that are missing (an existing rule keeps its settings)."""
    for order, (code, english, welsh, params) in enumerate(DEFAULT_RULES, start=1):
        ConsistencyRule.objects.get_or_create(
            code=code,
            defaults={
                "description": english,
                "description_cy": welsh,
                "params": params,
                "order": order,
            },
        )


@dataclass(frozen=True)
class Found:
    organisation_id: int | None
    ocg_id: int | None = None
    priority_individual_id: int | None = None
    detail: str = ""


Evaluator = Callable[[ConsistencyRule, dt.date], Iterable[Found]]
EVALUATORS: dict[str, Evaluator] = {}


def evaluator(code: str) -> Callable[[Evaluator], Evaluator]:
    def register(function: Evaluator) -> Evaluator:
        EVALUATORS[code] = function
        return function

    return register


def _checked(owner: str = "owner") -> Q:
    return Q(**{f"{owner}__kind__in": CHECKED_KINDS})


def _number(rule: ConsistencyRule, name: str, default: int) -> int:
    try:
        return max(0, int(rule.params.get(name, default)))
    except (TypeError, ValueError):
        return default


@evaluator(RuleCode.ASSESSED_IN_CYCLE)
def assessed_in_cycle(rule: ConsistencyRule, today: dt.date) -> Iterator[Found]:
    """Active OCGs never assessed, or whose re-assessment fell due more than grace_days ago."""
    cutoff = today - dt.timedelta(days=_number(rule, "grace_days", 0))
    rows = (
        Ocg._base_manager.filter(_checked(), status=OcgStatus.ACTIVE)
        .filter(Q(review_due_on__isnull=True) | Q(review_due_on__lt=cutoff))
        .values_list("pk", "owner_id", "review_due_on")
    )
    for pk, owner, due in rows.iterator(chunk_size=5000):
        yield Found(owner, ocg_id=pk, detail=f"due {due.isoformat()}" if due else "never assessed")


def _no_current_lro(field: str, today: dt.date) -> Exists:
    return Exists(
        Appointment._base_manager.filter(
            **{field: OuterRef("pk")},
            role=AppointmentRole.LRO,
            started_on__lte=today,
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    )


@evaluator(RuleCode.BAND1_HAS_LRO)
def band1_has_lro(rule: ConsistencyRule, today: dt.date) -> Iterator[Found]:
    """Active OCGs and PIs in the band (default "1", any letter) with no current LRO."""
    band = str(rule.params.get("band", "1"))[:3]
    for model, field in ((Ocg, "ocg"), (PriorityIndividual, "priority_individual")):
        rows = (
            model._base_manager.filter(_checked(), status=OcgStatus.ACTIVE, band__startswith=band)
            .filter(~_no_current_lro(field, today))
            .values_list("pk", "owner_id", "band")
        )
        for pk, owner, found_band in rows.iterator(chunk_size=5000):
            yield Found(owner, **{f"{field}_id": pk}, detail=f"band {found_band}")


@evaluator(RuleCode.BAND_FITS_LEVEL)
def band_fits_level(rule: ConsistencyRule, today: dt.date) -> Iterator[Found]:
    """Active items whose band the published scoring model says fits other owning levels."""
    model = (
        ScoringModel.objects.filter(status=ModelStatus.PUBLISHED)
        .order_by("-published_at", "-pk")
        .first()
    )
    if model is None or not model.level_fit:
        return
    wrong = Q(pk__in=[])
    for band, levels in model.level_fit.items():
        kinds = [kind for level in levels for kind in LEVEL_KINDS.get(level, [])]
        wrong |= Q(band__startswith=str(band)) & ~Q(owner__kind__in=kinds)
    for model_class, field in ((Ocg, "ocg"), (PriorityIndividual, "priority_individual")):
        rows = (
            model_class._base_manager.filter(_checked(), status=OcgStatus.ACTIVE)
            .exclude(band="")
            .filter(wrong)
            .values_list("pk", "owner_id", "band", "owner__kind")
        )
        for pk, owner, band_found, kind in rows.iterator(chunk_size=5000):
            yield Found(owner, **{f"{field}_id": pk}, detail=f"band {band_found} at {kind}")


@evaluator(RuleCode.PLAN_BEYOND_PURSUE)
def plan_beyond_pursue(rule: ConsistencyRule, today: dt.date) -> Iterator[Found]:
    """Plans of active items with no objective in Prevent, Protect or Prepare."""
    beyond = Objective.objects.filter(plan=OuterRef("pk")).exclude(strand=Strand.PURSUE)
    rows = (
        Plan._base_manager.annotate(
            owner=Coalesce("ocg__owner_id", "priority_individual__owner_id")
        )
        .filter(
            Q(ocg__status=OcgStatus.ACTIVE, ocg__owner__kind__in=CHECKED_KINDS)
            | Q(
                priority_individual__status=OcgStatus.ACTIVE,
                priority_individual__owner__kind__in=CHECKED_KINDS,
            )
        )
        .filter(~Exists(beyond))
        .values_list("ocg_id", "priority_individual_id", "owner")
    )
    for ocg, pi, owner in rows.iterator(chunk_size=5000):
        yield Found(owner, ocg_id=ocg, priority_individual_id=pi, detail="Pursue only")


@evaluator(RuleCode.CLAIMS_VALIDATED)
def claims_validated(rule: ConsistencyRule, today: dt.date) -> Iterator[Found]:
    """Items with disruption claims still unvalidated after `days`, one row per item."""
    days = _number(rule, "days", 28)
    cutoff = timezone.now() - dt.timedelta(days=days)
    rows = (
        Disruption._base_manager.filter(status=DisruptionStatus.CLAIMED, claimed_at__lt=cutoff)
        .annotate(owner=Coalesce("ocg__owner_id", "priority_individual__owner_id"))
        .filter(
            Q(ocg__owner__kind__in=CHECKED_KINDS)
            | Q(priority_individual__owner__kind__in=CHECKED_KINDS)
        )
        .values("ocg_id", "priority_individual_id", "owner")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows.iterator(chunk_size=5000):
        yield Found(
            row["owner"],
            ocg_id=row["ocg_id"],
            priority_individual_id=row["priority_individual_id"],
            detail=f"{row['n']} claim(s) older than {days} days",
        )


@evaluator(RuleCode.ASSOCIATIONS_REVIEWED)
def associations_reviewed(rule: ConsistencyRule, today: dt.date) -> Iterator[Found]:
    """Organisations with alerts about declared associations open longer than `days`."""
    days = _number(rule, "days", 7)
    rows = (
        Alert.objects.filter(
            kind=AlertKind.ASSOCIATION_SEARCH,
            status=AlertStatus.OPEN,
            raised_at__lt=timezone.now() - dt.timedelta(days=days),
            organisation__kind__in=CHECKED_KINDS,
        )
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        yield Found(row["organisation_id"], detail=f"{row['n']} alert(s) open over {days} days")


@evaluator(RuleCode.AUDIT_VERIFIED)
def audit_verified(rule: ConsistencyRule, today: dt.date) -> Iterator[Found]:
    """No intact verification of the audit trail within `days` (one national exception)."""
    days = _number(rule, "days", 7)
    since = timezone.now() - dt.timedelta(days=days)
    last = AuditVerification.objects.order_by("-verified_at").first()
    if last is None:
        yield Found(None, detail="never verified")
    elif not last.ok:
        yield Found(None, detail=f"broken: {last.problem}"[:300])
    elif last.verified_at < since:
        yield Found(None, detail=f"last verified {last.verified_at.date().isoformat()}")


def verify_audit() -> AuditVerification:
    """Run `audit verify` and keep its result for the rule and the oversight pack."""
    from concord.core import audit

    result = audit.verify()
    return AuditVerification.objects.create(
        verified_at=timezone.now(),
        ok=result.ok,
        entries=result.entries,
        problem=str(result.problem or "")[:300],
    )


Progress = Callable[[int, int, str], None]


def run(
    *, actor: Any = None, today: dt.date | None = None, progress: Progress | None = None
) -> ConsistencyRun:
    """Evaluate every enabled rule over every ROCU and force and keep the exceptions."""
    today = today or timezone.localdate()
    ensure_rules()
    rules = list(ConsistencyRule.objects.filter(enabled=True))
    consistency_run = ConsistencyRun.objects.create(
        started_at=timezone.now(), started_by=actor if getattr(actor, "pk", None) else None
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    codes = dict(Organisation.objects.filter(kind__in=CHECKED_KINDS).values_list("pk", "code"))
    found_count = 0
    try:
        with transaction.atomic():
            for i, rule in enumerate(rules):
                if progress:
                    progress(i, len(rules), rule.code)
                function = EVALUATORS.get(rule.code)
                if function is None:
                    continue
                batch: list[ConsistencyException] = []
                for found in function(rule, today):
                    found_count += 1
                    batch.append(
                        ConsistencyException(
                            run=consistency_run,
                            rule=rule,
                            organisation_id=found.organisation_id,
                            ocg_id=found.ocg_id,
                            priority_individual_id=found.priority_individual_id,
                            detail=found.detail[:300],
                        )
                    )
                    code = codes.get(found.organisation_id or 0, "")
                    counts[code or NATIONAL][rule.code] += 1
                    if len(batch) >= 2000:
                        ConsistencyException.objects.bulk_create(batch)
                        batch = []
                ConsistencyException.objects.bulk_create(batch)
            consistency_run.counts = {org: dict(by_rule) for org, by_rule in counts.items()}
            consistency_run.found = found_count
            consistency_run.finished_at = timezone.now()
            consistency_run.status = RunStatus.FINISHED
            consistency_run.save()
    except Exception:
        ConsistencyRun.objects.filter(pk=consistency_run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now()
        )
        raise
    if progress:
        progress(len(rules), len(rules), "done")
    return consistency_run


def latest_run() -> ConsistencyRun | None:
    return ConsistencyRun.objects.filter(status=RunStatus.FINISHED).first()
