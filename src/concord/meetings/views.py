"""Meeting pages: forums, a meeting's agenda and how it is run, minutes, the pack, invitations.

Every agenda entry is shown to a reader only if they may see what it is about (the access
policy on the OCG, PI, request or claim behind it); the pack's marking is the highest of what
that reader's pack contains.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from concord.core import audit
from concord.core.access import open_through
from concord.core.choices import Classification
from concord.core.models import AuditAction
from concord.meetings import pack as meeting_pack
from concord.meetings import services
from concord.meetings.agenda import LEVELS
from concord.meetings.choices import ForumLevel
from concord.meetings.models import AgendaItem, Decision, Forum, Meeting, MeetingAction
from concord.organisations.models import User
from concord.web.documents import document_response, is_document


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related(
            "forum__organisation", "forum__chair"
        ),
        pk=pk,
    )


def visible_items(
    user: Any, meeting: Meeting, *, include_removed: bool = False
) -> list[AgendaItem]:
    """The agenda entries this person may see (the declaration on AgendaItem: the meeting, the
    register item it concerns and what it is about), each with its register item as `record`."""
    items = (
        AgendaItem.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related(
            "content_type",
            "decision__decided_by",
            "ocg__owner",
            "priority_individual__owner",
            "vulnerability__owner",
        )
        .order_by("position")
    )
    if not include_removed:
        items = items.filter(removed=False)
    shown = list(items)
    for item in shown:
        item.record = item.register_item  # type: ignore[attr-defined]
        item.outcomes = services.outcomes_for(item)  # type: ignore[attr-defined]
    return shown


def visible_actions(user: Any, meeting: Meeting) -> QuerySet[MeetingAction]:
    """The meeting's actions this person may see."""
    return (
        MeetingAction.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("owner", "item")
    )


def highest_marking(items: list[AgendaItem]) -> str:
    records = [i.record for i in items if getattr(i, "record", None) is not None]  # type: ignore[attr-defined]
    secret = any(r.classification == Classification.SECRET for r in records)
    sensitive = any(r.sensitive for r in records)
    return ("SECRET" if secret else "OFFICIAL") + ("-SENSITIVE" if sensitive else "")


@login_required
def forum_list(request: HttpRequest) -> HttpResponse:
    forums = list(
        Forum.objects.visible_to(request.user)
        .select_related("organisation", "chair")
        .prefetch_related("meetings")
    )
    audit.record(
        AuditAction.LIST,
        actor=request.user,
        object_type="meetings.forum",
        detail={"count": len(forums)},
    )
    return render(request, "meetings/forum_list.html", {"forums": forums})


@login_required
def forum_detail(request: HttpRequest, pk: int) -> HttpResponse:
    forum = get_object_or_404(
        Forum.objects.visible_to(request.user).select_related("organisation", "chair"), pk=pk
    )
    if request.method == "POST":
        try:
            starts = dt.datetime.fromisoformat(request.POST.get("starts_at", ""))
        except ValueError:
            messages.error(request, _("Give the date and time the meeting starts."))
        else:
            try:
                meeting = services.schedule(
                    actor=request.user,
                    forum=forum,
                    starts_at=timezone.make_aware(starts) if timezone.is_naive(starts) else starts,
                    location=request.POST.get("location", ""),
                )
            except PermissionDenied:
                raise Http404 from None
            return redirect("meetings:meeting", pk=meeting.pk)
    _audit_forum(request, forum)
    decisions = (
        Decision.objects.visible_to(request.user)
        .filter(meeting__forum=forum)
        .select_related("meeting", "item", "decided_by")
        .order_by("-decided_at")[:50]
    )
    return render(
        request,
        "meetings/forum_detail.html",
        {
            "forum": forum,
            "meetings": forum.meetings.all(),
            "decisions": decisions,
            "may_run": services.may_run(request.user, forum),
        },
    )


def _audit_download(
    request: HttpRequest, meeting: Meeting, what: str, detail: dict[str, Any] | None = None
) -> None:
    """A reader took the meeting's minutes, pack or invitation away."""
    audit.record(
        AuditAction.DOWNLOAD,
        actor=request.user,
        object_type="meetings.meeting",
        object_id=str(meeting.pk),
        object_repr=f"{what} {meeting}"[:200],
        owner_code=meeting.forum.organisation.code,
        detail=detail,
    )


def _audit_forum(request: HttpRequest, forum: Forum) -> None:
    audit.record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="meetings.forum",
        object_id=str(forum.pk),
        object_repr=forum.name[:200],
        owner_code=forum.organisation.code,
    )


