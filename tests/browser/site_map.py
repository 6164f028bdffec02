"""Every page the URLconf serves, found from the code (issue 18): each GET route, its URL
arguments filled with real objects of the demo world, opened as each persona of the cast. A new
route is swept without anyone adding it; one whose arguments nobody knows how to fill, or that
no persona can open, fails the sweep unless listed in EXCLUDED with its reason."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from concord.organisations.models import User
from concord.organisations.seed import PERSONA_USERNAMES

# Routes that are not pages a person reads, each with its reason.
EXCLUDED_PREFIXES = {
    "api/": "the JSON API (django-ninja): OpenAPI-checked in tests/api, no HTML",
    "taxii2/": "TAXII 2.1 for machines: JSON only",
    "django-admin/": "Django's own admin, for the service administrator only; not Concord's UI",
    "healthz": "a health probe for the load balancer: plain text",
    "favicon.ico": "an icon file",
    "sign-out/": "POST only: signs the person out",
    "i18n/setlang/": "POST only: changes the language and redirects",
}
EXCLUDED_NAMES = {
    "pickers:choices": "an htmx fragment of picker options, swept inside the forms that use it",
    "two_factor_enrol": "two-factor is off in the suite (CONCORD_REQUIRE_2FA=false); the page "
    "redirects home",
    "two_factor_verify": "as two_factor_enrol",
    "access_reason": "reached only by a redirect that carries the record it guards; swept as "
    "the pages that redirect to it (a report shared with a reason needed)",
    "capabilities:record_need": "POST only (a GET answers 404): the form is on the plan page",
    "referrals:assign": "POST only (a GET answers 405): the form is on the referral's page",
    "referrals:decide": "POST only (a GET answers 405): the form is on the referral's page",
    "deconfliction:add_subject": "POST only: the form is on the operation's page",
    "deconfliction:add_deployment": "POST only: the form is on the operation's page",
    "task_progress": "an htmx fragment: a task's progress for the person who started it, "
    "swept inside the page that started it",
}
# Responses of these types are files for other software, not pages.
PAGE_TYPES = ("text/html",)


Fill = Callable[[User | None], list[dict[str, object]]]


def _rows(model: str, user: User | None) -> Any:
    """The model's rows this reader may see (by the access policy where it declares one)."""
    from django.apps import apps

    manager = apps.get_model(model)._default_manager
    if user is not None and hasattr(manager, "visible_to"):
        return manager.visible_to(user).order_by("pk")
    return manager.order_by("pk")


def _pk(model: str) -> Fill:
    def fill(user: User | None) -> list[dict[str, object]]:
        return [{"pk": pk} for pk in _rows(model, user).values_list("pk", flat=True)[:1]]

    return fill


def _reference(model: str) -> Fill:
    def fill(user: User | None) -> list[dict[str, object]]:
        refs = _rows(model, user).values_list("reference", flat=True)[:1]
        return [{"reference": reference} for reference in refs]

    return fill


def _kinds(user: User | None) -> list[dict[str, object]]:
    return [
        {"kind": kind, **args}
        for kind, model in (
            ("ocg", "threats.Ocg"),
            ("pi", "threats.PriorityIndividual"),
            ("vulnerability", "threats.Vulnerability"),
        )
        for args in _reference(model)(user)
    ]


def _organisations(user: User | None) -> list[dict[str, object]]:
    own = [user.organisation.code] if user is not None else []
    return [{"code": code} for code in [*own, "TARIAN"]]


def _releases(user: User | None) -> list[dict[str, object]]:
    from concord.insight.models import StatisticsRelease

    found = StatisticsRelease.objects.filter(status="published").first()
    return [{"slug": found.slug}] if found is not None else []


def _agenda_items(user: User | None) -> list[dict[str, object]]:
    from concord.meetings.models import AgendaItem

    if user is None:
        return []
    found = AgendaItem.objects.visible_to(user).filter(ocg__isnull=False).order_by("pk").first()
    return [{"pk": found.meeting_id, "item_pk": found.pk}] if found is not None else []


