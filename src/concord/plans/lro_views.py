"""Pages for LROs and their leads: mentoring pairings, the unit's workload, the 4P guidance."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core import audit, policy
from concord.core.choices import RoleCode
from concord.core.models import AuditAction
from concord.organisations.models import User
from concord.ownership.models import Appointment
from concord.plans import checklist, guidance, mentoring, workload
from concord.plans.choices import Stage, Strand
from concord.plans.models import Guidance, Pairing, Plan
from concord.threats.views import form_errors
from concord.web.exports import FORMATS, export_response
from concord.web.lists import paginate

# Mentoring --------------------------------------------------------------------------------------


def progress_of(user: Any, pairings: list[Pairing]) -> dict[int, list[dict[str, Any]]]:
    """For each open pairing, the mentee's plans the reader may see, with their checklist
    progress (two queries whatever the number of pairings)."""
    open_pairings = {p.mentee_id: p.pk for p in pairings if p.is_open}
    found: dict[int, list[dict[str, Any]]] = {pk: [] for pk in open_pairings.values()}
    if not open_pairings:
        return found
    posts = list(
        Appointment.objects.filter(
            person_id__in=open_pairings, role="lro", ended_on__isnull=True
        ).values_list("person_id", "ocg_id", "priority_individual_id")
    )
    plans = checklist.annotated(
        Plan.objects.visible_to(user)
        .filter(
            Q(ocg_id__in=[o for _p, o, _i in posts if o])
            | Q(priority_individual_id__in=[i for _p, _o, i in posts if i])
        )
        .select_related("ocg", "priority_individual")
    )
    by_item = {(p.ocg_id, p.priority_individual_id): p for p in plans}
    for person, ocg, pi in posts:
        plan = by_item.get((ocg, pi))
        if plan is None:
            continue
        met, of = checklist.progress(checklist.results_of(plan))
        found[open_pairings[person]].append(
            {"plan": plan, "item": plan.subject, "met": met, "of": of}
        )
    return found


class PairingForm(forms.Form):
    mentee = forms.ModelChoiceField(
        queryset=User.objects.none(), label=gettext_lazy("New LRO (mentee)")
    )
    mentor = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=gettext_lazy("Mentor"),
        help_text=gettext_lazy("An experienced LRO of your organisation or region."),
    )

    def __init__(self, *args: Any, lead: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = lead.acting_organisation()
        mentee_field: Any = self.fields["mentee"]
        mentee_field.queryset = (
            User.objects.filter(organisation=organisation, is_active=True, roles__code=RoleCode.LRO)
            .distinct()
            .order_by("last_name", "first_name")
        )
        mentor_field: Any = self.fields["mentor"]
        mentor_field.queryset = mentoring.mentor_candidates(lead)
        for name in ("mentee", "mentor"):
            field: Any = self.fields[name]
            field.label_from_instance = lambda u: f"{u.get_full_name()} ({u.username})"


@login_required
def pairing_list(request: HttpRequest) -> HttpResponseBase:
    """The pairings the person is party to or leads, each open one with the mentee's plans'
    checklist progress; a lead starts and ends them here."""
    user: Any = request.user
    leads = policy.may(user, policy.Act.LEAD_LROS, user.acting_organisation())
    form = PairingForm(prefix="pairing", lead=user) if leads else None
    if request.method == "POST":
        if not leads:
            raise Http404
        if "end" in request.POST:
            pairing = mentoring.pairings_for(user).filter(pk=_int(request.POST.get("end"))).first()
            if pairing is None:
                raise Http404
            try:
                mentoring.end_pairing(actor=user, pairing=pairing)
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The pairing has ended."))
            return redirect("plans:mentoring")
        form = PairingForm(request.POST, prefix="pairing", lead=user)
        if form.is_valid():
            try:
                mentoring.start_pairing(
                    actor=user,
                    mentor=form.cleaned_data["mentor"],
                    mentee=form.cleaned_data["mentee"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The pairing has started."))
                return redirect("plans:mentoring")
    pairings = mentoring.pairings_for(user).order_by("ended_at", "-started_at", "-id")
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        audit.record(AuditAction.EXPORT, actor=user, object_type="plans.pairing")
        return export_response(
            name="mentoring",
            fmt=fmt,
            headers=[_("Mentor"), _("Mentee"), _("Organisation"), _("Started"), _("Ended")],
            rows=(
                (
                    p.mentor.get_full_name(),
                    p.mentee.get_full_name(),
                    p.organisation.code,
                    p.started_at.date().isoformat(),
                    p.ended_at.date().isoformat() if p.ended_at else "",
                )
                for p in pairings.iterator(chunk_size=500)
            ),
        )
    page = paginate(request, pairings)
    rows = list(page.object_list)
    progress = progress_of(user, rows)
    for row in rows:
        row.plans_progress = progress.get(row.pk, [])
    return render(
        request,
        "plans/mentoring.html",
        {
            "page_obj": page,
            "pairings": rows,
            "leads": leads,
            "form": form,
        },
    )


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


# Workload ---------------------------------------------------------------------------------------

CHART_WIDTH, BAR_HEIGHT, LABEL_WIDTH = 640, 22, 200


@login_required
def workload_view(request: HttpRequest) -> HttpResponseBase:
    """Plans per LRO and SIO of the lead's organisation, by band, flagged past the limit."""
    user: Any = request.user
    if not policy.may(user, policy.Act.LEAD_LROS, user.acting_organisation()):
        raise Http404
    loads, bands = workload.workload(user)
    headers = [
        _("Person"),
        _("Post"),
        *[_("Band %(band)s") % {"band": b} for b in bands],
        _("Plans"),
        _("Reviews overdue"),
        _("Over the limit"),
    ]

    def row(load: workload.Load) -> tuple[Any, ...]:
        return (
            load.person.get_full_name(),
            load.role_label,
            *[load.bands.get(b, 0) for b in bands],
            load.plans,
            load.overdue,
            _("Yes") if load.over else _("No"),
        )

    fmt = request.GET.get("export")
    if fmt in FORMATS:
        audit.record(AuditAction.EXPORT, actor=user, object_type="plans.workload")
        return export_response(
            name="workload", fmt=fmt, headers=headers, rows=(row(x) for x in loads)
        )
    page = paginate(request, loads)
    most = max((x.plans for x in loads), default=0) or 1
    scale = (CHART_WIDTH - LABEL_WIDTH - 40) / most
    chart = [
        {
            "load": x,
            "y": i * (BAR_HEIGHT + 6) + 4,
            "width": max(round(x.plans * scale), 1),
            "limit_x": LABEL_WIDTH + round(x.limit * scale),
        }
        for i, x in enumerate(page.object_list)
    ]
    audit.record(
        AuditAction.LIST,
        actor=user,
        object_type="plans.workload",
        detail={"page": page.number, "count": page.paginator.count},
    )
    return render(
        request,
        "plans/workload.html",
        {
            "page_obj": page,
            "bands": bands,
            "rows": [(x, [x.bands.get(b, 0) for b in bands]) for x in page.object_list],
            "chart": chart,
            "chart_height": len(chart) * (BAR_HEIGHT + 6) + 8,
            "chart_width": CHART_WIDTH,
            "bar_height": BAR_HEIGHT,
            "label_width": LABEL_WIDTH,
            "limits": workload.limits(),
        },
    )