@login_required
def meeting_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda: build, reorder, add, remove, issue; then run it: attendance, decisions,
    actions; then mark it held."""
    meeting = _meeting(request, pk)
    may_run = services.may_run(request.user, meeting.forum)
    if request.method == "POST" and request.POST.get("step") == "done":
        action = (
            visible_actions(request.user, meeting)
            .filter(pk=_int(request.POST.get("action")))
            .first()
        )
        if action is None:
            raise Http404
        try:
            services.complete_action(
                actor=request.user, action=action, outcome=request.POST.get("outcome", "")
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The action is done."))
        return redirect("meetings:meeting", pk=meeting.pk)
    if request.method == "POST":
        if not may_run:
            raise Http404
        try:
            done = _post(request, meeting)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
            return redirect("meetings:meeting", pk=meeting.pk)
    items = visible_items(request.user, meeting, include_removed=may_run)
    audit.record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="meetings.meeting",
        object_id=str(meeting.pk),
        object_repr=str(meeting)[:200],
        owner_code=meeting.forum.organisation.code,
        detail={"items": len(items)},
    )
    return render(
        request,
        "meetings/meeting.html",
        {
            "meeting": meeting,
            "items": items,
            "may_run": may_run,
            "actions": visible_actions(request.user, meeting),
            "members": meeting.forum.members.order_by("last_name"),
            "attended": set(meeting.attendees.values_list("pk", flat=True)),
            "marking": highest_marking(items),
            "owners": services.action_owners(meeting) if may_run else [],
            "levels": _levels(meeting),
        },
    )


def _levels(meeting: Meeting) -> list[tuple[str, str]]:
    """The levels an agenda may take items from: the forum's own and those below it."""
    top = LEVELS.index(ForumLevel(meeting.forum.level))
    return [(level.value, str(level.label)) for level in LEVELS[: top + 1]]


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _post(request: HttpRequest, meeting: Meeting) -> str:
    actor = request.user
    step = request.POST.get("step", "")
    item = None
    if request.POST.get("item"):
        item = (
            AgendaItem.objects.visible_to(actor)
            .filter(meeting=meeting, pk=_int(request.POST["item"]))
            .first()
        )
        if item is None:
            raise Http404
    if step == "build":
        built = services.build_agenda(actor=actor, meeting=meeting)
        return _("The agenda was built from the register: %(n)s items.") % {"n": len(built)}
    if step == "issue":
        issued = services.issue_agenda(actor=actor, meeting=meeting)
        return _("Version %(v)s of the agenda was issued.") % {"v": issued.version}
    if step == "add":
        services.add_item(
            actor=actor,
            meeting=meeting,
            title=request.POST.get("title", ""),
            note=request.POST.get("note", ""),
        )
        return _("The item was added.")
    if step in ("remove", "restore", "up", "down") and item is not None:
        services.set_item(
            actor=actor,
            item=item,
            removed={"remove": True, "restore": False}.get(step),
            move={"up": -1, "down": 1}.get(step, 0),
        )
        return _("The agenda was changed.")
    if step == "attendance":
        people = list(User.objects.filter(pk__in=request.POST.getlist("attended")))
        services.record_attendance(actor=actor, meeting=meeting, people=people)
        return _("Attendance was recorded.")
    if step == "decide" and item is not None:
        decision = services.decide(
            actor=actor,
            item=item,
            outcome=request.POST.get("outcome", ""),
            rationale=request.POST.get("rationale", ""),
        )
        return _("Decided: %(effect)s") % {"effect": decision.effect}
    if step == "level":
        services.set_agenda_level(actor=actor, meeting=meeting, level=request.POST.get("level", ""))
        return _("The agenda's level was set: build it again to follow it.")
    if step == "action":
        # Only the people the action may be given to are offered, and only they are found.
        owners = {p.pk: p for p in services.action_owners(meeting, item)}
        owner = owners.get(_int(request.POST.get("owner")))
        if owner is None:
            raise ValidationError({"owner": _("Choose who the action is for from the list.")})
        try:
            due = dt.date.fromisoformat(request.POST.get("due_on", ""))
        except ValueError:
            raise ValidationError({"due_on": _("Give the due date.")}) from None
        services.add_action(
            actor=actor,
            meeting=meeting,
            description=request.POST.get("description", ""),
            owner=owner,
            due_on=due,
            item=item,
        )
        return _("The action was set.")
    if step == "held":
        services.mark_held(actor=actor, meeting=meeting)
        return _("The meeting is recorded as held.")
    raise ValidationError(_("Nothing to do."))