def _own_sheets(user: User | None) -> list[dict[str, object]]:
    """A person's own uploaded register sheets (nobody else's preview opens)."""
    from concord.scoring.models import ImportBatch

    found = ImportBatch.objects.filter(uploaded_by_id=getattr(user, "pk", None))
    return [{"pk": pk} for pk in found.order_by("pk").values_list("pk", flat=True)]


def _desk_hits(user: User | None) -> list[dict[str, object]]:
    from concord.deconfliction.models import Hit

    found = Hit.objects.order_by("pk").first()
    return [{"reference": found.reference}] if found is not None else []


def _people(user: User | None) -> list[dict[str, object]]:
    return [{"pk": user.pk}] if user is not None else []


def _oversight_packs(user: User | None) -> list[dict[str, object]]:
    from django.utils import timezone

    from concord.insight import statistics

    year, quarter = statistics.quarter_of(timezone.localdate())
    code = user.organisation.code if user is not None else "TARIAN"
    return [{"code": code, "slug": f"{year}-q{quarter}"}]


def _practices(user: User | None) -> list[dict[str, object]]:
    from concord.insight.models import Practice

    found = Practice.objects.order_by("slug").first()
    return [{"slug": found.slug}] if found is not None else []


# How to fill each route's URL arguments with a record of the world this reader may see.
FILLERS: dict[str, Fill] = {
    "monitoring:alert": _pk("monitoring.Alert"),
    "scoring:history": _kinds,
    "scoring:import_preview": _own_sheets,
    "scoring:assess": _reference("threats.Ocg"),
    "scoring:assess_pi": _reference("threats.PriorityIndividual"),
    "scoring:assess_vulnerability": _reference("threats.Vulnerability"),
    "ownership:tasking_detail": _reference("ownership.TaskingRequest"),
    "ownership:transfer_detail": _pk("ownership.TransferRequest"),
    "ownership:ownership": _kinds,
    "ownership:transfer_create": _kinds,
    "plans:plan": _kinds,
    "plans:guidance_edit": _pk("plans.Guidance"),
    "meetings:forum": _pk("meetings.Forum"),
    "meetings:meeting": _pk("meetings.Meeting"),
    "meetings:minutes": _pk("meetings.Meeting"),
    "meetings:pack": _pk("meetings.Meeting"),
    "meetings:invitation": _pk("meetings.Meeting"),
    "meetings:action": _pk("meetings.MeetingAction"),
    "meetings:item_action": _agenda_items,
    "capabilities:stream": _pk("capabilities.FundingStream"),
    "capabilities:gap": _pk("capabilities.Gap"),
    "referrals:detail": _pk("referrals.Referral"),
    "insight:release": _releases,
    "insight:oversight_pack": _oversight_packs,
    "insight:practice": _practices,
    "capabilities:plan_of": _organisations,
    "intelligence:report": _reference("intelligence.IntelReport"),
    "intelligence:report_stix": _reference("intelligence.IntelReport"),
    "intelligence:report_ftm": _reference("intelligence.IntelReport"),
    "threats:ocg_detail": _reference("threats.Ocg"),
    "threats:pi_detail": _reference("threats.PriorityIndividual"),
    "threats:vulnerability_detail": _reference("threats.Vulnerability"),
    "threats:nominal_detail": _reference("threats.Nominal"),
    "threats:ocg_share": _reference("threats.Ocg"),
    "threats:ocg_archive": _reference("threats.Ocg"),
    "threats:pi_share": _reference("threats.PriorityIndividual"),
    "threats:pi_archive": _reference("threats.PriorityIndividual"),
    "threats:vulnerability_share": _reference("threats.Vulnerability"),
    "threats:vulnerability_archive": _reference("threats.Vulnerability"),
    "organisations:detail": _organisations,
    "deconfliction:operation": _pk("deconfliction.Operation"),
    "deconfliction:hit": _pk("deconfliction.HitSide"),
    "deconfliction:desk_hit": _desk_hits,
    "organisations:person_edit": _people,
    "organisations:token_revoke": _pk("organisations.ApiToken"),
}

