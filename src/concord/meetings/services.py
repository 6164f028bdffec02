"""Meeting changes: build and issue the agenda, decide items (acting through the same services
as the rest of Concord, with the meeting as the source), set actions, record the meeting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.capabilities import gaps
from concord.capabilities.models import Gap
from concord.core import audit, policy
from concord.core.choices import RoleCode
from concord.core.models import AuditAction
from concord.meetings import agenda
from concord.meetings.choices import (
    CAPACITY_OUTCOMES,
    ForumLevel,
    ItemKind,
    MeetingStatus,
    Outcome,
)
from concord.meetings.models import (
    AgendaItem,
    Decision,
    Forum,
    IssuedAgenda,
    Meeting,
    MeetingAction,
)
from concord.organisations.models import User
from concord.organisations.notifications import named, notify
from concord.ownership import services as ownership
from concord.ownership import tasking, transfers
from concord.ownership.models import TaskingRequest, TransferRequest
from concord.plans import services as plans
from concord.plans.models import Disruption
from concord.threats import services as threats
from concord.threats.models import RegisterItem

# An action is read in lists and on agendas: a paragraph, not a document.
ACTION_MAX = 2000
RATIONALE_MAX = 4000
CHAIR_ROLES = frozenset({RoleCode.TASKING_CHAIR, RoleCode.SRO, RoleCode.CHIEF_OFFICER})


@policy.rule(policy.Act.CHAIR_FORUM)
def may_run(user: Any, forum: Forum) -> bool:
    """The chair, or a tasking chair, SRO or chief officer of the forum's organisation."""
    if user.pk == forum.chair_id:
        return True
    return user.acting_organisation().pk == forum.organisation_id and bool(
        set(user.role_codes) & CHAIR_ROLES
    )


def _require_runner(actor: Any, forum: Forum) -> None:
    policy.require(
        actor, policy.Act.CHAIR_FORUM, forum, _("Only the forum's chair runs its meetings.")
    )


def _audit(actor: Any, meeting: Meeting, what: str, **detail: Any) -> None:
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type="meetings.meeting",
        object_id=str(meeting.pk),
        object_repr=str(meeting)[:200],
        owner_code=meeting.forum.organisation.code,
        detail={"meeting": what, **detail},
    )


@transaction.atomic
def schedule(*, actor: Any, forum: Forum, starts_at: dt.datetime, location: str = "") -> Meeting:
    _require_runner(actor, forum)
    meeting = Meeting.objects.create(forum=forum, starts_at=starts_at, location=location.strip())
    _audit(actor, meeting, "scheduled")
    return meeting


@transaction.atomic
def build_agenda(*, actor: Any, meeting: Meeting) -> list[AgendaItem]:
    """(Re)build the draft agenda from the register; items the chair added are kept."""
    _require_runner(actor, meeting.forum)
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError(_("The meeting has been held; its agenda is fixed."))
    meeting.items.filter(added_by_chair=False, decision__isnull=True).delete()
    kept = list(meeting.items.order_by("position"))
    made = []
    for position, entry in enumerate(agenda.build(meeting), start=1):
        content_type, object_id = agenda.content_of(entry)
        row = AgendaItem(
            meeting=meeting,
            position=position,
            kind=entry.kind,
            title=entry.title[:300],
            note=entry.note,
            reasons=entry.reasons,
            notes=entry.notes,
            content_type=content_type,
            object_id=object_id,
            band_rank=entry.band_rank,
        )
        row.concern(entry.subject)
        made.append(row)
    AgendaItem.objects.bulk_create(made)
    for offset, item in enumerate(kept, start=len(made) + 1):
        item.position = offset
    AgendaItem.objects.bulk_update(kept, ["position"])
    meeting.built_at = timezone.now()
    meeting.save(update_fields=["built_at"])
    _audit(actor, meeting, "agenda built", items=len(made))
    return list(meeting.items.all())


@transaction.atomic
def add_item(*, actor: Any, meeting: Meeting, title: str, note: str = "") -> AgendaItem:
    _require_runner(actor, meeting.forum)
    if len(title.strip()) < 3:
        raise ValidationError({"title": _("Give the item a title.")})
    last = meeting.items.order_by("-position").first()
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=(last.position + 1) if last else 1,
        kind=ItemKind.OTHER,
        title=title.strip(),
        note=note.strip(),
        added_by_chair=True,
    )
    _audit(actor, meeting, "item added", item=item.pk)
    return item


