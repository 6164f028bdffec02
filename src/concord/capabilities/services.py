"""Changes to capability, capacity and funding: units, posts and the streams paying for them,
force contributions, amounts per year, and publishing a catalogue version (needs and
the allocation are in demand.py).

Each service checks the named action, validates the whole change before writing anything
(`ValidationError` naming the field: a post funded 130%, negative hours, an unknown
capability), writes in one transaction and records the change in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.capabilities.choices import (
    CatalogueStatus,
    ContributionBasis,
    FundingKind,
    PostStatus,
)
from concord.capabilities.models import (
    ONE,
    BandNeed,
    Capability,
    Catalogue,
    Demand,
    ForceContribution,
    FundingStream,
    FundingYear,
    Post,
    PostFunding,
    Unit,
)
from concord.core import audit, policy
from concord.core.choices import OrganisationKind, RoleCode
from concord.core.models import AuditAction
from concord.core.policy import Act
from concord.organisations.models import Organisation

# Who keeps an organisation's capacity and funding: its business leads.
CAPACITY_KEEPERS = frozenset(
    {RoleCode.CHIEF_OFFICER, RoleCode.SRO, RoleCode.TASKING_CHAIR, RoleCode.ADMINISTRATOR}
)


def _organisation_of(obj: Any) -> Organisation | None:
    if isinstance(obj, Organisation):
        return obj
    for path in (
        "organisation",
        "unit.organisation",
        "stream.organisation",
        "post.unit.organisation",
    ):
        target: Any = obj
        for name in path.split("."):
            target = getattr(target, name, None)
            if target is None:
                break
        if isinstance(target, Organisation):
            return target
    return None


@policy.rule(Act.MANAGE_CAPACITY)
def _may_manage_capacity(user: Any, obj: Any) -> bool:
    """An organisation's chief officers, SROs, tasking chairs and administrators keep its
    units, posts and funding (never a partner's: partners hold none)."""
    organisation = _organisation_of(obj)
    if organisation is None or organisation.kind == OrganisationKind.PARTNER:
        return False
    acting = user.acting_organisation()
    return bool(
        acting is not None
        and acting.pk == organisation.pk
        and user.vetting_is_current()
        and user.role_codes & CAPACITY_KEEPERS
    )


def as_decimal(value: Any, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return number


def validated(obj: Any, exclude: Sequence[str] = ()) -> None:
    """The model's own validation (ranges, choices, lengths, uniqueness), as field errors."""
    obj.full_clean(exclude=list(exclude))


def current_catalogue() -> Catalogue:
    found = Catalogue.objects.filter(status=CatalogueStatus.PUBLISHED).first()
    if found is None:
        raise ValidationError(_("No capability catalogue is published."))
    return found


def capability(code: str, field: str = "capability") -> Capability:
    """The current catalogue's capability with this code, or an error naming the field."""
    found = Capability.objects.current().filter(code=str(code).strip()).first()
    if found is None:
        raise ValidationError(
            {field: _("Unknown capability “%(code)s”.") % {"code": str(code)[:60]}}
        )
    return found


# --- units and posts -------------------------------------------------------------------


@transaction.atomic
def save_unit(
    *,
    actor: Any,
    organisation: Organisation,
    capability: Capability,
    name: str,
    notes: str = "",
    unit: Unit | None = None,
) -> Unit:
    """Record (or change) an organisation's unit for a capability."""
    policy.require(actor, Act.MANAGE_CAPACITY, organisation)
    if capability.catalogue.status != CatalogueStatus.PUBLISHED:
        raise ValidationError({"capability": _("Choose a capability of the current catalogue.")})
    before = audit.snapshot(unit) if unit is not None else {}
    target = unit or Unit(organisation=organisation)
    if target.organisation_id != organisation.pk:
        raise ValidationError({"organisation": _("A unit stays with its organisation.")})
    target.capability = capability
    target.name = name.strip()
    target.notes = notes.strip()
    validated(target)
    target.save()
    audit.record(
        AuditAction.UPDATE if unit is not None else AuditAction.CREATE,
        actor=actor,
        object_type="capabilities.unit",
        object_id=str(target.pk),
        object_repr=target.name,
        owner_code=organisation.code,
        changes=audit.diff(before, audit.snapshot(target)),
    )
    return target


@dataclass(frozen=True)
class PostDetails:
    """What a post holds, as entered (strings or numbers); checked by `save_post`."""

    reference: str
    role: str
    fte: Any
    hours: Any
    vetting: str
    status: str = PostStatus.FILLED
    starts: dt.date | None = None
    ends: dt.date | None = None
    training_pct: Any = 0
    leave_pct: Any = 0


def check_funding(
    funding: Iterable[tuple[FundingStream, Any]],
    *,
    organisation: Organisation,
    field: str = "funding",
) -> list[tuple[FundingStream, Decimal]]:
    """A post's funding as (stream, share) pairs: each share above 0 and at most 1, each stream
    the post's organisation's and named once, and all together at most 100%."""
    checked: list[tuple[FundingStream, Decimal]] = []
    seen: set[int] = set()
    for index, (stream, raw) in enumerate(funding):
        where = f"{field}[{index}]"
        share = as_decimal(raw, f"{where}.share")
        if share <= 0 or share > ONE:
            raise ValidationError(
                {f"{where}.share": _("A share is more than 0 and at most 1 (100%).")}
            )
        if stream.organisation_id != organisation.pk:
            raise ValidationError(
                {f"{where}.stream": _("Choose one of the post's organisation's funding streams.")}
            )
        if stream.pk in seen:
            raise ValidationError({f"{where}.stream": _("Each stream is named once.")})
        seen.add(stream.pk)
        checked.append((stream, share))
    total = sum((share for _stream, share in checked), Decimal("0"))
    if total > ONE:
        raise ValidationError(
            {
                field: _("The shares add up to %(total)s%%: a post is funded at most 100%%.")
                % {"total": f"{total * 100:.1f}".rstrip("0").rstrip(".")}
            }
        )
    return checked


@transaction.atomic
def save_post(
    *,
    actor: Any,
    unit: Unit,
    details: PostDetails,
    funding: Iterable[tuple[FundingStream, Any]] = (),
    post: Post | None = None,
) -> Post:
    """Record (or change) a post and the streams paying for it, all or nothing."""
    policy.require(actor, Act.MANAGE_CAPACITY, unit)
    if post is not None and post.unit_id != unit.pk:
        raise ValidationError({"unit": _("A post stays in its unit.")})
    before = audit.snapshot(post) if post is not None else {}
    target = post or Post(unit=unit)
    target.reference = details.reference.strip()
    target.role = details.role.strip()
    target.fte = as_decimal(details.fte, "fte")
    target.hours = as_decimal(details.hours, "hours")
    target.training_pct = as_decimal(details.training_pct, "training_pct")
    target.leave_pct = as_decimal(details.leave_pct, "leave_pct")
    target.vetting = details.vetting
    target.status = details.status
    if details.starts is None:
        raise ValidationError({"starts": _("Enter the date the post starts.")})
    target.starts = details.starts
    target.ends = details.ends
    if target.ends is not None and target.ends < target.starts:
        raise ValidationError({"ends": _("A post ends on or after the day it starts.")})
    if target.training_pct + target.leave_pct >= 100:
        raise ValidationError(
            {"leave_pct": _("Training and leave together take less than 100% of a post.")}
        )
    shares = check_funding(funding, organisation=unit.organisation)
    validated(target)
    target.save()
    PostFunding.objects.filter(post=target).delete()
    PostFunding.objects.bulk_create(
        PostFunding(post=target, stream=stream, share=share) for stream, share in shares
    )
    changes = audit.diff(before, audit.snapshot(target))
    changes["funding"] = [None, {stream.code: str(share) for stream, share in shares}]
    audit.record(
        AuditAction.UPDATE if post is not None else AuditAction.CREATE,
        actor=actor,
        object_type="capabilities.post",
        object_id=str(target.pk),
        object_repr=str(target),
        owner_code=unit.organisation.code,
        changes=changes,
    )
    return target


# --- funding ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamDetails:
    code: str
    name: str
    kind: str
    starts: dt.date | None
    ends: dt.date | None = None
    basis: str = ""
    notes: str = ""


@transaction.atomic
def save_stream(
    *,
    actor: Any,
    organisation: Organisation,
    details: StreamDetails,
    years: Mapping[int, Any] | None = None,
    ring_fenced: Iterable[Capability] = (),
    contributions: Mapping[Organisation, Any] | None = None,
    stream: FundingStream | None = None,
) -> FundingStream:
    """Record (or change) a funding stream with its amounts per financial year, its
    ring-fencing and (for force contributions) each force's weight."""
    policy.require(actor, Act.MANAGE_CAPACITY, organisation)
    if stream is not None and stream.organisation_id != organisation.pk:
        raise ValidationError({"organisation": _("A stream stays with its organisation.")})
    before = audit.snapshot(stream) if stream is not None else {}
    target = stream or FundingStream(organisation=organisation)
    target.code = details.code.strip()
    target.name = details.name.strip()
    target.kind = details.kind
    if details.starts is None:
        raise ValidationError({"starts": _("Enter the date the funding starts.")})
    target.starts = details.starts
    target.ends = details.ends
    if target.ends is not None and target.ends < target.starts:
        raise ValidationError({"ends": _("Funding ends on or after the day it starts.")})
    is_contributions = details.kind == FundingKind.FORCE_CONTRIBUTIONS
    target.basis = details.basis or (ContributionBasis.EQUAL if is_contributions else "")
    if target.basis and not is_contributions:
        raise ValidationError({"basis": _("Only force contributions are shared by a basis.")})
    target.notes = details.notes.strip()
    amounts: dict[int, Decimal] = {}
    for year, raw in sorted((years or {}).items()):
        field = f"years[{year}]"
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            raise ValidationError({field: _("A financial year is named by its first year.")})
        amount = as_decimal(raw, field)
        if amount < 0:
            raise ValidationError({field: _("An amount is not negative.")})
        first, last = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
        if last < target.starts or (target.ends is not None and first > target.ends):
            raise ValidationError({field: _("This year is outside the stream's dates.")})
        amounts[year] = amount
    weights: dict[Organisation, Decimal] = {}
    for force, raw in (contributions or {}).items():
        field = f"contributions[{force.code}]"
        if not is_contributions:
            raise ValidationError({field: _("Only force contributions have forces' weights.")})
        if force.kind != OrganisationKind.FORCE:
            raise ValidationError({field: _("Only a police force contributes.")})
        weight = as_decimal(raw, field)
        if weight < 0:
            raise ValidationError({field: _("A weight is not negative.")})
        weights[force] = Decimal("1") if target.basis == ContributionBasis.EQUAL else weight
    if weights and sum(weights.values()) <= 0:
        raise ValidationError({"contributions": _("At least one force contributes.")})
    capabilities = list(ring_fenced)
    if any(c.catalogue.status != CatalogueStatus.PUBLISHED for c in capabilities):
        raise ValidationError({"ring_fenced": _("Choose capabilities of the current catalogue.")})
    validated(target)
    target.save()
    target.ring_fenced.set(capabilities)
    if years is not None:
        FundingYear.objects.filter(stream=target).delete()
        FundingYear.objects.bulk_create(
            FundingYear(stream=target, year=y, amount=a) for y, a in amounts.items()
        )
    if contributions is not None:
        ForceContribution.objects.filter(stream=target).delete()
        ForceContribution.objects.bulk_create(
            ForceContribution(stream=target, force=f, weight=w) for f, w in weights.items()
        )
    changes = audit.diff(before, audit.snapshot(target))
    changes["ring_fenced"] = [None, sorted(c.code for c in capabilities)]
    if years is not None:
        changes["years"] = [None, {str(y): str(a) for y, a in amounts.items()}]
    if contributions is not None:
        changes["contributions"] = [None, {f.code: str(w) for f, w in weights.items()}]
    audit.record(
        AuditAction.UPDATE if stream is not None else AuditAction.CREATE,
        actor=actor,
        object_type="capabilities.fundingstream",
        object_id=str(target.pk),
        object_repr=target.name,
        owner_code=organisation.code,
        changes=changes,
    )
    return target


@transaction.atomic
def mark_ending(*, actor: Any, stream: FundingStream, ends: dt.date, reason: str) -> FundingStream:
    """Record that a stream ends (a grant not renewed): from the day after, the posts it pays
    lose that funding; amounts recorded for financial years after it are removed."""
    policy.require(actor, Act.MANAGE_CAPACITY, stream.organisation)
    text = reason.strip()
    if len(text) < 10:
        raise ValidationError({"reason": _("Say why it ends (at least ten characters).")})
    if len(text) > 2000:
        raise ValidationError({"reason": _("Keep the reason to 2,000 characters.")})
    if ends < stream.starts:
        raise ValidationError({"ends": _("Funding ends on or after the day it starts.")})
    before = audit.snapshot(stream)
    stream.ends = ends
    stream.save(update_fields=["ends", "updated_at"])
    # A financial year starting after the last day has no money from the stream.
    dropped = list(
        FundingYear.objects.filter(stream=stream, year__gte=ends.year + (ends.month >= 4))
        .order_by("year")
        .values_list("year", flat=True)
    )
    FundingYear.objects.filter(stream=stream, year__in=dropped).delete()
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type="capabilities.fundingstream",
        object_id=str(stream.pk),
        object_repr=stream.name,
        owner_code=stream.organisation.code,
        changes={**audit.diff(before, audit.snapshot(stream)), "years_removed": [dropped, None]},
        detail={"stream": "marked ending", "reason": text},
    )
    return stream


def contribution_shares(stream: FundingStream) -> dict[int, Decimal]:
    """Each contributing force's share of the stream (force id → fraction of 1)."""
    weights = {c.force_id: c.weight for c in stream.contributions.all()}
    total = sum(weights.values(), Decimal("0"))
    if total <= 0:
        return {}
    return {force: weight / total for force, weight in weights.items()}


# --- the catalogue --------------------------------------------------------------------------


@transaction.atomic
def publish_catalogue(
    *, actor: Any, catalogue: Catalogue, renamed: Mapping[str, str] | None = None
) -> Catalogue:
    """Publish a draft catalogue: units, streams' ring-fencing, needs and band needs move to
    its capabilities by code (or by `renamed`: old code → new code); the old version retires.
    A code in use that the new version drops, unmapped, is refused by name."""
    acting = actor.acting_organisation()
    if not (
        RoleCode.ADMINISTRATOR in actor.role_codes
        and acting is not None
        and acting.kind == OrganisationKind.NATIONAL
    ):
        # The catalogue is national: a national organisation's administrators publish it.
        raise PermissionDenied(_("Only a national administrator publishes the catalogue."))
    if catalogue.status != CatalogueStatus.DRAFT:
        raise ValidationError({"catalogue": _("Only a draft catalogue can be published.")})
    mapping = dict(renamed or {})
    new = {c.code: c for c in catalogue.capabilities.all()}
    old = Catalogue.objects.filter(status=CatalogueStatus.PUBLISHED).first()
    if old is not None:
        for previous in old.capabilities.all():
            code = mapping.get(previous.code, previous.code)
            in_use = (
                Unit.objects.filter(capability=previous).exists()
                or Demand.objects.filter(capability=previous).exists()
            )
            if code not in new:
                if in_use:
                    raise ValidationError(
                        {
                            "renamed": _(
                                "“%(code)s” is in use and the new version drops it: map it to "
                                "one of the new codes."
                            )
                            % {"code": previous.code}
                        }
                    )
                continue
            target = new[code]
            Unit.objects.filter(capability=previous).update(capability=target)
            Demand.objects.filter(capability=previous).update(capability=target)
            BandNeed.objects.filter(capability=previous).exclude(
                band__in=BandNeed.objects.filter(capability=target).values("band")
            ).update(capability=target)
            for stream in FundingStream.objects.filter(ring_fenced=previous):
                stream.ring_fenced.remove(previous)
                stream.ring_fenced.add(target)
        old.status = CatalogueStatus.RETIRED
        old.save(update_fields=["status"])
    catalogue.status = CatalogueStatus.PUBLISHED
    catalogue.published_at = timezone.now()
    catalogue.published_by = actor
    catalogue.save(update_fields=["status", "published_at", "published_by"])
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type="capabilities.catalogue",
        object_id=str(catalogue.pk),
        object_repr=str(catalogue),
        changes={"status": [CatalogueStatus.DRAFT, CatalogueStatus.PUBLISHED]},
        detail={"renamed": mapping, "retired": old.version if old is not None else None},
    )
    return catalogue
