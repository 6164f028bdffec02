"""Pages for sign-in, the organisation directory, people administration and API tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from concord.core import audit
from concord.core.models import AuditAction
from concord.organisations import services
from concord.organisations.choices import Language
from concord.organisations.filters import OrganisationFilter, PersonFilter
from concord.organisations.forms import LanguageForm, PersonForm, SignInForm, TeamForm
from concord.organisations.models import ApiToken, Organisation, Region, Role, Team, User
from concord.web.exports import FORMATS, export_response
from concord.web.lists import paginate, parse_filters


class SignInView(auth_views.LoginView):
    template_name = "organisations/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def organisation_list(request: HttpRequest) -> HttpResponseBase:
    """The directory of organisations: reference data everyone signed in may read."""
    filters, errors = parse_filters(OrganisationFilter, request.GET)
    organisations = filters.filter(Organisation.objects.select_related("region", "lead_force"))
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        return export_response(
            name="organisations",
            fmt=fmt,
            headers=[
                _("Code"),
                _("Name"),
                _("Welsh name"),
                _("Kind"),
                _("Region"),
                _("Lead force"),
                _("Active"),
            ],
            rows=(
                (
                    o.code,
                    o.name,
                    o.name_cy,
                    o.get_kind_display(),
                    o.region.name if o.region else "",
                    o.lead_force.name if o.lead_force else "",
                    _("Yes") if o.is_active else _("No"),
                )
                for o in organisations.iterator()
            ),
        )
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "page_obj": paginate(request, organisations),
            "filters": filters,
            "filter_errors": errors,
            "regions": Region.objects.all(),
            "kinds": Organisation._meta.get_field("kind").choices,
        },
    )


@login_required
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.select_related("region", "lead_force"), code=code.upper()
    )
    neighbours = (
        Organisation.objects.filter(region=organisation.region).exclude(pk=organisation.pk)
        if organisation.region_id
        else Organisation.objects.none()
    )
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "neighbours": neighbours.select_related("region"),
        },
    )


def _administered_people(actor: User) -> QuerySet[User]:
    """People an administrator may manage: their own organisation's (all, for operators)."""
    people = User.objects.select_related("organisation").prefetch_related(
        Prefetch("roles", queryset=Role.objects.order_by("name")),
        Prefetch("teams", queryset=Team.objects.order_by("name")),
    )
    if actor.is_superuser:
        return people
    if not actor.can_administer_people:
        return people.none()
    return people.filter(organisation_id=actor.organisation_id)


def _require_people_admin(actor: User) -> None:
    if not actor.can_administer_people:
        raise Http404


@login_required
def people_list(request: HttpRequest) -> HttpResponseBase:
    """People of the administrator's own organisation, filterable and exportable."""
    actor = _me(request)
    _require_people_admin(actor)
    filters, errors = parse_filters(PersonFilter, request.GET)
    people = filters.filter(_administered_people(actor)).distinct()
    # Every officer's vetting is on this list: showing and exporting it are audited.
    used = {k: str(v) for k, v in filters.model_dump().items() if v is not None}
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        audit.record(
            AuditAction.EXPORT,
            actor=actor,
            object_type="organisations.user",
            detail={"filters": used, "format": fmt, "count": people.count()},
        )
        return export_response(
            name="people",
            fmt=fmt,
            headers=[
                _("Username"),
                _("Name"),
                _("Email"),
                _("Organisation"),
                _("Roles"),
                _("Teams"),
                _("Vetting level"),
                _("Vetting expires"),
                _("Can sign in"),
            ],
            rows=(
                (
                    p.username,
                    p.get_full_name(),
                    p.email,
                    p.organisation.name,
                    "; ".join(r.name for r in p.roles.all()),
                    "; ".join(t.name for t in p.teams.all()),
                    p.vetting_level,
                    p.vetting_expires.isoformat() if p.vetting_expires else "",
                    _("Yes") if p.is_active else _("No"),
                )
                for p in people.iterator(chunk_size=500)
            ),
        )
    return render(
        request,
        "organisations/people_list.html",
        {
            "page_obj": _listed(actor, paginate(request, people), used),
            "filters": filters,
            "filter_errors": errors,
            "roles": Role.objects.all(),
            "teams": Team.objects.filter(organisation_id=actor.organisation_id),
        },
    )


def _listed(actor: User, page: Page[User], used: dict[str, str]) -> Page[User]:
    """The page of people, audited as listed: the filters, the page, who was on it."""
    audit.record_list(
        actor,
        object_type="organisations.user",
        rows=page,
        filters=used,
        count=page.paginator.count,
        page=page.number,
    )
    return page