@transaction.atomic
def set_item(*, actor: Any, item: AgendaItem, removed: bool | None = None, move: int = 0) -> None:
    """Remove (or restore) an item, or move it up (-1) or down (+1)."""
    _require_runner(actor, item.meeting.forum)
    if removed is not None:
        item.removed = removed
        item.save(update_fields=["removed"])
    if move:
        items = list(item.meeting.items.order_by("position", "id"))
        index = items.index(item)
        other = index + (1 if move > 0 else -1)
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
            for position, each in enumerate(items, start=1):
                each.position = position
            AgendaItem.objects.bulk_update(items, ["position"])
    _audit(actor, item.meeting, "item changed", item=item.pk, removed=removed, move=move)


@transaction.atomic
def issue_agenda(*, actor: Any, meeting: Meeting) -> IssuedAgenda:
    """Issue the agenda as it stands: a new version, sent to the members."""
    _require_runner(actor, meeting.forum)
    items = [
        {
            "position": i.position,
            "kind": i.kind,
            "reasons": i.reasons or [i.kind],
            "title": i.title,
            "note": i.note,
            "notes": i.notes,
        }
        for i in meeting.items.filter(removed=False).order_by("position")
    ]
    if not items:
        raise ValidationError(_("The agenda is empty: build it first."))
    meeting.agenda_version += 1
    if meeting.status == MeetingStatus.DRAFT:
        meeting.status = MeetingStatus.ISSUED
    meeting.save(update_fields=["agenda_version", "status"])
    issued = IssuedAgenda.objects.create(
        meeting=meeting,
        version=meeting.agenda_version,
        issued_by=actor,
        issued_at=timezone.now(),
        items=items,
    )
    _audit(actor, meeting, "agenda issued", version=issued.version)
    notify(
        [*meeting.forum.members.all(), meeting.forum.chair],
        code="meeting.agenda_issued",
        params={
            "forum": named(meeting.forum),
            "date": timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y"),
            "v": issued.version,
        },
        link=f"/meetings/{meeting.pk}/",
        about=meeting,
    )
    return issued


@transaction.atomic
def record_attendance(*, actor: Any, meeting: Meeting, people: list[User]) -> None:
    _require_runner(actor, meeting.forum)
    meeting.attendees.set(people)
    _audit(actor, meeting, "attendance", people=[p.username for p in people])


def _meeting_source(meeting: Meeting) -> str:
    return f"{meeting.forum.name} {timezone.localtime(meeting.starts_at):%Y-%m-%d}"[:40]


@transaction.atomic
def decide(*, actor: Any, item: AgendaItem, outcome: str, rationale: str) -> Decision:
    """Record the meeting's decision on an item and make it take effect through the service
    that owns the change: a transfer accepted here is accepted, a disruption validated here is
    validated. Everything is audited with the meeting as its source."""
    meeting = item.meeting
    _require_runner(actor, meeting.forum)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose a decision from the list.")})
    if len(rationale.strip()) < 10:
        raise ValidationError({"rationale": _("Give the rationale (at least ten characters).")})
    if len(rationale.strip()) > RATIONALE_MAX:
        raise ValidationError(
            {"rationale": _("Keep the rationale to %(n)s characters.") % {"n": RATIONALE_MAX}}
        )
    # Of two people deciding the same entry at once, the second waits here for the first's
    # transaction, then is told it is decided (rather than failing on the one-decision index).
    list(AgendaItem._base_manager.select_for_update().filter(pk=item.pk).values_list("pk"))
    if Decision.objects.filter(item=item).exists():
        raise ValidationError(_("This item has already been decided."))
    target = (
        item.content_type.get_object_for_this_type(pk=item.object_id) if item.content_type else None
    )
    effect = _take_effect(actor, meeting, item, target, outcome, rationale.strip())
    decision = Decision.objects.create(
        meeting=meeting,
        item=item,
        outcome=outcome,
        rationale=rationale.strip(),
        decided_by=actor,
        decided_at=timezone.now(),
        effect=effect[:300],
    )
    _audit(actor, meeting, "decision", item=item.pk, outcome=outcome, effect=effect)
    return decision


