"""The one access policy: who may see or act on a protected record, and on what basis.

Decides from the person's organisation (own; the same region's ROCU over its forces; national
reach, such as the NCA's, over policing; explicit shares), role (only operational roles see
records; partners only what is theirs or shared), vetting (current, and SC or DV for SECRET),
classification, the SENSITIVE marking (no regional or national reach) and need-to-know lists.
The same rules exist twice, as a Q for querysets and as `basis()` for one object, and tests check
that they agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from concord.core.choices import (
    CLEARANCE_FOR,
    MANAGER_ROLES,
    OPERATIONAL_ROLES,
    Classification,
    OrganisationKind,
    RoleCode,
)

VIEW, CHANGE, SHARE, DELETE = "view", "change", "share", "delete"
ACTIONS = (VIEW, CHANGE, SHARE, DELETE)


class Basis:
    """Why a person may see a record; the last three are 'wider' and ask a reason first."""

    OWN = "own"
    NEED_TO_KNOW = "need_to_know"
    REGIONAL = "regional"
    NATIONAL = "national"
    SHARE = "share"

    NEEDS_REASON = frozenset({REGIONAL, NATIONAL, SHARE})


@dataclass(frozen=True)
class Viewer:
    """What the policy needs to know about a person, computed once per request."""

    user_id: int | None
    organisation_id: int | None
    organisation_kind: str = ""
    region_id: int | None = None
    national_reach: bool = False
    team_ids: frozenset[int] = frozenset()
    roles: frozenset[str] = frozenset()
    classifications: frozenset[str] = frozenset()

    @property
    def sees_records(self) -> bool:
        return bool(self.user_id and self.classifications and self.roles & OPERATIONAL_ROLES)

    @property
    def is_partner(self) -> bool:
        return (
            self.organisation_kind == OrganisationKind.PARTNER
            or RoleCode.PARTNER_USER in self.roles
        )

    @property
    def is_manager(self) -> bool:
        return bool(self.roles & MANAGER_ROLES)


NOBODY = Viewer(user_id=None, organisation_id=None)


def viewer_for(user: Any) -> Viewer:
    """The policy's view of a person (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, "_concord_viewer", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    organisation = user.acting_organisation()
    vetting = user.vetting_level if user.vetting_is_current() else ""
    viewer = Viewer(
        user_id=user.pk,
        organisation_id=organisation.pk,
        organisation_kind=organisation.kind,
        region_id=organisation.region_id,
        national_reach=organisation.national_reach,
        team_ids=frozenset(user.teams.values_list("pk", flat=True)),
        roles=frozenset(user.role_codes),
        classifications=frozenset(c for c, levels in CLEARANCE_FOR.items() if vetting in levels),
    )
    user._concord_viewer = viewer
    return viewer


def forget(user: Any) -> None:
    """Drop the cached viewer after a person's roles, teams or vetting change."""
    if hasattr(user, "_concord_viewer"):
        del user._concord_viewer


def _content_type(model: type[models.Model]) -> ContentType:
    return ContentType.objects.get_for_model(model)


def _shares(model: type[models.Model], viewer: Viewer) -> Exists:
    from concord.core.models import Share

    today = timezone.localdate()
    return Exists(
        Share.objects.filter(
            content_type=_content_type(model),
            object_id=OuterRef("pk"),
            revoked_at__isnull=True,
        )
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .filter(Q(to_organisation_id=viewer.organisation_id) | Q(to_person_id=viewer.user_id))
    )


def _shared_ids(model: type[models.Model], viewer: Viewer) -> models.QuerySet[Any]:
    """The ids of the model's records shared with the viewer or their organisation, now."""
    from concord.core.models import Share

    live = (
        Share.objects.filter(content_type=_content_type(model), revoked_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gte=timezone.localdate()))
        .order_by()
    )
    # Two arms, not an OR: the organisation's is then read from its index alone.
    return (
        live.filter(to_organisation_id=viewer.organisation_id)
        .values("object_id")
        .union(live.filter(to_person_id=viewer.user_id).values("object_id"), all=True)
    )


