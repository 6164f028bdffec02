"""The leak matrix finds its own surfaces: every model with a path to a protected record,
every route in the URLconf and every operation in the OpenAPI document must be covered by the
matrix (tests/access/registry.py, derived.py and the extra surfaces here) or say why it shows
nothing protected. A new model hanging off an OCG, or a new list route, fails the suite.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve

from concord.core.restriction import declaration, is_restricted, paths_to_protected
from concord.threats.models import Ocg
from tests.access.derived import DERIVED, PARTY_ONLY, SCOPED
from tests.access.registry import RECORD_TYPES
from tests.access.test_matrix import REASON, client_for, outsider, refused

pytestmark = pytest.mark.django_db

# Models with a path to a protected record that are not read through a declaration, and why.
NOT_DECLARED = {
    "core.share": "the policy's own table of shares; read only by the policy and by a record's "
    "owner on the record's page",
    "admin.logentry": "Django admin's change log: operators only (admin saves are audited)",
    "auth.permission": "Django's permission definitions: one row per model, no record",
    "deconfliction.subjectkey": "deconfliction's blocking index: read only by the check "
    "service (concord.deconfliction.checking), never shown",
    "deconfliction.federatedtoken": "deconfliction's index of keyed hashes for peers' checks: "
    "read only by the federation service (concord.deconfliction.federation), never shown",
    "deconfliction.federatedcheck": "checks across instances (hashes and pointers, no subject "
    "value): read only by the federation service and `concord deconflict federate`, never "
    "shown",
}

# Pages that take a record and must refuse it to outsiders, beyond each type's main page.
MORE_PAGES = {
    "ocg": lambda o: [
        f"/ocgs/{o.reference}/share/",
        f"/ocgs/{o.reference}/archive/",
        f"/ocgs/{o.reference}/assess/",
        f"/ownership/ocg/{o.reference}/",
        f"/ownership/ocg/{o.reference}/transfer/",
        f"/plans/ocg/{o.reference}/",
        f"/api/v1/ownership/ocg/{o.reference}",
        f"/api/v1/plans/ocg/{o.reference}",
        # Pickers name who may be appointed and where a request may go: for those who see it.
        f"/pickers/transfer-to/?item=ocg:{o.reference}",
        f"/pickers/appointee/?item=ocg:{o.reference}&role=lro",
    ],
    "pi": lambda p: [
        f"/pis/{p.reference}/share/",
        f"/pis/{p.reference}/archive/",
        f"/pis/{p.reference}/assess/",
        f"/ownership/pi/{p.reference}/",
    ],
    "vulnerability": lambda v: [
        f"/vulnerabilities/{v.reference}/share/",
        f"/vulnerabilities/{v.reference}/archive/",
        f"/vulnerabilities/{v.reference}/assess/",
    ],
}

# Writes an outsider must be refused with 404 (nothing changed: the record is not theirs to
# find), as (URL, JSON payload).
WRITES = {
    "ocg": lambda o: [
        (
            "/api/v1/transfers",
            {
                "item": o.reference,
                "kind": "support",
                "to_organisation": "TARIAN",
                "reason": "Needs regional SIO support",
                "asked": "An SIO",
            },
        ),
        (
            "/api/v1/disruptions",
            {
                "item": o.reference,
                "strand": "pursue",
                "impact": "major",
                "occurred_on": dt.date.today().isoformat(),
                "narrative": "Warrant executed at the address",
            },
        ),
    ],
    "operation": lambda o: [
        (f"/deconfliction/{o.pk}/subjects/", {"kind": "phone", "value": "07700 900123"}),
        (f"/deconfliction/{o.pk}/deployments/", {"kind": "search", "postcode": "M5 4WT"}),
        (
            f"/api/v1/deconfliction/operations/{o.pk}/subjects",
            {"kind": "phone", "value": "07700 900123"},
        ),
        (
            f"/api/v1/deconfliction/operations/{o.pk}/deployments",
            {
                "kind": "search",
                "postcode": "M5 4WT",
                "starts": "2030-01-01T10:00:00Z",
                "ends": "2030-01-01T12:00:00Z",
            },
        ),
    ],
    "tasking": lambda t: [
        (f"/api/v1/tasking/{t.reference}/decision", {"decision": "decline", "reason": "x" * 12})
    ],
    "report": lambda r: [
        (f"/api/v1/intelligence/{r.reference}/release", {}),
        (f"/api/v1/intelligence/{r.reference}/approve", {}),
        (f"/api/v1/intelligence/{r.reference}/share", {"to": ["WIL"], "purpose": "Joint job"}),
        (f"/api/v1/intelligence/{r.reference}/recall", {"reason": "Recalled by the matrix"}),
        (f"/api/v1/intelligence/{r.reference}/accept", {}),
        (f"/api/v1/intelligence/{r.reference}/feedback", {"kind": "actioned"}),
    ],
}

# Routes that show no protected record, and why.
# Routes of organisation-scoped records (capacity and funding), whose lists, details and
# downloads are compared per persona in tests/capabilities/test_pages.py.
SCOPED_ROUTES = {
    "capabilities:list": "the catalogue, with capacity summed over the units the reader sees",
    "capabilities:posts": "posts the reader sees",
    "capabilities:funding": "funding streams the reader sees",
    "capabilities:stream": "one funding stream (404 outside the reader's scope)",
    "capabilities:import": "the reader's own organisation's posts, for its business leads",
    "capabilities:allocation": "the national plan, threats named only to those who see them",
    "capabilities:plan": "the reader's own organisation's business plan",
    "capabilities:plan_of": "a business plan, 404 outside the reader's capacity scope",
    "insight:effectiveness": "aggregates of the reader's visible records only, and approved "
    "published aggregates beyond (tests/insight/test_effectiveness.py)",
    "plans:workload": "posts of the lead's own organisation on items the lead sees "
    "(tests/plans/test_workload.py)",
    "referrals:send": "a form: the sender's own referral (tests/referrals)",
    "referrals:upload": "the sender's own file of referrals (tests/referrals/test_upload.py)",
    "referrals:assign": "one referral of the reader's unit, 404 otherwise (tests/referrals)",
    "referrals:decide": "one referral of the reader's unit, 404 otherwise (tests/referrals)",
    "capabilities:record_need": "naming an OCG's or PI's need: 404 unless the item is visible "
    "(tests/capabilities/test_allocation_pages.py)",
}

ROUTES_NOT_SENSITIVE = {
    "insight:statistics": "public statistics: published, disclosure-controlled aggregates only",
    "insight:release": "one published release (tests/insight/test_releases.py)",
    "insight:releases": "the national function's drafts of those aggregates (404 to others)",
    "insight:oversight": "the ROCUs whose oversight pack the reader may open, no record",
    "insight:practices": "the good practice library: no protected record",
    "insight:practice": "one good practice, its adoptions and comments: no protected record",
    "accessibility": "the accessibility statement: the same for everyone, no record",
    "home": "the signed-in person's own start page (its counts are checked in test_derived)",
    "login": "sign-in",
    "logout": "sign-out",
    "two_factor_enrol": "the person's own second factor",
    "two_factor_verify": "the person's own second factor",
    "set_language": "language choice",
    "access_reason": "asks why; names the record only once it is visible (tests/api)",
    "healthz": "liveness",
    "favicon": "the site icon",
    "readyz": "readiness",
    "metrics": "operational counts and timings by route name, no record; loopback or token "
    "only (tests/core/test_ops.py)",
    "task_progress": "the person's own task's progress, 404 to anyone else "
    "(tests/core/test_tasks.py)",
    "organisations:list": "reference data: organisations",
    "organisations:detail": "reference data: one organisation",
    "organisations:people": "people of the reader's own organisation, for its administrators",
    "organisations:person_create": "a form",
    "organisations:person_edit": "one person of the reader's organisation, for administrators",
    "organisations:teams": "teams of the reader's own organisation",
    "organisations:profile": "the person's own profile",
    "organisations:profile_language": "the person's own language",
    "organisations:token_issue": "the person's own API tokens",
    "organisations:token_revoke": "the person's own API tokens",
    "plans:guidance": "guidance for LROs: the same for everyone, no record",
    "plans:guidance_new": "a form (administrators and the national function)",
    "plans:guidance_edit": "one piece of guidance: no record",
    "monitoring:audit": "the audit trail, for counter-corruption auditors (tests/monitoring)",
    "monitoring:alerts": "alerts about people, for auditors (tests/monitoring)",
    "monitoring:alert": "one alert, for auditors (tests/monitoring)",
    "monitoring:declarations": "declared associations, for auditors (tests/monitoring)",
    "monitoring:declare": "the person's own declarations",
    "scoring:models": "the scoring models: configuration",
    "scoring:import": "an upload form",
    "scoring:import_preview": "the uploader's own upload (tests/scoring)",
    "threats:ocg_create": "a form",
    "threats:pi_create": "a form",
    "threats:vulnerability_create": "a form",
    "ownership:tasking_create": "a form",
    "intelligence:report_create": "a form",
    "meetings:forums": "forums the person sits on (declared: Forum's party rule)",
    "meetings:invitation": "a calendar file: forum name, place and time, no agenda content",
    "taxii:discovery": "TAXII discovery: no content (tests/intelligence/test_taxii_conformance)",
    "taxii:api_root": "TAXII API root: no content",
    "taxii:collections": "the collections a reader may read, TAXII's own policy tests",
    "taxii:collection": "one collection's description",
    "taxii:objects": "TAXII objects, read through feed.readable (tests/intelligence)",
    "taxii:object": "one TAXII object, read through feed.readable (tests/intelligence)",
    "taxii:versions": "versions of one TAXII object, read through feed.readable",
    "taxii:manifest": "a collection's manifest, read through feed.readable",
    "taxii:status": "the status of the reader's own add request",
    "taxii:not_found": "a TAXII 404",
    "deconfliction_peer_check": "a peer instance's deconfliction check: keyed hashes in, "
    "pointers out, to an active peer's service account only (tests/deconfliction/"
    "test_federated.py, tests/federation)",
    "api:api-root": "the API's index",
    "api:openapi-json": "the API's description",
    "api:openapi-view": "the API's description",
    "api:list_regions": "reference data",
    "api:list_organisations": "reference data",
    "api:get_organisation": "reference data",
    "api:me": "the person's own account",
    "deconfliction:new": "a form",
    "deconfliction:desk": "the watch desk's queue: pointers only, to the watch desk alone "
    "(tests/deconfliction/test_pointer_only.py)",
    "deconfliction:desk_hit": "one hit at the watch desk: pointers only, to the watch desk alone "
    "(tests/deconfliction/test_pointer_only.py)",
    "deconfliction:map": "the reader's visible deployments (Deployment.objects.visible_to; "
    "tests/deconfliction/test_pages.py)",
    "api:desk_queue": "the watch desk's queue: pointers only (test_pointer_only.py)",
    "api:desk_contact": "the watch desk's record of contact (test_pointer_only.py)",
    "api:desk_resolve": "the watch desk's resolution (test_pointer_only.py)",
    "api:create_operation": "registers an operation of the reader's own organisation",
}

# OpenAPI operations that take no protected record, and why.
OPERATIONS_NOT_SENSITIVE = {
    ("GET", "/api/v1/deconfliction/desk"): "the watch desk's queue: pointers only, to the watch "
    "desk alone, empty to anyone else (tests/deconfliction/test_pointer_only.py)",
    ("POST", "/api/v1/deconfliction/desk/{hit}/contact"): "the watch desk's record",
    ("POST", "/api/v1/deconfliction/desk/{hit}/resolution"): "the watch desk's record",
    ("POST", "/api/v1/deconfliction/operations"): "registers the reader's own organisation's",
    ("GET", "/api/v1/capabilities"): "reference data: the capability catalogue",
    ("GET", "/api/v1/capability-posts"): "scoped by organisation (tests/capabilities/test_api)",
    ("POST", "/api/v1/capability-posts"): "the reader's own organisation's posts (test_api)",
    ("GET", "/api/v1/funding-streams"): "scoped by organisation (tests/capabilities/test_api)",
    ("GET", "/api/v1/funding-streams/{pk}/end"): "scoped by organisation (test_api)",
    ("GET", "/api/v1/allocation"): "threats named only to those who see them (test_api)",
    ("GET", "/api/v1/regions"): "reference data",
    ("GET", "/api/v1/organisations"): "reference data",
    ("GET", "/api/v1/organisations/{code}"): "reference data",
    ("GET", "/api/v1/me"): "the person's own account",
    ("GET", "/api/v1/plan-guidance"): "guidance for LROs: the same for everyone, no record",
    ("GET", "/api/v1/mentoring/pairings"): "the person's own pairings and those they lead: "
    "people, no record (tests/plans/test_mentoring.py)",
    ("POST", "/api/v1/tasking"): "creates the sender's own request (tests/ownership/test_api)",
    ("POST", "/api/v1/intelligence"): "records the person's own report (tests/intelligence)",
    ("POST", "/api/v1/referrals"): "sends the person's own referral (tests/referrals/test_api)",
}


def routes(patterns: Any = None, prefix: str = "", namespace: str = "") -> Iterator[tuple]:
    """(pattern, name) of every route in the URLconf."""
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace or "") if x)
            yield from routes(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = ":".join(x for x in (namespace, p.name or "") if x)
            yield prefix + str(p.pattern), name


def concord_routes(urlconf: Any = None) -> set[str]:
    """Route names outside Django admin (operators only, staff sign-in; audited in core) and
    the API (each of its operations is checked from the OpenAPI document instead)."""
    patterns = get_resolver(urlconf).url_patterns
    return {
        name
        for pattern, name in routes(patterns)
        if not pattern.startswith(("django-admin/", "api/v1/"))
    }


def matrix_urls() -> tuple[set[str], set[tuple[str, str]]]:
    """Every URL the matrix tries (reads, and writes as (method, URL)), on records it makes."""
    reads: set[str] = set()
    writes: set[tuple[str, str]] = set()
    for name, kind in RECORD_TYPES.items():
        record = kind.make("DYP", "OFFICIAL", False)
        reads.update(u for u in (kind.page, kind.api) if u for u in [u(record)])
        reads.update(kind.listings(record))
        reads.update(MORE_PAGES.get(name, lambda r: [])(record))
        writes.update(("POST", url) for url, _ in WRITES.get(name, lambda r: [])(record))
    for derived in DERIVED.values():
        obj = derived.make(RECORD_TYPES[derived.parent].make("DYP", "OFFICIAL", False))
        reads.update(derived.pages(obj))
        reads.update(derived.listings(obj))
        writes.update(("POST", url) for url, _ in derived.writes(obj))
    return reads, writes


def uncovered_models(candidates: list[type[models.Model]]) -> set[str]:
    """Models with a path to a protected record that neither declare access nor say why."""
    return {
        m._meta.label_lower
        for m in candidates
        if not is_restricted(m)
        and paths_to_protected(m)
        and m._meta.label_lower not in NOT_DECLARED
    }


def test_every_model_that_shows_a_protected_record_declares_its_path():
    assert uncovered_models(list(apps.get_models())) == set()


def test_every_declaring_model_is_in_the_matrix():
    declared = {m._meta.label_lower for m in apps.get_models() if declaration(m) is not None}
    assert declared == set(DERIVED) | PARTY_ONLY | SCOPED


@isolate_apps("tests")
def test_a_new_model_hanging_off_an_ocg_fails_the_matrix():
    class Clue(models.Model):  # noqa: DJ008  # a model made only to be found
        ocg = models.ForeignKey(Ocg, on_delete=models.CASCADE)

        class Meta:
            app_label = "tests"

    class ClueNote(models.Model):  # noqa: DJ008  # a model made only to be found
        clue = models.ForeignKey(Clue, on_delete=models.CASCADE)

        class Meta:
            app_label = "tests"

    assert uncovered_models([Clue, ClueNote]) == {"tests.clue", "tests.cluenote"}


def test_every_route_is_in_the_matrix_or_says_why_not():
    reads, writes = matrix_urls()
    covered = {resolve(urlsplit(u).path).view_name for u in reads | {u for _, u in writes}}
    assert concord_routes() - covered - set(ROUTES_NOT_SENSITIVE) - set(SCOPED_ROUTES) == set()


urlpatterns = [
    *get_resolver().url_patterns,
    path("clues/", lambda request: None, name="clue_list"),
]


def test_a_new_unprotected_list_route_fails_the_matrix():
    with override_settings(ROOT_URLCONF=__name__):
        new = concord_routes(__name__) - concord_routes("concord.config.urls")
    assert new == {"clue_list"}
    assert new - set(ROUTES_NOT_SENSITIVE) == {"clue_list"}


def operations() -> set[tuple[str, str]]:
    from concord.config.api import api

    spec = api.get_openapi_schema()
    return {(method.upper(), p) for p, ops in spec["paths"].items() for method in ops}


def _matches(template: str, url: str) -> bool:
    pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
    return re.match(pattern, urlsplit(url).path) is not None


def test_every_api_operation_is_in_the_matrix_or_says_why_not():
    reads, writes = matrix_urls()
    missing = set()
    for method, template in operations():
        if (method, template) in OPERATIONS_NOT_SENSITIVE:
            continue
        tried = reads if method == "GET" else {u for m, u in writes if m == method}
        if not any(_matches(template, url) for url in tried):
            missing.add((method, template))
    assert missing == set()


@pytest.mark.parametrize("kind_name", sorted(set(MORE_PAGES) | set(WRITES)))
def test_an_outsider_is_refused_every_other_page_and_write(kind_name):
    kind = RECORD_TYPES[kind_name]
    record = kind.make("DYP", "OFFICIAL", False)
    for who in ["gmp.lro", "bf.partner", "psd.auditor"]:
        client = client_for(outsider(who))
        for url in MORE_PAGES.get(kind_name, lambda r: [])(record):
            assert refused(client.get(url, **REASON)), (who, url)
        for url, payload in WRITES.get(kind_name, lambda r: [])(record):
            before = type(record)._base_manager.filter(pk=record.pk).values().get()
            response = client.post(url, json.dumps(payload), content_type="application/json")
            assert refused(response), (who, url, response.status_code)
            assert type(record)._base_manager.filter(pk=record.pk).values().get() == before