# Guidance ---------------------------------------------------------------------------------------


class GuidanceForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), choices=Stage.choices)
    strand = forms.ChoiceField(
        label=gettext_lazy("Strand (objectives only)"),
        choices=[("", gettext_lazy("All strands")), *Strand.choices],
        required=False,
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    title_cy = forms.CharField(label=gettext_lazy("Title in Welsh"), max_length=200, required=False)
    body = forms.CharField(
        label=gettext_lazy("Guidance"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=4000,
        help_text=gettext_lazy(
            "Plain text: a blank line starts a paragraph, lines starting “- ” make a list, "
            "**bold** is bold."
        ),
    )
    body_cy = forms.CharField(
        label=gettext_lazy("Guidance in Welsh"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=4000,
        required=False,
    )
    rank = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, max_value=999, initial=0)


@login_required
def guidance_list(request: HttpRequest) -> HttpResponseBase:
    """All guidance, stage by stage, in the reader's language."""
    rows = Guidance.objects.all()
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        return export_response(
            name="guidance",
            fmt=fmt,
            headers=[
                _("Stage"),
                _("Strand"),
                _("Title"),
                _("Guidance"),
                _("Title in Welsh"),
                _("Guidance in Welsh"),
            ],
            rows=(
                (
                    g.get_stage_display(),
                    g.get_strand_display() if g.strand else "",
                    g.title,
                    g.body,
                    g.title_cy,
                    g.body_cy,
                )
                for g in rows
            ),
        )
    page = paginate(request, rows)
    return render(
        request,
        "plans/guidance_list.html",
        {
            "page_obj": page,
            "shown": [(g, *guidance_in_language(g)) for g in page.object_list],
            "may_edit": policy.may(request.user, policy.Act.EDIT_GUIDANCE, None),
        },
    )


def guidance_in_language(g: Guidance) -> tuple[str, Any]:
    from django.utils.translation import get_language

    title, body = g.in_language(get_language() or "en")
    return title, guidance.render_body(body)


@login_required
def guidance_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write or change a piece of guidance (administrators and the national function)."""
    if not policy.may(request.user, policy.Act.EDIT_GUIDANCE, None):
        raise Http404
    found = None
    if pk is not None:
        found = Guidance.objects.filter(pk=pk).first()
        if found is None:
            raise Http404
    initial = (
        {
            "stage": found.stage,
            "strand": found.strand,
            "title": found.title,
            "title_cy": found.title_cy,
            "body": found.body,
            "body_cy": found.body_cy,
            "rank": found.rank,
        }
        if found
        else None
    )
    form = GuidanceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            guidance.save_guidance(actor=request.user, guidance=found, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The guidance was saved."))
            return redirect("plans:guidance")
    return render(request, "plans/guidance_edit.html", {"form": form, "guidance": found})