def _reach_q(viewer: Viewer, model: type[models.Model] | None = None) -> Q:
    """Records within the person's organisational reach (before need-to-know). A model whose
    `wide_reach` is False (intelligence, shared only by dissemination) has none beyond its
    owner."""
    reach = Q(owner_id=viewer.organisation_id)
    if viewer.is_partner or not getattr(model, "wide_reach", True):
        return reach
    wider: Q = Q()
    if viewer.organisation_kind == OrganisationKind.ROCU and viewer.region_id:
        wider |= Q(owner__kind=OrganisationKind.FORCE, owner__region_id=viewer.region_id)
    if viewer.national_reach:
        wider |= Q(
            owner__kind__in=[
                OrganisationKind.FORCE,
                OrganisationKind.ROCU,
                OrganisationKind.NATIONAL,
            ]
        )
    if wider:
        reach |= wider & Q(sensitive=False)
    return reach


def _need_to_know_q(model: type[models.Model], viewer: Viewer) -> Q:
    people = model.need_to_know_people.through  # type: ignore[attr-defined]
    teams = model.need_to_know_teams.through  # type: ignore[attr-defined]
    column = f"{model._meta.model_name}_id"
    allowed = Q(need_to_know_only=False) | Q(
        Exists(people.objects.filter(**{column: OuterRef("pk"), "user_id": viewer.user_id}))
    )
    if viewer.team_ids:
        allowed |= Q(
            Exists(teams.objects.filter(**{column: OuterRef("pk"), "team_id__in": viewer.team_ids}))
        )
    if viewer.is_manager:
        allowed |= Q(owner_id=viewer.organisation_id)
    return allowed


def visible_q(model: type[models.Model], viewer: Viewer) -> Q:
    """The rows of `model` the viewer may see, as one filter (no per-row queries): a protected
    record by the rules here, a model that shows one by its declaration (core/restriction.py)."""
    from concord.core import restriction

    if not restriction.is_protected(model):
        return restriction.restricted_q(model, viewer)
    if not viewer.sees_records:
        return Q(pk__in=[])
    cleared = Q(classification__in=sorted(viewer.classifications))
    within = _reach_q(viewer, model) & _need_to_know_q(model, viewer)
    if _own_and_shared_only(model, viewer):
        # Only the owner's own and what was shared: one set of ids from two index scans (the
        # owner's rows, the shares), not an OR that makes the database test every row (a
        # million intelligence reports) for a share.
        own = model._base_manager.filter(within).order_by().values("pk")
        return cleared & Q(pk__in=own.union(_shared_ids(model, viewer)))
    return cleared & (within | Q(_shares(model, viewer)))


def _own_and_shared_only(model: type[models.Model], viewer: Viewer) -> bool:
    return viewer.is_partner or not getattr(model, "wide_reach", True)


@dataclass(frozen=True)
class Arms:
    """The rows of a model a viewer sees as its owner's own and as shared with them: `own`
    and `shared` (whose union is what they may see), and `shared_only`, the shared rows that
    `own` does not hold (so the two counts add up to the union's)."""

    own: models.QuerySet[Any]
    shared: models.QuerySet[Any]
    shared_only: models.QuerySet[Any]


def visible_arms(user: Any, model: type[models.Model], where: Q | None = None) -> Arms | None:
    """Where the viewer sees only the owner's own rows of `model` and those shared with them
    (intelligence): those two sets, each cleared and selected by `where` on its own, whose
    union is `visible_to(user).filter(where)`. None for any other model or viewer."""
    viewer = viewer_for(user)
    if not viewer.sees_records or not _own_and_shared_only(model, viewer):
        return None
    where = where if where is not None else Q()
    cleared = Q(classification__in=sorted(viewer.classifications))
    within = _reach_q(viewer, model) & _need_to_know_q(model, viewer)
    own = model._base_manager.filter(cleared, within, where).order_by()
    shared = model._base_manager.filter(cleared, where, pk__in=_shared_ids(model, viewer))
    return Arms(own=own, shared=shared.order_by(), shared_only=shared.exclude(within).order_by())


