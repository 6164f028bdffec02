"""Building a meeting's agenda from the register, as the forum's chair may see it.

Each kind of item is one query over what the forum covers (its force; its ROCU and the
region's forces; or the nation) at the levels the meeting takes in (a national forum: what is
owned nationally or banded 1, unless the chair widens it), read through the chair's access
policy and capped, so a national forum over thousands of OCGs gets a readable agenda: the
highest-priority entries of each kind and a line saying how many more there are. A register
item found for several reasons (new, and its re-assessment overdue) is one entry with every
reason; what the register says is kept as notes with codes (meetings/notes.py), rendered in
each reader's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from concord.capabilities.choices import GapStatus
from concord.capabilities.models import Gap
from concord.capabilities.models.gaps import RANKING
from concord.core.choices import OrganisationKind
from concord.meetings.choices import ITEM_ORDER, ForumLevel, ItemKind
from concord.meetings.models import Forum, Meeting, MeetingAction
from concord.meetings.notes import Note, note
from concord.ownership import services as ownership
from concord.ownership.choices import OPEN_STATUSES, TASKING_AWAITING
from concord.ownership.models import Appointment, TaskingRequest, TransferRequest
from concord.ownership.transfers import deciding_organisation
from concord.plans.choices import DisruptionStatus
from concord.plans.models import Disruption, Plan
from concord.scoring.choices import OwnerLevel
from concord.scoring.defaults import LEVEL_FIT
from concord.scoring.filters import LEVEL_KINDS
from concord.scoring.models import ScoringModel, published_model
from concord.threats.models import REGISTER_ITEMS, RegisterItem

PER_KIND = 20
# Levels from the lowest: an agenda takes in its level and those above it.
LEVELS = [ForumLevel.FORCE, ForumLevel.REGION, ForumLevel.NATIONAL]


@dataclass
class Entry:
    kind: str
    title: str
    note: str = ""
    target: Any = None
    subject: RegisterItem | None = None
    band_rank: int | None = None
    notes: list[Note] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.reasons:
            self.reasons = [self.kind]

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (ITEM_ORDER[self.kind], self.band_rank or 99, self.title)

    @property
    def decides_other(self) -> bool:
        """Whether a decision on it acts on something other than its register item."""
        return self.target is not None and self.target is not self.subject


def covered(forum: Forum) -> Q:
    """Owners a forum covers: its own force; its ROCU and the region's forces; the nation."""
    organisation = forum.organisation
    if forum.level == ForumLevel.NATIONAL:
        return Q()
    if forum.level == ForumLevel.REGION:
        return Q(owner=organisation) | Q(
            owner__region_id=organisation.region_id, owner__kind=OrganisationKind.FORCE
        )
    return Q(owner=organisation)


def band_levels(model: ScoringModel | None) -> dict[str, str]:
    """The level each band number belongs at: the highest owning level that fits it."""
    fit: dict[str, list[str]] = (model.level_fit if model is not None else None) or LEVEL_FIT
    return {
        number: max(levels, key=lambda level: LEVELS.index(ForumLevel(level)))
        for number, levels in fit.items()
        if levels
    }


def at_level(level: str, model: ScoringModel | None) -> Q:
    """Register items for an agenda of `level`: owned at that level or above, or banded for
    it (a national agenda: what the NCA owns and band 1 wherever it is held)."""
    floor = LEVELS.index(ForumLevel(level))
    if floor == 0:
        return Q()
    levels = LEVELS[floor:]
    kinds = [kind for lvl in levels for kind in LEVEL_KINDS[OwnerLevel(lvl)]]
    q = Q(owner__kind__in=kinds)
    for number, band_level in band_levels(model).items():
        if LEVELS.index(ForumLevel(band_level)) >= floor:
            q |= Q(band__startswith=number)
    return q


def since(forum: Forum, meeting: Meeting) -> dt.datetime:
    """New since the forum last met (or one cycle back)."""
    last = (
        forum.meetings.filter(held_at__isnull=False, starts_at__lt=meeting.starts_at)
        .order_by("-starts_at")
        .first()
    )
    if last is not None and last.held_at is not None:
        return last.held_at
    return meeting.starts_at - dt.timedelta(days=forum.cadence_days)


