"""Mentoring of new LROs: the lead of an organisation pairs a new LRO (the mentee) with an
experienced one (the mentor); the mentor reads the mentee's plans and comments on them.

Who is "the unit's lead": the chief officers and SROs of the mentee's organisation (its
managers, `MANAGER_ROLES`), through `Act.LEAD_LROS`. They choose the mentor: an LRO of their
own organisation or of another police organisation of the same region.

What the mentor gets, and loses:
- while the pairing is open, a read share (`ShareCause.MENTORING`, `cause_id` the pairing) of
  each item the mentee is LRO of, and of each item the mentee becomes LRO of meanwhile (the
  `Appointment` signal below); a share gives sight, never change, and the mentor may not change
  a mentee's plan even where their organisation's staff otherwise could (`is_mentor_of`, read
  by `services.may_change_plan`);
- ending the pairing ends those shares, found by cause and id.
Comments (`MentorComment`) are seen by the mentee, the mentor while the pairing is open, and
the leads of the mentee's organisation: no other reader of the plan (models.party_to_pairing).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import MANAGER_ROLES, OrganisationKind, RoleCode, ShareCause
from concord.core.models import AuditAction
from concord.core.services import end_shares, grant_share
from concord.organisations.models import Organisation, User
from concord.organisations.notifications import notify
from concord.ownership.choices import AppointmentRole
from concord.ownership.models import Appointment, subject_field
from concord.plans.models import MentorComment, Pairing, Plan
from concord.threats.models import RegisterItem


def _organisation_of(obj: Any) -> Organisation | None:
    if isinstance(obj, Organisation):
        return obj
    if isinstance(obj, User):
        return obj.acting_organisation()
    if isinstance(obj, Pairing):
        return obj.organisation
    return None


@policy.rule(policy.Act.LEAD_LROS)
def may_lead_lros(user: Any, obj: Any) -> bool:
    """A chief officer or SRO of the organisation (of the mentee, the pairing, the unit), with
    current vetting: pairs its LROs with mentors and sees its workload."""
    organisation = _organisation_of(obj)
    if organisation is None or organisation.kind == OrganisationKind.PARTNER:
        return False
    return bool(
        user.is_active
        and user.vetting_is_current()
        and set(user.role_codes) & MANAGER_ROLES
        and user.acting_organisation().pk == organisation.pk
    )


def pairings_for(user: Any) -> QuerySet[Pairing]:
    """The pairings a person is party to: their own (as mentor or mentee), and those of the
    organisation they lead."""
    if not user.is_authenticated:
        return Pairing.objects.none()
    scope = Q(mentor=user) | Q(mentee=user)
    organisation = user.acting_organisation()
    if may_lead_lros(user, organisation):
        scope |= Q(organisation=organisation)
    return Pairing.objects.filter(scope).select_related("mentor", "mentee", "organisation")


def open_pairing_of(mentee: Any) -> Pairing | None:
    return Pairing.objects.filter(mentee=mentee, ended_at__isnull=True).first()


def lro_posts(person: Any) -> QuerySet[Appointment]:
    """The person's current LRO posts, on active items."""
    return Appointment.objects.filter(
        person=person, role=AppointmentRole.LRO, ended_on__isnull=True
    ).select_related("ocg", "priority_individual")


def lro_posts_on(item: RegisterItem) -> QuerySet[Appointment, Any]:
    """The person id of the item's current LRO, as a subquery."""
    return Appointment.objects.filter(
        role=AppointmentRole.LRO, ended_on__isnull=True, **{subject_field(item): item}
    ).values("person_id")


def is_mentor_of(user: Any, item: RegisterItem) -> bool:
    """Is the person the mentor, in an open pairing, of the item's current LRO?"""
    return Pairing.objects.filter(
        mentor=user, ended_at__isnull=True, mentee__in=lro_posts_on(item)
    ).exists()


def mentor_candidates(lead: Any) -> QuerySet[User]:
    """LROs a lead may choose as mentor: active, vetted, of the lead's organisation or of a
    police organisation of its region."""
    organisation = lead.acting_organisation()
    places = Q(organisation=organisation)
    if organisation.region_id:
        places |= Q(
            organisation__region_id=organisation.region_id,
            organisation__kind__in=[OrganisationKind.FORCE, OrganisationKind.ROCU],
        )
    return (
        User.objects.filter(places, is_active=True, roles__code=RoleCode.LRO)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _purpose(pairing: Pairing) -> str:
    return _("Mentoring %(mentee)s") % {"mentee": pairing.mentee.get_full_name()}


def _share_item(actor: Any, pairing: Pairing, item: RegisterItem) -> bool:
    """Give the mentor read sight of one of the mentee's items, if they may be shown it."""
    if not policy.may_be_shown(pairing.mentor, item):
        return False
    grant_share(
        actor=actor,
        obj=item,
        cause=ShareCause.MENTORING,
        cause_id=pairing.pk,
        purpose=_purpose(pairing),
        to_person=pairing.mentor,
        as_work=True,
    )
    return True


def _link() -> str:
    return reverse("plans:mentoring")


@transaction.atomic
def start_pairing(*, actor: Any, mentor: User, mentee: User) -> Pairing:
    """Pair a new LRO with a mentor: the mentor reads the mentee's plans from now on."""
    policy.require(
        actor,
        policy.Act.LEAD_LROS,
        mentee,
        _("Only a chief officer or SRO of the LRO's organisation pairs them with a mentor."),
    )
    if mentor.pk == mentee.pk:
        raise ValidationError({"mentor": _("Choose someone other than the mentee as mentor.")})
    if not (mentee.is_active and RoleCode.LRO in set(mentee.role_codes)):
        raise ValidationError({"mentee": _("The mentee must be an active LRO.")})
    if not mentor_candidates(actor).filter(pk=mentor.pk).exists():
        raise ValidationError(
            {"mentor": _("The mentor must be an active LRO of your organisation or region.")}
        )
    if not mentor.vetting_is_current():
        raise ValidationError({"mentor": _("The mentor's vetting is not current.")})
    if open_pairing_of(mentee) is not None:
        raise ValidationError({"mentee": _("This LRO already has a mentor.")})
    pairing = Pairing.objects.create(
        mentor=mentor,
        mentee=mentee,
        organisation=mentee.acting_organisation(),
        started_at=timezone.now(),
        started_by=actor,
    )
    shared = [
        post.subject.reference
        for post in lro_posts(mentee)
        if _share_item(actor, pairing, post.subject)
    ]
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type="plans.pairing",
        object_id=str(pairing.pk),
        object_repr=str(pairing),
        owner_code=pairing.organisation.code,
        changes={"mentor": [None, mentor.username], "mentee": [None, mentee.username]},
        detail={"shared": shared},
    )
    notify(
        [mentor, mentee],
        code="mentoring.started",
        params={"mentor": mentor.get_full_name(), "mentee": mentee.get_full_name()},
        link=_link(),
    )
    return pairing


