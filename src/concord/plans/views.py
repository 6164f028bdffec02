"""4P plan pages: the plan of an OCG or PI, my actions (what partners see), disruptions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.access import open_record
from concord.core.models import AuditAction
from concord.organisations.models import Organisation, User
from concord.ownership.models import SUBJECT_FIELDS, subject_field
from concord.plans import checklist, guidance, mentoring, services
from concord.plans import forms as plan_forms
from concord.plans.choices import OUTCOME_FIELDS, ActionStatus, DisruptionStatus, Strand
from concord.plans.models import (
    Action,
    Disruption,
    DisruptionImpact,
    MentorComment,
    Objective,
    Pairing,
    Plan,
    outcome_label,
)
from concord.threats.models import REGISTER_ITEMS, RegisterItem
from concord.threats.views import form_errors
from concord.web import panels
from concord.web.exports import FORMATS, export_response
from concord.web.lists import paginate


def _objectives(user: Any, item: RegisterItem) -> QuerySet[Objective]:
    return (
        Objective.objects.visible_to(user)
        .filter(**{f"plan__{subject_field(item)}": item})
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.visible_to(user).select_related(
                    "owner_person", "owner_organisation"
                ),
            )
        )
    )


def totals(disruptions: QuerySet[Disruption]) -> dict[str, Any]:
    """Validated outcomes only: a claim counts once a second person has validated it."""
    validated = disruptions.filter(status=DisruptionStatus.VALIDATED)
    sums = validated.aggregate(**{f: Sum(f) for f in OUTCOME_FIELDS})
    return {
        "count": validated.count(),
        "fields": [(outcome_label(f), sums[f] or 0) for f in OUTCOME_FIELDS],
    }


def panel(request: HttpRequest, item: RegisterItem) -> SafeString:
    """The plan by strand, on the OCG or PI page."""
    plan = services.plan_or_blank(item) if services.may_change_plan(request.user, item) else None
    objectives = list(_objectives(request.user, item))
    return render_to_string(
        "plans/panel.html",
        {
            "item": item,
            "plan": plan,
            "review_overdue": plan is not None and plan.next_review_on < timezone.localdate(),
            "strands": [
                (label, [o for o in objectives if o.strand == value])
                for value, label in Strand.choices
            ],
            "disruptions": totals(
                Disruption.objects.visible_to(request.user).filter(**{subject_field(item): item})
            ),
        },
        request=request,
    )


def _item(request: HttpRequest, kind: str, reference: str) -> RegisterItem:
    if kind not in SUBJECT_FIELDS:
        raise Http404
    item: RegisterItem = open_record(
        request,
        REGISTER_ITEMS[kind].objects.select_related("owner"),
        reference=reference.upper(),
    )
    return item


def _username(value: str, form: Any, field: str) -> User | None:
    if not value.strip():
        return None
    person = User.objects.filter(username=value.strip(), is_active=True).first()
    if person is None:
        form.add_error(field, _("No person has that username."))
    return person


@login_required
def plan_view(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """The whole plan: aim, objectives and actions by strand, reviews, disruptions; the forms
    for those who may change it."""
    item = _item(request, kind, reference)
    may_change = services.may_change_plan(request.user, item)
    plan = services.plan_or_blank(item)
    forms: dict[str, Any] = {
        "context": plan_forms.PlanContextForm(
            prefix="context",
            initial={
                "aim": plan.aim,
                "partner_context": plan.partner_context,
                "review_days": plan.review_days,
            },
        ),
        "objective": plan_forms.ObjectiveForm(prefix="objective"),
        "action": plan_forms.ActionForm(prefix="action"),
        "review": plan_forms.ReviewForm(prefix="review"),
        "disruption": plan_forms.DisruptionForm(prefix="disruption"),
        "progress": plan_forms.ActionProgressForm(prefix="progress"),
    }
    pairing = _pairing_on(request.user, item)
    if request.method == "POST" and request.POST.get("step") == "comment":
        return _comment(request, item, plan, pairing)
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step not in forms or (step != "disruption" and not may_change):
            raise Http404
        forms[step] = type(forms[step])(request.POST, prefix=step)
        try:
            done = _post(request, item, step, forms[step])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form_errors(forms[step], exc)
        else:
            if done:
                messages.success(request, done)
                return redirect("plans:plan", kind=kind, reference=item.reference)
    objectives = list(_objectives(request.user, item))
    disruptions = (
        Disruption.objects.visible_to(request.user)
        .filter(**{subject_field(item): item})
        .select_related("impact", "claimed_by", "claimed_for", "validated_by")
    )
    shown = guidance.shown()
    found = checklist.results(plan)
    met, of = checklist.progress(found)
    return render(
        request,
        "plans/plan.html",
        {
            "item": item,
            "kind": kind,
            "plan": plan,
            "may_change": may_change,
            "guidance": shown,
            "strand_guidance": {
                value: [g for g in shown["objectives"] if g.strand == value]
                for value in Strand.values
            },
            "objectives_guidance": [g for g in shown["objectives"] if not g.strand],
            "checklist": checklist.by_stage(found),
            "checks_met": met,
            "checks_of": of,
            "gaps": [r for r in found if not r.met],
            "pairing": pairing,
            "may_claim": pairing is None or pairing.mentee_id == request.user.pk,
            "comments": (
                MentorComment.objects.visible_to(request.user)
                .filter(plan=plan)
                .select_related("author")
                if plan.pk
                else []
            ),
            "forms": forms,
            "strands": [
                (value, label, [o for o in objectives if o.strand == value])
                for value, label in Strand.choices
            ],
            "objectives": objectives,
            "reviews": plan.reviews.select_related("reviewed_by")[:10] if plan.pk else [],
            "disruptions": disruptions,
            "totals": totals(disruptions),
            "statuses": ActionStatus.choices,
        },
    )


def _pairing_on(user: Any, item: RegisterItem) -> Pairing | None:
    """The open pairing in which the person is mentor or mentee of the item's LRO, if any."""
    return (
        Pairing.objects.filter(ended_at__isnull=True, mentee__in=mentoring.lro_posts_on(item))
        .filter(Q(mentor=user) | Q(mentee=user))
        .select_related("mentor", "mentee")
        .first()
    )


