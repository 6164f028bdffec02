"""Meetings API: forums, their meetings, the agenda (as the reader may see it, and the issued
versions for the chair), decisions (read, and recorded on an agenda entry through the same
service as the meeting page), meeting actions and minutes. Everything is read through the
access policy: an entry, decision or action about a record the reader may not see is absent
from lists and answers 404 by id; who may decide is the policy's named action (chair the
forum), refused as 404."""

import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from concord.core import audit
from concord.core.access import open_through
from concord.core.api import WRITE, Id, Pagination, answers, text
from concord.core.models import AuditAction
from concord.meetings import notes as agenda_notes
from concord.meetings import services
from concord.meetings.choices import ForumKind, ForumLevel, ItemKind, MeetingStatus, Outcome
from concord.meetings.models import (
    AgendaItem,
    Decision,
    Forum,
    IssuedAgenda,
    Meeting,
    MeetingAction,
)
from concord.meetings.services import RATIONALE_MAX

router = Router(tags=["Meetings"])


class ForumOut(Schema):
    id: int
    name: str
    name_cy: str
    display_name: str = Field(description="The name in the language of the request.")
    organisation: str
    level: ForumLevel
    kind: ForumKind
    chair: str
    cadence_days: int
    is_active: bool

    @staticmethod
    def resolve_display_name(obj: Forum) -> str:
        return obj.display_name

    @staticmethod
    def resolve_organisation(obj: Forum) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_chair(obj: Forum) -> str:
        return obj.chair.username


class MeetingOut(Schema):
    id: int
    forum: int
    forum_name: str
    starts_at: dt.datetime
    location: str
    status: MeetingStatus
    agenda_version: int
    level: ForumLevel = Field(description="The lowest level the agenda takes items from.")
    held_at: dt.datetime | None

    @staticmethod
    def resolve_forum(obj: Meeting) -> int:
        return obj.forum_id

    @staticmethod
    def resolve_forum_name(obj: Meeting) -> str:
        return obj.forum.display_name

    @staticmethod
    def resolve_level(obj: Meeting) -> str:
        return obj.level


class AgendaNoteOut(Schema):
    code: str
    params: dict[str, Any]
    text: str = Field(description="The note in the language of the request.")


