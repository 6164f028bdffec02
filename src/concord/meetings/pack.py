"""The meeting pack a chair runs a meeting from, built for one reader through the access policy.

Per register item on the agenda: its summary, band, risk score and the trend of its last
scores, its SIO and LRO, the 4P plan's status by strand (objectives, and actions open, done and
overdue under Pursue, Prevent, Protect and Prepare) and its open actions (of the plan and of
the forum). Entries are grouped by the first reason they are on the agenda, each item once.
Everything is read in a fixed number of queries whatever the agenda's length (one per kind of
fact and kind of register item), each through the reader's `visible_to`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from concord.meetings.choices import ITEM_ORDER, ItemKind
from concord.meetings.models import SUBJECT_PATHS, AgendaItem, MeetingAction
from concord.ownership.models import Appointment
from concord.plans.choices import ActionStatus, Strand
from concord.plans.models import Action, Objective
from concord.scoring.models import Assessment
from concord.threats.models import RegisterItem

TREND = 4  # the last scores shown per item
OPEN_SHOWN = 5  # open actions listed per item (the count says how many more)
OPEN = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
# Which register kinds have posts and plans, and the field naming them on those rows.
PLANNED = {"ocg": "ocg", "pi": "priority_individual"}
FIELD_OF = {"ocg": "ocg", "pi": "priority_individual", "vulnerability": "vulnerability"}


@dataclass
class StrandStatus:
    strand: str
    label: str
    objectives: int = 0
    open: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def empty(self) -> bool:
        return not (self.objectives or self.open or self.done or self.overdue)


@dataclass(frozen=True)
class OpenAction:
    """An open action on the item: of its 4P plan (under a strand) or set by a forum."""

    description: str
    owner: str
    due_on: dt.date
    overdue: bool
    source: str


@dataclass
class Facts:
    """What the pack says about one register item, for one reader."""

    record: RegisterItem
    trend: list[Assessment] = field(default_factory=list)
    sio: Appointment | None = None
    lro: Appointment | None = None
    strands: list[StrandStatus] = field(default_factory=list)
    open_actions: list[OpenAction] = field(default_factory=list)
    more_actions: int = 0

    @property
    def direction(self) -> str:
        """up, down or level: the last score against the one before (oldest first in trend)."""
        if len(self.trend) < 2:
            return ""
        last, before = self.trend[-1].risk_score, self.trend[-2].risk_score
        return "up" if last > before else "down" if last < before else "level"

    @property
    def has_plan(self) -> bool:
        return any(not s.empty for s in self.strands)


@dataclass
class Section:
    kind: str
    label: str
    items: list[AgendaItem]


def _key(record: RegisterItem) -> tuple[str, int]:
    return record.kind_code, record.pk


def facts_for(reader: Any, items: list[AgendaItem]) -> dict[tuple[str, int], Facts]:
    """The facts of every register item the entries concern, keyed by (kind, pk)."""
    records: dict[tuple[str, int], RegisterItem] = {}
    for item in items:
        record = getattr(item, "record", None)
        if record is not None:
            records[_key(record)] = record
    facts = {key: Facts(record) for key, record in records.items()}
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, pk in records:
        by_kind[kind].append(pk)
    today = timezone.localdate()
    for kind, ids in by_kind.items():
        name = FIELD_OF[kind]
        _trends(reader, kind, name, ids, facts)
        if kind in PLANNED:
            _posts(reader, kind, name, ids, facts)
            _strands(reader, kind, name, ids, facts, today)
            _open_actions(reader, kind, name, ids, facts)
    _meeting_actions(reader, by_kind, facts)
    return facts


def _trends(
    reader: Any, kind: str, name: str, ids: list[int], facts: dict[tuple[str, int], Facts]
) -> None:
    # The last few per item, without a query per item: the newest first, cut in Python; the
    # window is bounded by the items' own assessment counts (a handful each).
    rows = (
        Assessment.objects.visible_to(reader)
        .filter(**{f"{name}_id__in": ids})
        .only(f"{name}_id", "assessed_at", "risk_score", "band")
        .order_by(f"{name}_id", "-assessed_at", "-id")
    )
    for row in rows:
        found = facts[(kind, getattr(row, f"{name}_id"))]
        if len(found.trend) < TREND:
            found.trend.insert(0, row)


def _posts(
    reader: Any, kind: str, name: str, ids: list[int], facts: dict[tuple[str, int], Facts]
) -> None:
    posts = (
        Appointment.objects.visible_to(reader)
        .filter(**{f"{name}_id__in": ids}, ended_on__isnull=True, role__in=["sio", "lro"])
        .select_related("person", "organisation")
    )
    for post in posts:
        setattr(facts[(kind, getattr(post, f"{name}_id"))], post.role, post)


def _strands(
    reader: Any,
    kind: str,
    name: str,
    ids: list[int],
    facts: dict[tuple[str, int], Facts],
    today: dt.date,
) -> None:
    plan = f"plan__{name}_id"
    for found in facts.values():
        if found.record.kind_code == kind:
            found.strands = [StrandStatus(s.value, str(s.label)) for s in Strand]
    objectives = (
        Objective.objects.visible_to(reader)
        .filter(**{f"{plan}__in": ids})
        .values(plan, "strand")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in objectives:
        _strand(facts[(kind, row[plan])], row["strand"]).objectives = row["n"]
    through = f"objective__{plan}"
    actions = (
        Action.objects.visible_to(reader)
        .filter(**{f"{through}__in": ids})
        .values(through, "objective__strand")
        .annotate(
            open=Count("id", filter=Q(status__in=OPEN)),
            done=Count("id", filter=Q(status=ActionStatus.DONE)),
            overdue=Count("id", filter=Q(status__in=OPEN, due_on__lt=today)),
        )
        .order_by()
    )
    for row in actions:
        status = _strand(facts[(kind, row[through])], row["objective__strand"])
        status.open, status.done, status.overdue = row["open"], row["done"], row["overdue"]


def _strand(found: Facts, strand: str) -> StrandStatus:
    for status in found.strands:
        if status.strand == strand:
            return status
    status = StrandStatus(strand, strand)
    found.strands.append(status)
    return status


def _open_actions(
    reader: Any, kind: str, name: str, ids: list[int], facts: dict[tuple[str, int], Facts]
) -> None:
    through = f"objective__plan__{name}_id"
    rows = (
        Action.objects.visible_to(reader)
        .filter(**{f"{through}__in": ids}, status__in=OPEN)
        .select_related("objective", "owner_person", "owner_organisation")
        .annotate(item_id=F(through))
        .order_by(through, "due_on", "id")
    )
    today = timezone.localdate()
    for action in rows:
        owner = action.owner_person or action.owner_organisation
        _add_open(
            facts[(kind, action.item_id)],
            OpenAction(
                action.description,
                _owner_name(owner),
                action.due_on,
                action.due_on < today,
                action.objective.get_strand_display(),
            ),
        )


def _owner_name(owner: Any) -> str:
    if owner is None:
        return ""
    if hasattr(owner, "get_full_name"):
        return str(owner.get_full_name() or owner.username)
    return str(owner.display_name)


def _add_open(found: Facts, action: OpenAction) -> None:
    if len(found.open_actions) < OPEN_SHOWN:
        found.open_actions.append(action)
    else:
        found.more_actions += 1


def _meeting_actions(
    reader: Any, by_kind: dict[str, list[int]], facts: dict[tuple[str, int], Facts]
) -> None:
    if not by_kind:
        return
    concerns = Q(pk__in=[])
    for kind, ids in by_kind.items():
        concerns |= Q(**{f"{FIELD_OF[kind]}_id__in": ids})
    rows = (
        MeetingAction.objects.visible_to(reader)
        .filter(concerns, done_at__isnull=True)
        .select_related("owner", "meeting__forum")
        .order_by("due_on", "id")
    )
    today = timezone.localdate()
    for action in rows:
        for path, kind in zip(SUBJECT_PATHS, FIELD_OF, strict=True):
            pk = getattr(action, f"{path}_id")
            if pk is not None and (kind, pk) in facts:
                _add_open(
                    facts[(kind, pk)],
                    OpenAction(
                        action.description,
                        _owner_name(action.owner),
                        action.due_on,
                        action.due_on < today,
                        action.meeting.forum.display_name,
                    ),
                )


def sections(items: list[AgendaItem]) -> list[Section]:
    """The entries grouped by the first reason each is on the agenda, in agenda order."""
    grouped: dict[str, list[AgendaItem]] = defaultdict(list)
    for item in items:
        grouped[item.kind].append(item)
    return [
        Section(kind, str(ItemKind(kind).label), grouped[kind])
        for kind in sorted(grouped, key=lambda k: ITEM_ORDER.get(k, 99))
    ]


def attach(reader: Any, items: list[AgendaItem]) -> list[Section]:
    """Give each entry its `facts` (None for an entry about no register item) and group them."""
    facts = facts_for(reader, items)
    for item in items:
        record = getattr(item, "record", None)
        item.facts = facts.get(_key(record)) if record is not None else None  # type: ignore[attr-defined]
    return sections(items)