@transaction.atomic
def end_pairing(*, actor: Any, pairing: Pairing) -> Pairing:
    """End a pairing: the mentor loses the sight it gave (its shares, by cause and id)."""
    policy.require(
        actor,
        policy.Act.LEAD_LROS,
        pairing,
        _("Only a chief officer or SRO of the LRO's organisation ends a pairing."),
    )
    moved = Pairing.objects.filter(pk=pairing.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), ended_by=actor
    )
    if moved != 1:
        raise ValidationError(_("This pairing has already ended."))
    pairing.refresh_from_db()
    _end_mentoring_shares(actor, pairing)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type="plans.pairing",
        object_id=str(pairing.pk),
        object_repr=str(pairing),
        owner_code=pairing.organisation.code,
        changes={"ended_at": [None, pairing.ended_at.isoformat() if pairing.ended_at else None]},
    )
    notify(
        [pairing.mentor, pairing.mentee],
        code="mentoring.ended",
        params={"mentor": pairing.mentor.get_full_name(), "mentee": pairing.mentee.get_full_name()},
        link=_link(),
    )
    return pairing


def _end_mentoring_shares(actor: Any, pairing: Pairing) -> int:
    from django.contrib.contenttypes.models import ContentType

    from concord.core.models import Share

    ended = 0
    live = Share.objects.filter(
        cause=ShareCause.MENTORING, cause_id=pairing.pk, revoked_at__isnull=True
    ).select_related("content_type")
    for content_type_id, object_id in set(live.values_list("content_type_id", "object_id")):
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        obj = model._base_manager.filter(pk=object_id).first()
        if obj is not None:
            ended += end_shares(
                actor=actor, obj=obj, cause=ShareCause.MENTORING, cause_id=pairing.pk
            )
    return ended


@policy.rule(policy.Act.COMMENT_AS_MENTOR)
def may_comment(user: Any, pairing_and_plan: tuple[Pairing, Plan]) -> bool:
    """The mentor (while the pairing is open) or the mentee, on a plan of the mentee's that
    they may see."""
    pairing, plan = pairing_and_plan
    if not pairing.is_open or user.pk not in (pairing.mentor_id, pairing.mentee_id):
        return False
    if not policy.visible(user, plan):
        return False
    return lro_posts(pairing.mentee).filter(**{subject_field(plan.subject): plan.subject}).exists()


@transaction.atomic
def add_comment(*, actor: Any, pairing: Pairing, plan: Plan, text: str) -> MentorComment:
    """A comment on the mentee's plan, by the mentor or the mentee; the other is told."""
    policy.require(
        actor,
        policy.Act.COMMENT_AS_MENTOR,
        (pairing, plan),
        _("Only the mentor and the mentee comment on this plan."),
    )
    if len(text.strip()) < 3:
        raise ValidationError({"text": _("Write the comment.")})
    comment = MentorComment.objects.create(
        pairing=pairing, plan=plan, author=actor, text=text.strip()
    )
    item = plan.subject
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type="plans.mentorcomment",
        object_id=str(comment.pk),
        object_repr=f"mentoring comment on {item.reference}",
        owner_code=item.owner.code,
        detail={"pairing": pairing.pk, "item": item.reference},
    )
    other = pairing.mentee if actor.pk == pairing.mentor_id else pairing.mentor
    notify(
        [other],
        code="mentoring.comment",
        params={"ref": item.reference, "name": actor.get_full_name() or actor.username},
        link=reverse("plans:plan", args=[item.kind_code, item.reference]),
        about=item,
    )
    return comment


@receiver(post_save, sender=Appointment, dispatch_uid="plans.mentoring.follow_posts")
def _follow_posts(sender: Any, instance: Appointment, created: bool, **kwargs: Any) -> None:
    """A mentee who takes on a plan during a pairing shares it with the mentor; one who leaves
    an LRO post takes that item's mentoring share away."""
    if instance.role != AppointmentRole.LRO or kwargs.get("raw"):
        return
    pairing = open_pairing_of(instance.person_id)
    if pairing is None:
        return
    item = instance.subject
    if instance.ended_on is None:
        _share_item(instance.appointed_by, pairing, item)
    else:
        end_shares(
            actor=instance.appointed_by, obj=item, cause=ShareCause.MENTORING, cause_id=pairing.pk
        )