def visible_pks(user: Any, model: type[models.Model], where: Q | None = None) -> Any:
    """The ids of the rows of a protected `model` that `user` may see (and `where` selects),
    as a subquery for `…__in`: the same rows as `visible_to(user).filter(where)`.

    Where the viewer sees only the owner's own rows and those shared (intelligence), it is
    the union of the two arms, so that a figure over every visible report (a count of their
    shares) reads two index scans, never the whole table (a million reports) to test each
    row against the union."""
    viewer = viewer_for(user)
    arms = visible_arms(user, model, where)
    if arms is None:
        return (
            model._base_manager.filter(visible_q(model, viewer), where or Q())
            .order_by()
            .values("pk")
        )
    if not where and viewer.classifications >= set(Classification.values):
        # Cleared for every classification: what was shared needs no look at the records.
        return arms.own.values("pk").union(_shared_ids(model, viewer), all=True)
    # For `…__in`, a row in both arms may appear twice: UNION ALL spares the sort.
    return arms.own.values("pk").union(arms.shared.values("pk"), all=True)


def change_q(model: type[models.Model], viewer: Viewer) -> Q:
    """Rows the viewer may change, share or delete: their own organisation's, not as a partner."""
    if not viewer.sees_records or viewer.is_partner:
        return Q(pk__in=[])
    return Q(owner_id=viewer.organisation_id)


def visible(user: Any, obj: Any) -> bool:
    """May `user` see `obj`, a protected record or one that declares its path to one? One
    object through the same filter its lists use, so the two cannot disagree."""
    model = type(obj)
    return bool(
        obj.pk is not None
        and model._base_manager.filter(visible_q(model, viewer_for(user)), pk=obj.pk).exists()
    )


def may_be_shown(user: Any, obj: Any) -> bool:
    """Could `obj` be opened to `user` by a share (as an appointment or a request gives)? Their
    role, current vetting and clearance for its classification, and any need-to-know list,
    decide; reach does not, since the share gives it."""
    viewer = viewer_for(user)
    if not viewer.sees_records or obj.classification not in viewer.classifications:
        return False
    if not obj.need_to_know_only:
        return True
    own_manager = obj.owner_id == viewer.organisation_id and viewer.is_manager
    return bool(
        own_manager
        or obj.need_to_know_people.filter(pk=viewer.user_id).exists()
        or (viewer.team_ids and obj.need_to_know_teams.filter(pk__in=viewer.team_ids).exists())
    )


def basis(user: Any, obj: Any) -> str | None:
    """Why `user` may see `obj` (a Basis value), or None when they may not."""
    viewer = viewer_for(user)
    if not viewer.sees_records or obj.classification not in viewer.classifications:
        return None
    model = type(obj)
    own = obj.owner_id == viewer.organisation_id
    named = obj.need_to_know_only and (
        obj.need_to_know_people.filter(pk=viewer.user_id).exists()
        or bool(viewer.team_ids and obj.need_to_know_teams.filter(pk__in=viewer.team_ids).exists())
    )
    ntk_ok = not obj.need_to_know_only or named or (own and viewer.is_manager)
    if own and ntk_ok:
        return Basis.NEED_TO_KNOW if named else Basis.OWN
    if named:
        return Basis.NEED_TO_KNOW
    from concord.core.models import Share

    shares = Share.objects.filter(
        content_type=_content_type(model),
        object_id=obj.pk,
        revoked_at__isnull=True,
    ).filter(Q(until__isnull=True) | Q(until__gte=timezone.localdate()))
    if ntk_ok and not viewer.is_partner and not obj.sensitive and getattr(obj, "wide_reach", True):
        owner = obj.owner
        if (
            viewer.organisation_kind == OrganisationKind.ROCU
            and viewer.region_id
            and owner.kind == OrganisationKind.FORCE
            and owner.region_id == viewer.region_id
        ):
            return Basis.REGIONAL
        if viewer.national_reach and owner.kind != OrganisationKind.PARTNER:
            return Basis.NATIONAL
    recipients = Q(to_organisation_id=viewer.organisation_id) | Q(to_person_id=viewer.user_id)
    if shares.filter(recipients).exists():
        return Basis.SHARE
    return None