def _comment(
    request: HttpRequest, item: RegisterItem, plan: Plan, pairing: Pairing | None
) -> HttpResponse:
    """A mentoring comment on the plan, by the mentor or the mentee."""
    if pairing is None or plan.pk is None:
        raise Http404
    try:
        mentoring.add_comment(
            actor=request.user, pairing=pairing, plan=plan, text=request.POST.get("text", "")
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The comment was added."))
    return redirect("plans:plan", kind=item.kind_code, reference=item.reference)


def _post(request: HttpRequest, item: RegisterItem, step: str, form: Any) -> str:
    actor = request.user
    if not form.is_valid():
        return ""
    data = form.cleaned_data
    if step == "context":
        services.set_plan_context(
            actor=actor,
            item=item,
            aim=data["aim"],
            partner_context=data["partner_context"],
            review_days=data["review_days"],
        )
        return _("The plan was saved.")
    if step == "objective":
        services.add_objective(actor=actor, item=item, strand=data["strand"], text=data["text"])
        return _("The objective was added.")
    if step == "action":
        objective = _objectives(actor, item).filter(pk=data["objective"]).first()
        if objective is None:
            form.add_error("objective", _("Choose an objective of this plan."))
            return ""
        person = _username(data["owner_person"], form, "owner_person")
        agency = None
        if data["owner_organisation"]:
            agency = (
                Organisation.objects.active()
                .filter(code=data["owner_organisation"].upper())
                .first()
            )
            if agency is None:
                form.add_error("owner_organisation", _("No organisation has that code."))
        if form.errors:
            return ""
        services.add_action(
            actor=actor,
            objective=objective,
            description=data["description"],
            due_on=data["due_on"],
            owner_person=person,
            owner_organisation=agency,
        )
        return _("The action was added.")
    if step == "progress":
        action = (
            Action.objects.visible_to(actor)
            .filter(pk=data["action"], **{f"objective__plan__{subject_field(item)}": item})
            .first()
        )
        if action is None:
            raise Http404
        services.update_action(
            actor=actor, action=action, status=data["status"], outcome=data["outcome"]
        )
        return _("The action was updated.")
    if step == "review":
        services.review_plan(actor=actor, item=item, notes=data["notes"])
        return _("The review was recorded.")
    services.claim_disruption(
        actor=actor,
        item=item,
        strand=data["strand"],
        impact=data["impact"],
        occurred_on=data["occurred_on"],
        narrative=data["narrative"],
        outcomes={f: data.get(f, "") for f in OUTCOME_FIELDS},
    )
    return _("The disruption was claimed; it counts once a second person validates it.")


def _int(value: str | None) -> int:
    """A posted id, or 0 (which matches nothing) when it is not a number."""
    return int(value) if value and value.isdigit() else 0


def actions_of(user: Any) -> QuerySet[Action]:
    """Actions given to the person or their organisation (the list's scope), of those the
    declaration on Action lets them see."""
    organisation = user.acting_organisation()
    return (
        Action.objects.visible_to(user)
        .filter(Q(owner_person=user) | Q(owner_organisation=organisation))
        .select_related(
            "objective__plan__ocg",
            "objective__plan__priority_individual",
            "owner_person",
            "owner_organisation",
        )
        .order_by("status", "due_on", "id")
    )


@login_required
def my_actions(request: HttpRequest) -> HttpResponseBase:
    """Actions given to me or my agency, with only the context the LRO shares: how a partner
    sees a 4P plan. Updating progress and claiming a disruption happen here."""
    actions = actions_of(request.user)
    if request.method == "POST":
        action = actions.filter(pk=_int(request.POST.get("action"))).first()
        if action is None:
            raise Http404
        form = plan_forms.ActionProgressForm(request.POST, prefix="progress")
        if form.is_valid():
            try:
                services.update_action(
                    actor=request.user,
                    action=action,
                    status=form.cleaned_data["status"],
                    outcome=form.cleaned_data["outcome"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The action was updated."))
                return redirect("plans:my_actions")
        else:
            for field, errors in form.errors.items():
                messages.error(request, f"{field}: {' '.join(str(e) for e in errors)}")
    fmt = request.GET.get("export")
    rows: Callable[[Action], tuple[object, ...]] = lambda a: (  # noqa: E731
        a.objective.plan.subject.reference,
        a.objective.get_strand_display(),
        a.description,
        a.due_on.isoformat(),
        a.get_status_display(),
        a.outcome,
    )
    if fmt in FORMATS:
        audit.record(AuditAction.EXPORT, actor=request.user, object_type="plans.action")
        return export_response(
            name="actions",
            fmt=fmt,
            headers=[_("Item"), _("Strand"), _("Action"), _("Due"), _("Status"), _("Outcome")],
            rows=(rows(a) for a in actions.iterator(chunk_size=500)),
        )
    page = paginate(request, actions)
    audit.record(
        AuditAction.LIST,
        actor=request.user,
        object_type="plans.action",
        detail={"page": page.number, "count": page.paginator.count},
    )
    return render(
        request,
        "plans/my_actions.html",
        {
            "page_obj": page,
            "statuses": ActionStatus.choices,
            # Upper apps' actions for the person (meetings: actions a forum gave them).
            "panels": panels.render(request, "my_actions", None),
        },
    )


@login_required
def disruption_list(request: HttpRequest) -> HttpResponseBase:
    """Disruptions you may see, with validated totals; validation by a second person here."""
    if request.method == "POST":
        disruption = (
            Disruption.objects.visible_to(request.user)
            .filter(pk=_int(request.POST.get("disruption")))
            .first()
        )
        if disruption is None:
            raise Http404
        try:
            services.validate_disruption(
                actor=request.user,
                disruption=disruption,
                accept=request.POST.get("decision") == "validate",
                reason=request.POST.get("reason", ""),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The disruption is %(status)s.")
                % {"status": disruption.get_status_display().lower()},
            )
        return redirect(request.get_full_path())
    status = request.GET.get("status", "")
    disruptions = Disruption.objects.visible_to(request.user).select_related(
        "ocg", "priority_individual", "impact", "claimed_by", "claimed_for", "validated_by"
    )
    if status in DisruptionStatus.values:
        disruptions = disruptions.filter(status=status)
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="plans.disruption",
            detail={"status": status},
        )
        return export_response(
            name="disruptions",
            fmt=fmt,
            headers=[
                _("Item"),
                _("Strand"),
                _("Impact"),
                _("Date"),
                _("Status"),
                _("Claimed for"),
                *[outcome_label(f) for f in OUTCOME_FIELDS],
            ],
            rows=(
                (
                    d.subject.reference,
                    d.get_strand_display(),
                    d.impact.display_name,
                    d.occurred_on.isoformat(),
                    d.get_status_display(),
                    d.claimed_for.code,
                    *[getattr(d, f) for f in OUTCOME_FIELDS],
                )
                for d in disruptions.iterator(chunk_size=500)
            ),
        )
    page = paginate(request, disruptions)
    audit.record(
        AuditAction.LIST,
        actor=request.user,
        object_type="plans.disruption",
        detail={"status": status, "page": page.number, "count": page.paginator.count},
    )
    return render(
        request,
        "plans/disruptions.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": DisruptionStatus.choices,
            "totals": totals(Disruption.objects.visible_to(request.user)),
            "impacts": DisruptionImpact.objects.all(),
            "can_validate": not policy.viewer_for(request.user).is_partner,
        },
    )
