"""Schemathesis over every operation of the OpenAPI document, in-process through WSGI: with a
valid token (nothing answers 5xx; every status code, content type and body is the one the
document declares) and without one (every operation answers a declared 401)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api import world as api_world

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Per operation: the coverage phase's boundary and negative cases, then this many fuzzed ones
# (about 2,600 requests over the 34 operations, a minute or so); more for a deeper run.
MAX_EXAMPLES = int(os.environ.get("CONCORD_SCHEMATHESIS_EXAMPLES", "20"))


def _config(
    max_examples: int, coverage: bool, world=None, stateful: bool = False
) -> schemathesis.Config:
    known = {}
    if world is not None:
        # Half the generated references, ids and codes are the world's own, so that requests
        # reach records (and their services) rather than only answering 404; most gradings,
        # markings and dates are valid, so that a report or a claim is made now and then and
        # the chains of tests/api/test_stateful.py go on to act on it.
        known = {
            "dictionaries": {
                "references": {"values": sorted(world.references.values())},
                "ids": {"values": sorted(world.ids.values())},
                "organisations": {"values": ["DYP", "TARIAN", "NCA", "GMP"]},
                "impacts": {"values": ["minor", "moderate", "major"]},
                "evaluations": {"values": ["1", "2", "3"]},
                "assessments": {"values": ["A", "B", "C", "D", "E"]},
                "handling": {"values": ["P", "C"]},
                "classifications": {"values": ["OFFICIAL", "OFFICIAL-SENSITIVE"]},
                "past": {"values": [str(dt.date.today() - dt.timedelta(days=d)) for d in (1, 30)]},
            },
            "parameters": {
                "path.reference": {"dictionary": "references", "probability": 0.5},
                "path.pk": {"dictionary": "ids", "probability": 0.5},
                "body.item": {"dictionary": "references", "probability": 0.5},
                "body.action": {"dictionary": "ids", "probability": 0.5},
                "body.to_organisation": {"dictionary": "organisations", "probability": 0.5},
                "body.impact": {"dictionary": "impacts", "probability": 0.5},
                "body.source_evaluation": {"dictionary": "evaluations", "probability": 0.85},
                "body.intelligence_assessment": {"dictionary": "assessments", "probability": 0.85},
                "body.handling_code": {"dictionary": "handling", "probability": 0.85},
                "body.classification": {"dictionary": "classifications", "probability": 0.85},
                "body.information_date": {"dictionary": "past", "probability": 0.85},
                "body.occurred_on": {"dictionary": "past", "probability": 0.85},
            },
        }
    return schemathesis.Config.from_dict(
        {
            **known,
            "seed": 1234,
            # Generation speed is not what is tested (and a busy CI machine is slower).
            "suppress-health-check": ["all"],
            "cache": {"enabled": False},
            "generation": {
                "max-examples": max_examples,
                "deterministic": True,
                "database": "none",
                "with-security-parameters": False,
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": coverage},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": stateful, "max-steps": 8},
            },
        }
    )


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    """Schemathesis 4.32 reads `node._nodeid`, which pytest 9.2 no longer has (`nodeid` is now
    computed): give it the attribute it expects, so the operations run as subtests."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def wsgi_app(db):
    """Django's WSGI application inside the test's transaction, each request in a savepoint
    rolled back after it: every case meets the same world (so a run is repeatable), and a
    database error in one request cannot abort the transaction for the next, as in production
    where each request has its own. As Django's own test client does, the connection is not
    closed at the end of each request."""
    application = get_wsgi_application()

    def isolated(environ, start_response):
        savepoint = transaction.savepoint()
        try:
            return application(environ, start_response)
        finally:
            transaction.savepoint_rollback(savepoint)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield isolated
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(db):
    return api_world.build()


@pytest.fixture
def api_schema(world, wsgi_app):
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", wsgi_app, config=_config(MAX_EXAMPLES, coverage=True, world=world)
    )


@pytest.fixture
def anonymous_schema(wsgi_app):
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", wsgi_app, config=_config(3, coverage=False)
    )


with_token = schemathesis.pytest.from_fixture("api_schema")
without_token = schemathesis.pytest.from_fixture("anonymous_schema")


@with_token.parametrize()
def test_every_operation_with_a_token(case, world):
    case.call_and_validate(headers=world.bearer, checks=CHECKS)


@without_token.parametrize()
def test_every_operation_without_a_token(case):
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code == 401
    headers = {name.lower(): values for name, values in response.headers.items()}
    assert headers["www-authenticate"] == ["Bearer"]