def can(user: Any, action: str, obj: Any) -> bool:
    """May `user` perform `action` (view, change, share, delete) on `obj`?"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if basis(user, obj) is None:
        return False
    if action == VIEW:
        return True
    viewer = viewer_for(user)
    return not viewer.is_partner and obj.owner_id == viewer.organisation_id


def needs_reason(user: Any, obj: Any) -> bool:
    """True when the person sees `obj` only through a share or a wider role, and it is not
    their work: addressed to their organisation (a tasking request) or shared with them as
    their work (an appointed SIO, the receiver of a transfer)."""
    if basis(user, obj) not in Basis.NEEDS_REASON:
        return False
    viewer = viewer_for(user)
    return not (obj.addressed_to(viewer.organisation_id) or works_on(viewer, obj))


def works_on(viewer: Viewer, obj: Any) -> bool:
    """True when `obj` was shared with the person or their organisation as their work."""
    from concord.core.models import Share

    return (
        Share.objects.filter(
            content_type=_content_type(type(obj)),
            object_id=obj.pk,
            revoked_at__isnull=True,
            as_work=True,
        )
        .filter(Q(until__isnull=True) | Q(until__gte=timezone.localdate()))
        .filter(Q(to_organisation_id=viewer.organisation_id) | Q(to_person_id=viewer.user_id))
        .exists()
    )


class Act(StrEnum):
    """The named actions of the policy: who may do each is defined once (`rule`), by the app
    that owns the record, and checked by its services with `require` (pages ask `may` to
    offer the action at all)."""

    APPOINT = "appoint"
    DECIDE_TRANSFER = "decide_transfer"
    DECIDE_TASKING = "decide_tasking"
    CHANGE_PLAN = "change_plan"
    UPDATE_ACTION = "update_action"
    VALIDATE_DISRUPTION = "validate_disruption"
    APPROVE_RELEASE = "approve_release"
    CHAIR_FORUM = "chair_forum"
    REVIEW_ALERT = "review_alert"
    ADMINISTER_ORGANISATION = "administer_organisation"
    MANAGE_CAPACITY = "manage_capacity"
    DECIDE_GAP = "decide_gap"
    PREPARE_STATISTICS = "prepare_statistics"
    # A ROCU's oversight pack and its practice adoptions (obj: the organisation, or None).
    OVERSEE = "oversee"
    # LROs: pairing a new LRO with a mentor (`obj` the mentee), and seeing the unit's workload
    # (`obj` the organisation); editing the 4P guidance (`obj` None).
    LEAD_LROS = "lead_lros"
    EDIT_GUIDANCE = "edit_guidance"
    # A mentor's or mentee's comment on the mentee's plan (`obj` (pairing, plan)).
    COMMENT_AS_MENTOR = "comment_as_mentor"
    DECIDE_REFERRAL = "decide_referral"
    KEEP_WATCH = "keep_watch"
    # Actions on no one record (`obj` is None): what the menu and the list pages offer.
    WORK_REGISTER = "work_register"
    MAP = "map"
    RECORD_INTELLIGENCE = "record_intelligence"
    REQUEST_TASKING = "request_tasking"
    SEND_REFERRAL = "send_referral"
    TRIAGE_REFERRALS = "triage_referrals"
    DECONFLICT = "deconflict"


Rule = Callable[[Any, Any], bool]
_RULES: dict[Act, Rule] = {}


def rule(act: Act) -> Callable[[Rule], Rule]:
    """Define who may do `act` (once: a second definition is an error at import)."""

    def register(check: Rule) -> Rule:
        if act in _RULES and _RULES[act] is not check:
            raise RuntimeError(f"{act} is already defined by {_RULES[act].__qualname__}")
        _RULES[act] = check
        return check

    return register


def rules() -> dict[Act, Rule]:
    """Every named action with its rule (for the tests that every one is defined)."""
    return dict(_RULES)


def may(user: Any, act: Act, obj: Any) -> bool:
    """May `user` do the named action on `obj`? Never for a record they may not see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(_RULES[act](user, obj))


def require(user: Any, act: Act, obj: Any, message: str = "") -> None:
    """Refuse (PermissionDenied, which reads as 404) unless `user` may do `act` on `obj`."""
    from django.core.exceptions import PermissionDenied

    if not may(user, act, obj):
        raise PermissionDenied(message or f"not allowed: {act}")