def _details(data: dict[str, Any]) -> services.PersonDetails:
    return services.PersonDetails(
        username=data["username"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        job_title=data["job_title"],
        vetting_level=data["vetting_level"],
        vetting_expires=data["vetting_expires"],
        is_active=data["is_active"],
    )


def _apply_errors(form: PersonForm | TeamForm | LanguageForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    actor = _me(request)
    _require_people_admin(actor)
    teams = Team.objects.filter(organisation_id=actor.organisation_id)
    form = PersonForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(
                actor=actor,
                organisation=actor.organisation,
                details=_details(form.cleaned_data),
                roles=form.cleaned_data["roles"],
                teams=form.cleaned_data["teams"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": person})
            return redirect("organisations:people")
    return render(request, "organisations/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _me(request)
    _require_people_admin(actor)
    person = get_object_or_404(_administered_people(actor), pk=pk)
    teams = Team.objects.filter(organisation_id=person.organisation_id)
    initial = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "job_title": person.job_title,
        "roles": list(person.roles.all()),
        "teams": list(person.teams.all()),
        "vetting_level": person.vetting_level,
        "vetting_expires": person.vetting_expires,
        "is_active": person.is_active,
    }
    form = PersonForm(request.POST or None, initial=initial, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(
                actor=actor,
                person=person,
                details=_details(form.cleaned_data),
                roles=form.cleaned_data["roles"],
                teams=form.cleaned_data["teams"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was updated.") % {"name": person})
            return redirect("organisations:people")
    return render(request, "organisations/person_form.html", {"form": form, "person": person})


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    actor = _me(request)
    _require_people_admin(actor)
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(
                actor=actor,
                organisation=actor.organisation,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Team %(name)s was created.") % {"name": team.name})
            return redirect("organisations:teams")
    teams = Team.objects.filter(organisation_id=actor.organisation_id).annotate(
        member_count=Count("members")
    )
    return render(request, "organisations/team_list.html", {"teams": teams, "form": form})


@login_required
def profile(request: HttpRequest, language_form: LanguageForm | None = None) -> HttpResponse:
    """The signed-in person's details, the language kept for them, and their API tokens."""
    me = _me(request)
    return render(
        request,
        "organisations/profile.html",
        {
            "tokens": ApiToken.objects.filter(user=me),
            "new_token": request.session.pop("new_token", None),
            "language_form": language_form or LanguageForm(initial={"language": me.language}),
            "language_name": me.get_language_display(),
        },
    )


@login_required
@require_POST
def profile_language(request: HttpRequest) -> HttpResponse:
    """Keep the language chosen on *Your profile*; the next page speaks it."""
    me = _me(request)
    form = LanguageForm(request.POST)
    if form.is_valid():
        try:
            services.choose_language(actor=me, language=form.cleaned_data["language"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            with translation.override(me.language or translation.get_language()):
                messages.success(request, _("Your language is saved."))
            response = redirect("organisations:profile")
            if not me.language:
                # No preference: the browser's Accept-Language decides, not an old cookie.
                response.delete_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    path=settings.LANGUAGE_COOKIE_PATH,
                    domain=settings.LANGUAGE_COOKIE_DOMAIN,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                )
            return response
    return profile(request, language_form=form)


def set_language(request: HttpRequest) -> HttpResponse:
    """The header's Cymraeg / English switch: Django's set_language (the cookie, which the
    sign-in page reads), and for a signed-in person the choice kept on the profile too."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    user = request.user
    if user.is_authenticated and isinstance(user, User) and language in Language.values:
        services.choose_language(actor=user, language=language)
    return response


@login_required
@require_POST
def token_issue(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    try:
        days = int(request.POST.get("days", "90"))
        _token, plaintext = services.issue_api_token(
            actor=me, person=me, name=request.POST.get("name", "")[:100], days=days
        )
    except (ValueError, ValidationError):
        messages.error(request, _("Choose a token lifetime between 1 and 730 days."))
        return redirect("organisations:profile")
    # Shown once on the next page, then gone from the session.
    request.session["new_token"] = plaintext
    return redirect("organisations:profile")


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    me = _me(request)
    token = get_object_or_404(ApiToken, pk=pk, user=me)
    services.revoke_api_token(actor=me, token=token)
    messages.success(request, _("The token %(token)s was revoked.") % {"token": token.prefix})
    return redirect("organisations:profile")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """Your notifications, newest first; opening the page marks them read, and "Open" follows a
    notification's link."""
    from django.utils import timezone

    from concord.organisations.models import Notification
    from concord.organisations.notifications import visible_notifications

    page = paginate(request, visible_notifications(request.user))
    unread_ids = [n.pk for n in page if n.read_at is None]
    response = render(
        request, "organisations/notifications.html", {"page_obj": page, "unread": set(unread_ids)}
    )
    Notification.objects.filter(pk__in=unread_ids).update(read_at=timezone.now())
    return response