def _label(item: RegisterItem) -> str:
    band = f" ({item.band})" if item.band else ""
    return f"{item.reference} {item.name}{band}"


def _score(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _capped(kind: str, items: QuerySet[Any], make: Any) -> list[Entry]:
    found = list(items[: PER_KIND + 1])
    entries = [make(x) for x in found[:PER_KIND]]
    if len(found) > PER_KIND:
        total = items.count()
        entries.append(Entry(kind, "", notes=[note("more", kind=kind, n=total - PER_KIND)]))
    return entries


class Scope:
    """What one agenda takes in: the forum's owners, through the chair's eyes, at its level."""

    def __init__(self, meeting: Meeting, model: ScoringModel | None) -> None:
        self.forum = meeting.forum
        self.chair = self.forum.chair
        self.model = model
        self.level_q = at_level(meeting.level, model)

    def items(self, kind: str) -> QuerySet[Any]:
        return (
            REGISTER_ITEMS[kind]
            .objects.visible_to(self.chair)
            .filter(covered(self.forum), status="active")
            .filter(self.level_q)
        )


def _mismatch_q(model: ScoringModel | None) -> Q:
    """Bands held at a level that does not fit them (model.level_fit)."""
    if model is None:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    for number, fits in model.level_fit.items():
        wrong = [
            k
            for level in OwnerLevel.values
            if level not in fits
            for k in LEVEL_KINDS[OwnerLevel(level)]
        ]
        q |= Q(band__startswith=str(number), owner__kind__in=wrong)
    return q


def _entry(kind: str, item: RegisterItem, *notes: Note) -> Entry:
    return Entry(kind, _label(item), "", item, item, item.band_rank, list(notes))


def build(meeting: Meeting) -> list[Entry]:
    """Every agenda entry for the meeting, one per register item (with all its reasons),
    highest priority first within each kind."""
    forum = meeting.forum
    chair = forum.chair
    start = since(forum, meeting)
    today = timezone.localdate()
    try:
        model: ScoringModel | None = published_model()
    except ScoringModel.DoesNotExist:
        model = None
    scope = Scope(meeting, model)
    entries: list[Entry] = []

    transfers = (
        TransferRequest.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(to_organisation=forum.organisation) | Q(from_organisation=forum.organisation))
        .select_related(
            "ocg", "priority_individual", "from_organisation", "to_organisation", "requested_by"
        )
        .order_by("requested_at")
    )
    for transfer in transfers:
        if (
            transfer.status == "accepted"
            or deciding_organisation(transfer) != forum.organisation_id
        ):
            continue
        item = transfer.subject
        entries.append(
            Entry(
                ItemKind.TRANSFER,
                _label(item),
                transfer.reason,
                transfer,
                item,
                item.band_rank,
                [
                    note(
                        "transfer",
                        kind=transfer.kind,
                        **{
                            "from": transfer.from_organisation.code,
                            "to": transfer.to_organisation.code,
                        },
                    )
                ],
            )
        )
    taskings = (
        TaskingRequest.objects.visible_to(chair)
        .filter(to_organisation=forum.organisation, status__in=TASKING_AWAITING)
        .select_related("owner")
        .order_by("respond_by")
    )
    entries += [
        Entry(
            ItemKind.TASKING,
            f"{t.reference} {t.capability}",
            t.asked,
            t,
            notes=[note("tasking", date=t.respond_by, **{"from": t.owner.code})],
        )
        for t in taskings
    ]
    ranking = ("band_rank", "-risk_score", "reference")
    mismatch = _mismatch_q(model)
    fit = model.level_fit if model is not None else {}
    for kind in REGISTER_ITEMS:
        ordered = scope.items(kind).select_related("owner").order_by(*ranking)
        entries += _capped(
            ItemKind.NEW,
            ordered.filter(created_at__gte=start),
            lambda i: _entry(
                ItemKind.NEW,
                i,
                note(
                    "new",
                    org=i.owner.code,
                    date=getattr(i, "mapped_on", None) or timezone.localtime(i.created_at).date(),
                    band=i.band,
                ),
            ),
        )
        entries += _capped(
            ItemKind.RESCORED,
            ordered.filter(assessed_on__gte=start.date(), created_at__lt=start),
            lambda i: _entry(
                ItemKind.RESCORED,
                i,
                note("rescored", date=i.assessed_on, band=i.band, score=_score(i.risk_score)),
            ),
        )
        entries += _capped(
            ItemKind.MISMATCH,
            ordered.filter(mismatch),
            lambda i: _entry(
                ItemKind.MISMATCH,
                i,
                note(
                    "mismatch",
                    band=i.band,
                    org=i.owner.code,
                    kind=i.owner.kind,
                    fits=list(fit.get(i.band[:1], [])),
                ),
            ),
        )
        entries += _capped(
            ItemKind.REASSESSMENT,
            ordered.filter(review_due_on__lt=today),
            lambda i: _entry(
                ItemKind.REASSESSMENT,
                i,
                note("reassessment", date=i.review_due_on, days=(today - i.review_due_on).days),
            ),
        )
    entries += _capacity(meeting, scope)
    entries += _vacancies(scope, today)
    entries += _plans_and_disruptions(scope, today)
    entries += [
        Entry(
            ItemKind.ACTION,
            a.description[:300],
            "",
            a,
            a.register_item,
            notes=[
                note(
                    "action",
                    set=timezone.localtime(a.meeting.starts_at).date(),
                    owner=a.owner.get_full_name() or a.owner.username,
                    due=a.due_on,
                )
            ],
        )
        for a in MeetingAction.objects.visible_to(chair)
        .filter(meeting__forum=forum, done_at__isnull=True)
        .exclude(meeting=meeting)
        .select_related("owner", "meeting", "ocg", "priority_individual", "vulnerability")
    ]
    merged = merge(entries)
    merged.sort(key=lambda e: e.sort_key)
    return merged