# Every persona of the cast (found from the seed table, so a new one is swept too) and a
# visitor not signed in. Every route is opened by each of them.
READERS = ["", *PERSONA_USERNAMES]


@dataclass
class Route:
    """One named URL pattern of the URLconf."""

    name: str
    pattern: str
    arguments: tuple[str, ...]


@dataclass
class Visit:
    """A page opened as one persona: where, what it answered and the templates it drew."""

    route: str
    path: str
    username: str
    status: int
    content_type: str
    templates: tuple[str, ...] = field(default=())
    has_table: bool = False


def routes() -> Iterator[Route]:
    """Every named route of the URLconf with the arguments its URL needs."""

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
                yield from walk(entry, prefix + str(entry.pattern), inner.strip(":"))
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                arguments = tuple(re.findall(r"<(?:\w+:)?(\w+)>", str(entry.pattern)))
                yield Route(name, prefix + str(entry.pattern), arguments)

    seen: set[str] = set()
    for route in walk(get_resolver(), "", ""):
        if route.name not in seen:
            seen.add(route.name)
            yield route


def excluded(route: Route) -> str:
    """Why a route is not a page to sweep, or "" when it is one."""
    for prefix, reason in EXCLUDED_PREFIXES.items():
        if route.pattern.startswith(prefix):
            return reason
    return EXCLUDED_NAMES.get(route.name, "")


class Cast:
    """The readers, each with a test client (signed in, for a persona): its session feeds the
    browser."""

    def __init__(self) -> None:
        self.clients: dict[str, Client] = {}
        self.people: dict[str, User | None] = {"": None}
        for username in READERS:
            client = Client()
            if username:
                self.people[username] = User.objects.get(username=username)
                client.force_login(self.people[username])
            self.clients[username] = client

    def session(self, username: str) -> str:
        return self.clients[username].cookies[settings.SESSION_COOKIE_NAME].value

    def open(self, route: str, path: str, username: str) -> Visit:
        response = self.clients[username].get(path)
        templates = tuple(sorted({t.name for t in getattr(response, "templates", []) if t.name}))
        return Visit(
            route,
            path,
            username,
            response.status_code,
            response.get("Content-Type", "").split(";")[0],
            templates,
            b"<table" in response.content,
        )


@dataclass
class SiteMap:
    """What the sweep found: the pages each persona opened, and the routes it could not."""

    pages: list[Visit]
    problems: list[str]
    not_pages: dict[str, str]


def survey(cast: Cast, *, with_arguments: bool = True) -> SiteMap:
    """Open every route as every reader, its arguments filled with records that reader may see
    (a 404 or a redirect for one reader is the access policy at work)."""
    pages: list[Visit] = []
    problems: list[str] = []
    not_pages: dict[str, str] = {}
    for route in routes():
        reason = excluded(route)
        if reason:
            not_pages[route.name] = reason
            continue
        if route.arguments and not with_arguments:
            continue
        if route.arguments and route.name not in FILLERS:
            problems.append(f"{route.name} ({route.pattern}): no filler for {route.arguments}")
            continue
        opened = []
        kinds: set[str] = set()
        tried = 0
        for username in READERS:
            fill = FILLERS.get(route.name)
            candidates = fill(cast.people[username]) if fill else [{}]
            for path in [reverse(route.name, kwargs=kwargs) for kwargs in candidates]:
                tried += 1
                visit = cast.open(route.name, path, username)
                if visit.status == 405:
                    kinds.add("POST only")
                    break
                if visit.status == 200 and visit.content_type not in PAGE_TYPES:
                    kinds.add(visit.content_type)
                    break
                if visit.status == 200:
                    opened.append(visit)
                    break
        if opened:
            pages.extend(opened)
        elif kinds:
            not_pages[route.name] = "not a page: " + ", ".join(sorted(kinds))
        else:
            problems.append(
                f"{route.name} ({route.pattern}): no persona could open it (tried {tried} URL(s))"
            )
    return SiteMap(pages, problems, not_pages)