def _notes(stored: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [
        {
            "code": str(n.get("code", "")),
            "params": dict(n.get("params") or {}),
            "text": agenda_notes.render_one(n),
        }
        for n in stored or []
    ]


class MeetingDecisionOut(Schema):
    id: int
    meeting: int
    item: int
    item_title: str
    outcome: Outcome
    rationale: str
    effect: str
    decided_by: str
    decided_at: dt.datetime

    @staticmethod
    def resolve_meeting(obj: Decision) -> int:
        return obj.meeting_id

    @staticmethod
    def resolve_item(obj: Decision) -> int:
        return obj.item_id

    @staticmethod
    def resolve_item_title(obj: Decision) -> str:
        return obj.item.heading

    @staticmethod
    def resolve_decided_by(obj: Decision) -> str:
        return obj.decided_by.username


class AgendaItemOut(Schema):
    id: int
    position: int
    kind: ItemKind
    reasons: list[ItemKind]
    reason_labels: str = Field(description="Why it is on the agenda, in the request's language.")
    title: str
    note: str = Field(description="What a person wrote (the chair, or a request's reason).")
    notes: list[AgendaNoteOut]
    item: str | None = Field(description="The reference of the register item it concerns.")
    band: str | None
    removed: bool
    decision: MeetingDecisionOut | None

    @staticmethod
    def resolve_reasons(obj: AgendaItem) -> list[str]:
        return list(obj.reasons or [obj.kind])

    @staticmethod
    def resolve_reason_labels(obj: AgendaItem) -> str:
        return obj.reason_labels

    @staticmethod
    def resolve_title(obj: AgendaItem) -> str:
        return obj.heading

    @staticmethod
    def resolve_notes(obj: AgendaItem) -> list[dict[str, Any]]:
        return _notes(obj.notes)

    @staticmethod
    def resolve_item(obj: AgendaItem) -> str | None:
        record = obj.register_item
        return record.reference if record is not None else None

    @staticmethod
    def resolve_band(obj: AgendaItem) -> str | None:
        record = obj.register_item
        return (record.band or None) if record is not None else None

    @staticmethod
    def resolve_decision(obj: AgendaItem) -> Decision | None:
        try:
            return obj.decision
        except Decision.DoesNotExist:
            return None


class IssuedItemOut(Schema):
    position: int
    kind: str
    reasons: list[str]
    title: str
    note: str
    notes: list[AgendaNoteOut]


class IssuedAgendaOut(Schema):
    version: int
    issued_by: str
    issued_at: dt.datetime
    items: list[IssuedItemOut]

    @staticmethod
    def resolve_issued_by(obj: IssuedAgenda) -> str:
        return obj.issued_by.username

    @staticmethod
    def resolve_items(obj: IssuedAgenda) -> list[dict[str, Any]]:
        return [
            {
                "position": int(i.get("position", 0)),
                "kind": str(i.get("kind", "")),
                "reasons": [str(r) for r in i.get("reasons") or [i.get("kind", "")]],
                "title": str(i.get("title", "")) or " ".join(agenda_notes.render(i.get("notes"))),
                "note": str(i.get("note", "")),
                "notes": _notes(i.get("notes")),
            }
            for i in obj.items
        ]


class MeetingActionOut(Schema):
    id: int
    meeting: int
    forum_name: str
    description: str
    owner: str
    due_on: dt.date
    item: str | None = Field(description="The reference of the register item it concerns.")
    done_at: dt.datetime | None
    outcome: str

    @staticmethod
    def resolve_meeting(obj: MeetingAction) -> int:
        return obj.meeting_id

    @staticmethod
    def resolve_forum_name(obj: MeetingAction) -> str:
        return obj.meeting.forum.display_name

    @staticmethod
    def resolve_owner(obj: MeetingAction) -> str:
        return obj.owner.username

    @staticmethod
    def resolve_item(obj: MeetingAction) -> str | None:
        record = obj.register_item
        return record.reference if record is not None else None


class MinutesDecisionOut(Schema):
    position: int
    title: str
    outcome: Outcome
    rationale: str
    effect: str


class MinutesOut(Schema):
    meeting: MeetingOut
    present: list[str]
    decisions: list[MinutesDecisionOut]
    actions: list[MeetingActionOut]


class MeetingDecisionIn(Schema):
    outcome: Outcome
    rationale: Annotated[str, text(10, RATIONALE_MAX)]


class MeetingActionFilter(Schema):
    mine: bool = Field(False, description="Only actions given to you.")
    open: bool | None = Field(None, description="Only open (true) or done (false) actions.")


def _forum(request: HttpRequest, pk: int) -> Forum:
    return open_through(request, Forum.objects.select_related("organisation", "chair"), pk=pk)


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return open_through(request, Meeting.objects.select_related("forum"), pk=pk)


def _items(request: HttpRequest, meeting: Meeting) -> Any:
    items = (
        AgendaItem.objects.visible_to(request.user)
        .filter(meeting=meeting)
        .select_related(
            "ocg", "priority_individual", "vulnerability", "decision__decided_by", "decision__item"
        )
        .order_by("position", "id")
    )
    if not services.may_run(request.user, meeting.forum):
        items = items.filter(removed=False)
    return items


def _actions(request: HttpRequest) -> QuerySet[MeetingAction]:
    return MeetingAction.objects.visible_to(request.user).select_related(
        "owner", "meeting__forum", "ocg", "priority_individual", "vulnerability"
    )


@router.get("/forums", response=answers(list[ForumOut], 422), summary="Forums you sit on")
@paginate(Pagination)
def list_forums(request: HttpRequest) -> Any:
    audit.record(AuditAction.LIST, actor=request.user, object_type="meetings.forum")
    return Forum.objects.visible_to(request.user).select_related("organisation", "chair")


@router.get("/forums/{pk}", response=answers(ForumOut, 404, 422), summary="One forum")
def get_forum(request: HttpRequest, pk: Id) -> Forum:
    return _forum(request, pk)


@router.get(
    "/forums/{pk}/meetings",
    response=answers(list[MeetingOut], 404, 422),
    summary="A forum's meetings, latest first",
)
@paginate(Pagination)
def list_meetings(request: HttpRequest, pk: Id) -> Any:
    forum = _forum(request, pk)
    return Meeting.objects.visible_to(request.user).filter(forum=forum).select_related("forum")


@router.get("/meetings/{pk}", response=answers(MeetingOut, 404, 422), summary="One meeting")
def get_meeting(request: HttpRequest, pk: Id) -> Meeting:
    return _meeting(request, pk)


@router.get(
    "/meetings/{pk}/agenda",
    response=answers(list[AgendaItemOut], 404, 422),
    summary="The agenda as it stands (the draft until issued), as you may see it",
)
@paginate(Pagination)
def list_agenda(request: HttpRequest, pk: Id) -> Any:
    return _items(request, _meeting(request, pk))


@router.get(
    "/meetings/{pk}/agenda/issued",
    response=answers(list[IssuedAgendaOut], 404, 422),
    summary="The issued versions of the agenda (the chair's: each holds every entry)",
)
@paginate(Pagination)
def list_issued(request: HttpRequest, pk: Id) -> Any:
    meeting = _meeting(request, pk)
    return (
        IssuedAgenda.objects.visible_to(request.user)
        .filter(meeting=meeting)
        .select_related("issued_by")
    )


@router.get(
    "/meetings/{pk}/decisions",
    response=answers(list[MeetingDecisionOut], 404, 422),
    summary="The meeting's decisions you may see",
)
@paginate(Pagination)
def list_decisions(request: HttpRequest, pk: Id) -> Any:
    meeting = _meeting(request, pk)
    return (
        Decision.objects.visible_to(request.user)
        .filter(meeting=meeting)
        .select_related("item", "decided_by")
    )


@router.post(
    "/meetings/{pk}/agenda/{item}/decision",
    response=answers(MeetingDecisionOut, WRITE, 404, 422, status=201),
    summary="Record the meeting's decision on an agenda entry (the chair)",
)
def decide(request: HttpRequest, pk: Id, item: Id, payload: MeetingDecisionIn) -> Status[Decision]:
    """Takes effect through the service that owns the change (a transfer accepted here is
    accepted), as on the meeting page."""
    meeting = _meeting(request, pk)
    entry = (
        AgendaItem.objects.visible_to(request.user)
        .filter(meeting=meeting, pk=item, removed=False)
        .select_related("ocg", "priority_individual", "vulnerability", "content_type")
        .first()
    )
    if entry is None:
        raise Http404
    made = services.decide(
        actor=request.user, item=entry, outcome=payload.outcome, rationale=payload.rationale
    )
    return Status(201, made)


@router.get(
    "/meetings/{pk}/minutes",
    response=answers(MinutesOut, 404, 422),
    summary="The minutes: who was present, decisions and actions, as you may see them",
)
def get_minutes(request: HttpRequest, pk: Id) -> dict[str, Any]:
    meeting = _meeting(request, pk)
    decided = list(_items(request, meeting).filter(removed=False, decision__isnull=False))
    return {
        "meeting": meeting,
        "present": list(
            meeting.attendees.order_by("last_name", "username").values_list("username", flat=True)
        ),
        "decisions": [
            {
                "position": i.position,
                "title": i.heading,
                "outcome": i.decision.outcome,
                "rationale": i.decision.rationale,
                "effect": i.decision.effect,
            }
            for i in decided
        ],
        "actions": list(_actions(request).filter(meeting=meeting)),
    }


@router.get(
    "/meeting-actions",
    response=answers(list[MeetingActionOut], 422),
    summary="Meeting actions you may see (given to you, or of forums you sit on)",
)
@paginate(Pagination)
def list_actions(request: HttpRequest, filters: Query[MeetingActionFilter]) -> Any:
    audit.record(AuditAction.LIST, actor=request.user, object_type="meetings.meetingaction")
    actions = _actions(request)
    if filters.mine:
        actions = actions.filter(owner_id=request.user.pk)
    if filters.open is not None:
        actions = actions.filter(done_at__isnull=filters.open)
    return actions.order_by("due_on", "id")


@router.get(
    "/meeting-actions/{pk}",
    response=answers(MeetingActionOut, 404, 422, 428),
    summary="One meeting action",
)
def get_action(request: HttpRequest, pk: Id) -> MeetingAction:
    return open_through(request, _actions(request), pk=pk)