def merge(entries: list[Entry]) -> list[Entry]:
    """One entry per register item, carrying every reason and note, in agenda order. An entry
    for a request or claim about the item takes the item's other reasons (its decision acts
    on the request); a second request about the same item stays an entry of its own, as do
    open actions."""
    ordered = sorted(entries, key=lambda e: e.sort_key)
    by_item: dict[tuple[str, int], Entry] = {}
    result: list[Entry] = []
    for entry in ordered:
        subject = entry.subject
        if subject is None or entry.kind == ItemKind.ACTION:
            result.append(entry)
            continue
        key = (subject.kind_code, subject.pk)
        kept = by_item.get(key)
        if kept is None:
            by_item[key] = entry
            result.append(entry)
            continue
        if kept.decides_other and entry.decides_other:
            result.append(entry)
            continue
        if entry.decides_other:
            kept.target = entry.target
        for reason in entry.reasons:
            if reason not in kept.reasons:
                kept.reasons.append(reason)
        kept.reasons.sort(key=lambda r: ITEM_ORDER[r])
        kept.kind = kept.reasons[0]
        kept.notes += entry.notes
        kept.note = "\n".join(text for text in (kept.note, entry.note) if text)
    return result


def _capacity(meeting: Meeting, scope: Scope) -> list[Entry]:
    """Open capability gaps and flex requests the forum decides: a regional group's, of the
    threats its region's organisations hold; the national group's, of those at its level.
    A force's meeting has none (capacity is flexed by its ROCU)."""
    forum = meeting.forum
    gaps = Gap.objects.visible_to(scope.chair).filter(status=GapStatus.OPEN)
    if forum.level == ForumLevel.REGION and forum.organisation.region_id is not None:
        gaps = gaps.filter(organisation__region_id=forum.organisation.region_id)
    elif forum.level == ForumLevel.NATIONAL:
        at_level = Q(pk__in=[])
        for kind, field_name in GAP_SUBJECTS.items():
            at_level |= Q(**{f"{field_name}__in": scope.items(kind).values("pk")})
        gaps = gaps.filter(at_level)
    else:
        return []
    return _capped(
        ItemKind.CAPACITY,
        gaps.order_by(*RANKING).select_related(
            "capability",
            "organisation",
            "proposed_from",
            "ocg__owner",
            "priority_individual__owner",
            "vulnerability__owner",
        ),
        _gap_entry,
    )