def _take_effect(
    actor: Any, meeting: Meeting, item: AgendaItem, target: Any, outcome: str, rationale: str
) -> str:
    source = _meeting_source(meeting)
    if isinstance(target, Gap):
        return _answer_gap(actor, meeting, target, outcome, rationale)
    if outcome in CAPACITY_OUTCOMES:
        raise ValidationError({"outcome": _("Lend, bid or accept the risk applies to gaps.")})
    if isinstance(target, TransferRequest) and outcome in (Outcome.ACCEPT, Outcome.DECLINE):
        transfers.decide_transfer(
            actor=actor, transfer=target, decision=outcome, reason=rationale, meeting=source
        )
        return _("%(kind)s %(status)s.") % {
            "kind": target.get_kind_display(),
            "status": target.get_status_display().lower(),
        }
    if isinstance(target, TaskingRequest) and outcome in (Outcome.ACCEPT, Outcome.DECLINE):
        tasking.decide_tasking(actor=actor, tasking=target, decision=outcome, reason=rationale)
        return _("Tasking request %(ref)s %(status)s.") % {
            "ref": target.reference,
            "status": target.get_status_display().lower(),
        }
    if isinstance(target, Disruption) and outcome in (Outcome.ACCEPT, Outcome.DECLINE):
        plans.validate_disruption(
            actor=actor, disruption=target, accept=outcome == Outcome.ACCEPT, reason=rationale
        )
        return _("Disruption %(status)s.") % {"status": target.get_status_display().lower()}
    # An entry about a request or claim concerning an item may still archive or re-assess the
    # item itself (one entry per item carries all its reasons).
    register = target if isinstance(target, RegisterItem) else item.register_item
    if register is not None and outcome == Outcome.ARCHIVE:
        threats.archive(actor=actor, item=register, reason=rationale)
        return _("%(ref)s archived.") % {"ref": register.reference}
    if register is not None and outcome == Outcome.RESCORE:
        posts = (
            ownership.current_appointments(register) if register.kind_code in ("ocg", "pi") else {}
        )
        notify(
            [p.person for p in posts.values()],
            code="meeting.rescore",
            params={
                "ref": register.reference,
                "forum": named(meeting.forum),
                "rationale": rationale,
            },
            link=register.get_absolute_url(),
            about=register,
        )
        return _("Re-assessment requested of the people in post.")
    if outcome in (Outcome.ACCEPT, Outcome.DECLINE) and target is not None:
        raise ValidationError({"outcome": _("Accept or decline applies to requests and claims.")})
    return _("Recorded.")


def _answer_gap(actor: Any, meeting: Meeting, gap: Gap, outcome: str, rationale: str) -> str:
    """A chair's answer to a capability gap, made through the capabilities services."""
    where = f"{meeting.forum.name} {timezone.localtime(meeting.starts_at):%Y-%m-%d}"
    if outcome == Outcome.LEND:
        gap = gaps.agree_loan(actor=actor, gap=gap, rationale=rationale, decided_in=where)
        assert gap.lender is not None
        return _("Loan agreed: %(amount)s of %(capability)s from %(lender)s until %(date)s.") % {
            "amount": gap.lent,
            "capability": gap.capability.display_name,
            "lender": gap.lender.code,
            "date": gap.ends.strftime("%d/%m/%Y"),
        }
    if outcome == Outcome.BID:
        gap = gaps.make_bid(actor=actor, gap=gap, rationale=rationale, decided_in=where)
        return _("Bid recorded; the gap is reviewed by %(date)s.") % {
            "date": gap.review_on.strftime("%d/%m/%Y") if gap.review_on else ""
        }
    if outcome == Outcome.ACCEPT_RISK:
        gap = gaps.accept_risk(actor=actor, gap=gap, rationale=rationale, decided_in=where)
        return _("Risk accepted until %(date)s.") % {
            "date": gap.review_on.strftime("%d/%m/%Y") if gap.review_on else ""
        }
    if outcome == Outcome.NO_ACTION:
        return _("Recorded.")
    raise ValidationError({"outcome": _("On a gap, lend, bid, accept the risk or take no action.")})


def outcomes_for(item: AgendaItem) -> list[tuple[str, str]]:
    """The decisions a chair may record on an entry: lend, bid or accept the risk on a gap;
    the others on everything else."""
    gap_type = (item.content_type.app_label, item.content_type.model) if item.content_type else ()
    if gap_type == ("capabilities", "gap"):
        allowed = {*CAPACITY_OUTCOMES, Outcome.NO_ACTION}
        return [(v, str(label)) for v, label in Outcome.choices if v in allowed]
    return [(v, str(label)) for v, label in Outcome.choices if v not in CAPACITY_OUTCOMES]