@login_required
def item_action(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Set an action on one agenda entry: offered only to those who may see what it concerns
    (the forum's members and chair, and the item's SIO, LRO and SRO)."""
    meeting = _meeting(request, pk)
    item = (
        AgendaItem.objects.visible_to(request.user)
        .filter(meeting=meeting, pk=item_pk)
        .select_related("ocg", "priority_individual", "vulnerability")
        .first()
    )
    if item is None or not services.may_run(request.user, meeting.forum):
        raise Http404
    owners = services.action_owners(meeting, item)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        chosen = {p.pk: p for p in owners}.get(_int(request.POST.get("owner")))
        try:
            if chosen is None:
                raise ValidationError({"owner": _("Choose who the action is for from the list.")})
            try:
                due = dt.date.fromisoformat(request.POST.get("due_on", ""))
            except ValueError:
                raise ValidationError({"due_on": _("Give the due date.")}) from None
            services.add_action(
                actor=request.user,
                meeting=meeting,
                description=request.POST.get("description", ""),
                owner=chosen,
                due_on=due,
                item=item,
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            messages.success(request, _("The action was set."))
            return redirect("meetings:meeting", pk=meeting.pk)
    return render(
        request,
        "meetings/item_action.html",
        {
            "meeting": meeting,
            "item": item,
            "owners": owners,
            "errors": errors,
            "form": request.POST,
        },
    )


def _action_queryset() -> QuerySet[MeetingAction]:
    return MeetingAction.objects.select_related(
        "owner", "meeting__forum", "item", "ocg", "priority_individual", "vulnerability"
    )


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting action: what, for whom, by when, what it concerns; its owner (who may not
    sit on the forum) or the chair marks it done here. The notification links here."""
    action = open_through(request, _action_queryset(), pk=pk)
    may_complete = action.owner_id == request.user.pk or services.may_run(
        request.user, action.meeting.forum
    )
    if request.method == "POST":
        if not may_complete:
            raise Http404
        try:
            services.complete_action(
                actor=request.user, action=action, outcome=request.POST.get("outcome", "")
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The action is done."))
            return redirect("meetings:action", pk=action.pk)
    record = action.register_item
    return render(
        request,
        "meetings/action.html",
        {
            "action": action,
            "record": record,
            "may_complete": may_complete and action.done_at is None,
            "sees_meeting": Meeting.objects.visible_to(request.user)
            .filter(pk=action.meeting_id)
            .exists(),
        },
    )


def my_meeting_actions(user: Any) -> QuerySet[MeetingAction]:
    """Open meeting actions given to the person, of those they may see."""
    return (
        MeetingAction.objects.visible_to(user)
        .filter(owner=user, done_at__isnull=True)
        .select_related("meeting__forum", "ocg", "priority_individual", "vulnerability")
        .order_by("due_on", "id")
    )


def my_actions_panel(request: HttpRequest, record: Any) -> SafeString:
    """The meeting actions on the person's *My actions* page (plans cannot import meetings)."""
    actions = list(my_meeting_actions(request.user)[:100])
    return render_to_string(
        "meetings/my_actions_panel.html",
        {"meeting_actions": actions, "today": timezone.localdate()},
        request,
    )


@login_required
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Minutes from the decisions and actions, as this reader may see them; printable."""
    meeting = _meeting(request, pk)
    items = [i for i in visible_items(request.user, meeting) if hasattr(i, "decision")]
    actions = list(visible_actions(request.user, meeting))
    _audit_download(request, meeting, "minutes")
    context = {
        "meeting": meeting,
        "items": items,
        "actions": actions,
        "attendees": meeting.attendees.order_by("last_name"),
        "marking": highest_marking(items),
    }
    if is_document(request):
        return _pdf(request, meeting, "minutes", {**context, "minutes": True}, _("Minutes"))
    return render(request, "meetings/minutes.html", context)


@login_required
def pack(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda pack for this reader: only what they may see, marked at its highest."""
    meeting = _meeting(request, pk)
    items = visible_items(request.user, meeting)
    _audit_download(request, meeting, "pack", detail={"items": [i.title[:60] for i in items]})
    context = {
        "meeting": meeting,
        "items": items,
        "sections": meeting_pack.attach(request.user, items),
        "marking": highest_marking(items),
        "level": ForumLevel(meeting.level).label,
    }
    if is_document(request):
        return _pdf(request, meeting, "pack", context, _("Agenda pack"))
    return render(request, "meetings/pack.html", context)


def _pdf(
    request: HttpRequest, meeting: Meeting, name: str, context: dict[str, Any], heading: str
) -> HttpResponse:
    """The page as a PDF (or its print view) for this reader. Every page's header and footer
    carry the document's marking: the highest of what it holds."""
    return document_response(
        request,
        "meetings/print.html",
        {**context, "heading": heading, "reader": request.user},
        f"{name}-{meeting.pk}.pdf",
    )


@login_required
def invitation(request: HttpRequest, pk: int) -> HttpResponse:
    """An iCalendar invitation for the meeting (no agenda content in it)."""
    meeting = _meeting(request, pk)
    start = meeting.starts_at.astimezone(dt.UTC)
    end = start + dt.timedelta(hours=2)
    stamp = timezone.now().astimezone(dt.UTC)

    def fmt(moment: dt.datetime) -> str:
        return moment.strftime("%Y%m%dT%H%M%SZ")

    def text(value: str) -> str:
        return (
            value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        )

    _audit_download(request, meeting, "invitation")
    description = _("Agenda and papers in Concord: /meetings/%(pk)s/") % {"pk": meeting.pk}
    body = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Concord//Meetings//EN",
            "METHOD:PUBLISH",
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@concord",
            f"DTSTAMP:{fmt(stamp)}",
            f"DTSTART:{fmt(start)}",
            f"DTEND:{fmt(end)}",
            f"SUMMARY:{text(meeting.forum.name)}",
            f"LOCATION:{text(meeting.location)}",
            "DESCRIPTION:" + text(description),
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