GAP_SUBJECTS = {"ocg": "ocg", "pi": "priority_individual", "vulnerability": "vulnerability"}


def _gap_entry(gap: Gap) -> Entry:
    item = gap.register_item
    lender = gap.proposed_from
    return Entry(
        ItemKind.CAPACITY,
        f"{_label(item)}: {gap.capability.name}",
        "",
        gap,
        item,
        item.band_rank,
        [
            note(
                "gap",
                capability=gap.capability.name,
                capability_cy=gap.capability.name_cy,
                unit=gap.capability.unit,
                needed=gap.needed,
                unmet=gap.unmet,
                weeks=gap.weeks,
                date=gap.starts,
                owner=gap.organisation.code,
                lender=lender.code if lender is not None else "",
                proposed=gap.proposed,
            )
        ],
    )


def _vacancies(scope: Scope, today: dt.date) -> list[Entry]:
    entries: list[Entry] = []
    # The clock runs from mapping or designation (ownership.services.vacancies).
    since = ownership.lro_vacancy_since()
    for kind, field_name in (("ocg", "ocg"), ("pi", "priority_individual")):
        items = scope.items(kind)
        with_lro = Appointment.objects.filter(
            role="lro", ended_on__isnull=True, **{f"{field_name}__isnull": False}
        ).values(f"{field_name}_id")
        entries += _capped(
            ItemKind.VACANCY,
            items.filter(ownership.on_register_before(REGISTER_ITEMS[kind], since))
            .exclude(pk__in=with_lro)
            .order_by("band_rank", "reference"),
            lambda i: _entry(
                ItemKind.VACANCY,
                i,
                note(
                    "no_lro",
                    date=getattr(i, "mapped_on", None) or timezone.localtime(i.created_at).date(),
                ),
            ),
        )
        lapsed = (
            Appointment.objects.filter(
                ended_on__isnull=True,
                role__in=["sio", "lro"],
                **{f"{field_name}__in": items},
            )
            .filter(Q(person__is_active=False) | Q(person__vetting_expires__lt=today))
            .select_related(field_name, "person")
        )
        for post in lapsed[:PER_KIND]:
            entries.append(
                _entry(
                    ItemKind.VACANCY,
                    post.subject,
                    note("post_lapsed", role=post.role, name=str(post.person)),
                )
            )
    return entries


def _plans_and_disruptions(scope: Scope, today: dt.date) -> list[Entry]:
    entries: list[Entry] = []
    for kind, field_name in (("ocg", "ocg"), ("pi", "priority_individual")):
        items = scope.items(kind)
        entries += _capped(
            ItemKind.REVIEW,
            Plan.objects.filter(**{f"{field_name}__in": items}, next_review_on__lt=today)
            .select_related(field_name)
            .order_by(f"{field_name}__band_rank", "next_review_on"),
            lambda p: _entry(ItemKind.REVIEW, p.subject, note("review", date=p.next_review_on)),
        )
        entries += _capped(
            ItemKind.DISRUPTION,
            Disruption.objects.filter(
                **{f"{field_name}__in": items}, status=DisruptionStatus.CLAIMED
            )
            .select_related(field_name, "impact", "claimed_for")
            .order_by("impact__rank", "occurred_on"),
            lambda d: Entry(
                ItemKind.DISRUPTION,
                _label(d.subject),
                d.narrative,
                d,
                d.subject,
                d.subject.band_rank,
                [
                    note(
                        "disruption",
                        impact=d.impact.name,
                        impact_cy=d.impact.name_cy,
                        strand=d.strand,
                        date=d.occurred_on,
                    )
                ],
            ),
        )
    return entries


def content_of(entry: Entry) -> tuple[ContentType | None, int | None]:
    if entry.target is None:
        return None, None
    return ContentType.objects.get_for_model(entry.target), entry.target.pk