def action_owners(meeting: Meeting, item: AgendaItem | None = None) -> list[User]:
    """Whom an action may be given to: the forum's chair, members and attendees and, for an
    action on an item, its SIO, LRO and SRO; only those who may see the item it concerns (the
    action shows it to them, on its own page and in *My actions*, without the meeting)."""
    forum = meeting.forum
    record = item.register_item if item is not None else None
    ids = {forum.chair_id, *forum.members.values_list("pk", flat=True)}
    ids |= set(meeting.attendees.values_list("pk", flat=True))
    if record is not None and record.kind_code in ("ocg", "pi"):
        ids |= {post.person_id for post in ownership.current_appointments(record).values()}
    people = (
        User.objects.filter(pk__in=ids, is_active=True)
        .select_related("organisation")
        .order_by("last_name", "first_name", "username")
    )
    return [p for p in people if record is None or policy.visible(p, record)]


@transaction.atomic
def set_agenda_level(*, actor: Any, meeting: Meeting, level: str) -> Meeting:
    """Take the agenda's items from a lower level than the forum's (a national group looking
    at regional items too), or back to the forum's own; the next build follows it."""
    _require_runner(actor, meeting.forum)
    levels = agenda.LEVELS
    if level not in ForumLevel.values:
        raise ValidationError({"level": _("Choose a level from the list.")})
    if levels.index(ForumLevel(level)) > levels.index(ForumLevel(meeting.forum.level)):
        raise ValidationError(
            {"level": _("An agenda can take in the forum's own level and those below it.")}
        )
    meeting.agenda_level = "" if level == meeting.forum.level else level
    meeting.save(update_fields=["agenda_level"])
    _audit(actor, meeting, "agenda level", level=level)
    return meeting


@transaction.atomic
def add_action(
    *,
    actor: Any,
    meeting: Meeting,
    description: str,
    owner: User,
    due_on: dt.date,
    item: AgendaItem | None = None,
) -> MeetingAction:
    """Give someone an action from the meeting, about an agenda entry or none: they must be
    able to see the register item it concerns, and are told with a link to the action."""
    _require_runner(actor, meeting.forum)
    if len(description.strip()) < 5:
        raise ValidationError({"description": _("Describe the action.")})
    if len(description.strip()) > ACTION_MAX:
        raise ValidationError(
            {"description": _("Keep the action to %(n)s characters.") % {"n": ACTION_MAX}}
        )
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The action cannot be due before today.")})
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError({"item": _("Choose an item of this meeting's agenda.")})
    record = item.register_item if item is not None else None
    if not owner.is_active or (record is not None and not policy.visible(owner, record)):
        raise ValidationError(
            {
                "owner": _("%(name)s may not see %(ref)s: give the action to someone who may.")
                % {
                    "name": owner.get_full_name() or owner.username,
                    "ref": record.reference if record is not None else "",
                }
                if record is not None
                else _("That person can no longer sign in.")
            }
        )
    action = MeetingAction(
        meeting=meeting, item=item, description=description.strip(), owner=owner, due_on=due_on
    )
    # The action concerns what its agenda entry concerns, and is seen only by those who see it.
    action.concern(item.register_item if item is not None else None)
    action.save()
    _audit(actor, meeting, "action", action=action.pk, owner=owner.username)
    notify(
        [owner],
        code="meeting.action",
        params={"forum": named(meeting.forum), "action": action.description[:80]},
        link=action.get_absolute_url(),
        about=action,
    )
    return action


@transaction.atomic
def complete_action(*, actor: Any, action: MeetingAction, outcome: str) -> MeetingAction:
    if actor.pk != action.owner_id and not may_run(actor, action.meeting.forum):
        raise PermissionDenied(_("Only the action's owner or the chair completes it."))
    if len(outcome.strip()) < 3:
        raise ValidationError({"outcome": _("Say what was done.")})
    if len(outcome.strip()) > ACTION_MAX:
        raise ValidationError(
            {"outcome": _("Keep the outcome to %(n)s characters.") % {"n": ACTION_MAX}}
        )
    action.done_at, action.outcome = timezone.now(), outcome.strip()
    action.save(update_fields=["done_at", "outcome"])
    _audit(actor, action.meeting, "action done", action=action.pk)
    return action


@transaction.atomic
def mark_held(*, actor: Any, meeting: Meeting) -> Meeting:
    """Record that the meeting took place: not before the day it was called for."""
    _require_runner(actor, meeting.forum)
    if timezone.localtime(meeting.starts_at).date() > timezone.localdate():
        raise ValidationError(
            _("The meeting is on %(date)s: it can be recorded as held from that day.")
            % {"date": timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y")}
        )
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError(_("The meeting is already recorded as held."))
    meeting.status, meeting.held_at = MeetingStatus.HELD, timezone.now()
    meeting.save(update_fields=["status", "held_at"])
    _audit(actor, meeting, "held")
    return meeting
