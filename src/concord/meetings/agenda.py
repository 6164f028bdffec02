"""Building a meeting's agenda from the register, as the forum's chair may see it.

Each kind of item is one query over what the forum covers (its force; its ROCU and the
region's forces; or the nation), read through the chair's access policy and capped, so a
national forum over thousands of OCGs gets a readable agenda: the highest-priority entries of
each kind and a line saying how many more there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core.choices import OrganisationKind
from concord.meetings.choices import ITEM_ORDER, ForumLevel, ItemKind
from concord.meetings.models import Forum, Meeting, MeetingAction
from concord.ownership.choices import OPEN_STATUSES, TASKING_AWAITING
from concord.ownership.models import Appointment, TaskingRequest, TransferRequest
from concord.ownership.transfers import deciding_organisation
from concord.plans.choices import DisruptionStatus
from concord.plans.models import Disruption, Plan
from concord.scoring.choices import OwnerLevel
from concord.scoring.filters import LEVEL_KINDS
from concord.scoring.models import ScoringModel, published_model
from concord.threats.models import REGISTER_ITEMS, RegisterItem

PER_KIND = 20


@dataclass
class Entry:
    kind: str
    title: str
    note: str = ""
    target: Any = None
    subject: RegisterItem | None = None
    band_rank: int | None = None

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (ITEM_ORDER[self.kind], self.band_rank or 99, self.title)


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


def _capped(kind: str, items: QuerySet[Any], make: Any, more: str) -> list[Entry]:
    found = list(items[: PER_KIND + 1])
    entries = [make(x) for x in found[:PER_KIND]]
    if len(found) > PER_KIND:
        total = items.count()
        entries.append(Entry(kind, more % {"n": total - PER_KIND}))
    return entries


def _register(chair: Any, forum: Forum) -> list[tuple[str, QuerySet[Any]]]:
    return [
        (kind, model.objects.visible_to(chair).filter(covered(forum), status="active"))
        for kind, model in REGISTER_ITEMS.items()
    ]


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


def build(meeting: Meeting) -> list[Entry]:
    """Every agenda entry for the meeting, highest priority first within each kind."""
    forum = meeting.forum
    chair = forum.chair
    start = since(forum, meeting)
    today = timezone.localdate()
    try:
        model: ScoringModel | None = published_model()
    except ScoringModel.DoesNotExist:
        model = None
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
                _("%(kind)s: %(item)s, from %(from)s")
                % {
                    "kind": transfer.get_kind_display(),
                    "item": _label(item),
                    "from": transfer.from_organisation.code,
                },
                transfer.reason,
                transfer,
                item,
                item.band_rank,
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
            _("%(ref)s from %(org)s: %(capability)s (respond by %(date)s)")
            % {
                "ref": t.reference,
                "org": t.owner.code,
                "capability": t.capability,
                "date": t.respond_by.isoformat(),
            },
            t.asked,
            t,
        )
        for t in taskings
    ]
    ranking = ("band_rank", "-risk_score", "reference")
    mismatch = _mismatch_q(model)
    for _kind, items in _register(chair, forum):
        items = items.select_related("owner")
        ordered = items.order_by(*ranking)
        entries += _capped(
            ItemKind.NEW,
            ordered.filter(created_at__gte=start),
            lambda i: Entry(
                ItemKind.NEW,
                _label(i),
                _("Owned by %(org)s.") % {"org": i.owner.code},
                i,
                i,
                i.band_rank,
            ),
            _("…and %(n)s more new items."),
        )
        entries += _capped(
            ItemKind.RESCORED,
            ordered.filter(assessed_on__gte=start.date(), created_at__lt=start),
            lambda i: Entry(ItemKind.RESCORED, _label(i), "", i, i, i.band_rank),
            _("…and %(n)s more newly assessed items."),
        )
        entries += _capped(
            ItemKind.MISMATCH,
            ordered.filter(mismatch),
            lambda i: Entry(
                ItemKind.MISMATCH,
                _label(i),
                _("Held by %(org)s (%(kind)s).")
                % {"org": i.owner.code, "kind": i.owner.get_kind_display()},
                i,
                i,
                i.band_rank,
            ),
            _("…and %(n)s more mismatches."),
        )
        entries += _capped(
            ItemKind.REASSESSMENT,
            ordered.filter(review_due_on__lt=today),
            lambda i: Entry(
                ItemKind.REASSESSMENT,
                _label(i),
                _("Due %(date)s.") % {"date": i.review_due_on.isoformat()},
                i,
                i,
                i.band_rank,
            ),
            _("…and %(n)s more overdue re-assessments."),
        )
    entries += _vacancies(chair, forum, today)
    entries += _plans_and_disruptions(chair, forum, today)
    entries += [
        Entry(
            ItemKind.ACTION,
            _("%(action)s (%(owner)s, due %(date)s)")
            % {
                "action": a.description,
                "owner": a.owner.get_full_name() or a.owner.username,
                "date": a.due_on.isoformat(),
            },
            "",
            a,
            a.register_item,
        )
        for a in MeetingAction.objects.visible_to(chair)
        .filter(meeting__forum=forum, done_at__isnull=True)
        .exclude(meeting=meeting)
        .select_related("owner", "ocg", "priority_individual", "vulnerability")
    ]
    entries.sort(key=lambda e: e.sort_key)
    return entries


def _vacancies(chair: Any, forum: Forum, today: dt.date) -> list[Entry]:
    entries: list[Entry] = []
    cutoff = timezone.now() - dt.timedelta(days=settings.CONCORD_LRO_VACANCY_DAYS)
    for kind, field in (("ocg", "ocg"), ("pi", "priority_individual")):
        items = (
            REGISTER_ITEMS[kind].objects.visible_to(chair).filter(covered(forum), status="active")
        )
        with_lro = Appointment.objects.filter(
            role="lro", ended_on__isnull=True, **{f"{field}__isnull": False}
        ).values(f"{field}_id")
        entries += _capped(
            ItemKind.VACANCY,
            items.filter(created_at__lt=cutoff)
            .exclude(pk__in=with_lro)
            .order_by("band_rank", "reference"),
            lambda i: Entry(ItemKind.VACANCY, _label(i), _("No LRO."), i, i, i.band_rank),
            _("…and %(n)s more without an LRO."),
        )
        lapsed = (
            Appointment.objects.filter(
                ended_on__isnull=True,
                role__in=["sio", "lro"],
                **{f"{field}__in": items},
            )
            .filter(Q(person__is_active=False) | Q(person__vetting_expires__lt=today))
            .select_related(field, "person")
        )
        for post in lapsed[:PER_KIND]:
            item = post.subject
            entries.append(
                Entry(
                    ItemKind.VACANCY,
                    _label(item),
                    _("%(role)s %(name)s has left or lost vetting.")
                    % {"role": post.get_role_display(), "name": post.person},
                    item,
                    item,
                    item.band_rank,
                )
            )
    return entries


def _plans_and_disruptions(chair: Any, forum: Forum, today: dt.date) -> list[Entry]:
    entries: list[Entry] = []
    for kind, field in (("ocg", "ocg"), ("pi", "priority_individual")):
        items = (
            REGISTER_ITEMS[kind].objects.visible_to(chair).filter(covered(forum), status="active")
        )
        entries += _capped(
            ItemKind.REVIEW,
            Plan.objects.filter(**{f"{field}__in": items}, next_review_on__lt=today)
            .select_related(field)
            .order_by(f"{field}__band_rank", "next_review_on"),
            lambda p: Entry(
                ItemKind.REVIEW,
                _label(p.subject),
                _("Review was due %(date)s.") % {"date": p.next_review_on.isoformat()},
                p.subject,
                p.subject,
                p.subject.band_rank,
            ),
            _("…and %(n)s more overdue plan reviews."),
        )
        entries += _capped(
            ItemKind.DISRUPTION,
            Disruption.objects.filter(**{f"{field}__in": items}, status=DisruptionStatus.CLAIMED)
            .select_related(field, "impact", "claimed_for")
            .order_by("impact__rank", "occurred_on"),
            lambda d: Entry(
                ItemKind.DISRUPTION,
                _("%(impact)s disruption of %(item)s")
                % {"impact": d.impact.display_name, "item": _label(d.subject)},
                d.narrative,
                d,
                d.subject,
                d.subject.band_rank,
            ),
            _("…and %(n)s more disruptions awaiting validation."),
        )
    return entries


def content_of(entry: Entry) -> tuple[ContentType | None, int | None]:
    if entry.target is None:
        return None, None
    return ContentType.objects.get_for_model(entry.target), entry.target.pk
