"""Stateful sequences through the API (issue 17): schemathesis infers from the OpenAPI document
which operation's answer feeds which other's input (a report created, then released, shared,
recalled; a transfer requested, then decided; a disruption claimed, then validated; a post
added) and chains them with generated, often hostile, values. Nothing answers 5xx, every answer
is the one the document declares, and a refused request stores nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.apps import apps
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    multiple,
    rule,
    run_state_machine_as_test,
)

from tests.api.test_schemathesis import CHECKS, _config
from tests.api.test_schemathesis import world as world  # a fixture

pytestmark = pytest.mark.django_db

# Scenarios (each a chain of up to 8 calls); more for a deeper run.
SCENARIOS = int(os.environ.get("CONCORD_STATEFUL_SCENARIOS", "25"))

# Repeatable chains of up to 8 calls; speed of generation is not what is tested.
CHAINS = hypothesis.settings(
    max_examples=SCENARIOS,
    stateful_step_count=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)

# What a refused request may still write: the audit trail of what was tried, the alerts and
# queued detector runs it raises, and the API token's last use.
MAY_CHANGE = {"core.auditentry", "monitoring.alert", "django_tasks_database.dbtaskresult"}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in MAY_CHANGE and not model._meta.proxy
    }


@pytest.fixture
def committing_wsgi_app(db):
    """Django's WSGI application as production runs it: what a request writes stays (each in a
    savepoint of the test's transaction, kept when the request ends, undone only if it raised),
    so a later call in the chain meets what an earlier one made."""
    application = get_wsgi_application()

    def served(environ, start_response):
        savepoint = transaction.savepoint()
        try:
            answer = application(environ, start_response)
        except BaseException:
            transaction.savepoint_rollback(savepoint)
            raise
        transaction.savepoint_commit(savepoint)
        return answer

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield served
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_chains_of_operations_store_nothing_they_refuse(world, committing_wsgi_app):
    config = _config(SCENARIOS, coverage=False, world=world, stateful=True)
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", committing_wsgi_app, config=config
    )
    base = schema.as_state_machine()
    # The document says enough for the chains the issue names to be inferred.
    assert schema.statistic.transitions.total >= 20
    seen: dict[str, int] = {}
    refused_but_stored: list[str] = []

    class Chains(base):  # type: ignore[misc,valid-type]
        def setup(self) -> None:
            super().setup()
            self.scenario = transaction.savepoint()  # each chain starts from the same world

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.scenario)
            super().teardown()

        def get_call_kwargs(self, case):
            return {"headers": world.bearer}

        def before_call(self, case) -> None:
            super().before_call(case)
            self.before = row_counts()

        def after_call(self, response, case) -> None:
            super().after_call(response, case)
            label = f"{case.operation.label} → {response.status_code // 100}xx"
            seen[label] = seen.get(label, 0) + 1
            if response.status_code >= 400:
                after = row_counts()
                grown = {k: after[k] - v for k, v in self.before.items() if after[k] != v}
                if grown:
                    refused_but_stored.append(f"{label}: {grown}")

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
            case.validate_response(response, checks=CHECKS)

    Chains.run(settings=CHAINS)
    assert not refused_but_stored, "\n".join(refused_but_stored)
    # The chains reached the operations that act on what another created, and some succeeded.
    acted = {label for label in seen if "{" in label.split(" → ")[0] and "POST" in label}
    assert acted, seen
    assert any(label.endswith("2xx") and "POST" in label for label in seen), seen


# --- A report's life through the API, with hostile values at every step --------------------
# Schemathesis rarely makes a report (its bodies are random), so this chain is written out:
# each call is a valid body with at most one field swapped for something hostile.

HOSTILE = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "A\x00B",
            "x" * 100_000,
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "../../etc/passwd",
            "\u202e",
            "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
            "9999-99-99",
            "2999-01-01",
            "-1",
            "NaN",
            "😀" * 500,
        ]
    ),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.lists(st.text(max_size=20), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    st.text(max_size=300),
)


def a_report() -> dict[str, Any]:
    return {
        "title": "Firearms through the port",
        "text": "A source reports two handguns arriving by ferry on Friday night.",
        "information_date": str(dt.date.today() - dt.timedelta(days=2)),
        "source_evaluation": "2",
        "intelligence_assessment": "B",
        "handling_code": "C",
        "handling_conditions": "Not to be shared outside the Confidential Unit.",
    }


ACTS = {
    "release": lambda: {},
    "approve": lambda: {},
    "accept": lambda: {},
    "share": lambda: {"to": ["TARIAN"], "purpose": "Port firearms work"},
    "recall": lambda: {"reason": "The source has withdrawn the account."},
    "feedback": lambda: {"kind": "actioned", "note": "Used in a warrant"},
}


@st.composite
def spoiled(draw, body: dict[str, Any]) -> dict[str, Any]:
    """The body as it is, or with one field (present or not) given a hostile value."""
    if not body or draw(st.booleans()):
        return body
    field = draw(st.sampled_from([*body, "unexpected"]))
    return {**body, field: draw(HOSTILE)}


class ReportLives(RuleBasedStateMachine):
    client: Client
    bearer: dict[str, str]
    seen: dict[str, int]
    refused_but_stored: list[str]

    reports = Bundle("reports")

    def _call(self, label: str, url: str, body: Any) -> Any:
        before = row_counts()
        response = self.client.post(
            url, json.dumps(body), content_type="application/json", headers=self.bearer
        )
        assert response.status_code < 500, f"{label} {body!r}: {response.status_code}"
        key = f"{label} → {response.status_code // 100}xx"
        self.seen[key] = self.seen.get(key, 0) + 1
        if response.status_code >= 400:
            after = row_counts()
            grown = {k: after[k] - v for k, v in before.items() if after[k] != v}
            if grown:
                self.refused_but_stored.append(f"{label} {body!r}: {grown}")
        return response

    @rule(target=reports, body=spoiled(a_report()))
    def record(self, body: dict[str, Any]) -> Any:
        response = self._call("record", "/api/v1/intelligence", body)
        return response.json()["reference"] if response.status_code == 201 else multiple()

    @rule(report=reports, act=st.sampled_from(sorted(ACTS)), data=st.data())
    def act(self, report: str, act: str, data: st.DataObject) -> None:
        body = data.draw(spoiled(ACTS[act]()))
        self._call(act, f"/api/v1/intelligence/{report}/{act}", body)

    @rule(act=st.sampled_from(sorted(ACTS)), reference=HOSTILE)
    def act_on_nothing(self, act: str, reference: Any) -> None:
        self._call(act, f"/api/v1/intelligence/{reference}/{act}", ACTS[act]())


def test_a_reports_life_with_hostile_values_stores_nothing_refused(world):
    seen: dict[str, int] = {}
    refused_but_stored: list[str] = []

    class Lives(ReportLives):
        def __init__(self) -> None:
            super().__init__()
            self.client, self.bearer = Client(), world.bearer
            self.seen, self.refused_but_stored = seen, refused_but_stored
            self.scenario = transaction.savepoint()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.scenario)

    run_state_machine_as_test(
        Lives,
        settings=CHAINS,
    )
    assert not refused_but_stored, "\n".join(refused_but_stored)
    # Reports were made and then acted on, and hostile bodies were refused.
    assert seen.get("record → 2xx"), seen
    assert seen.get("record → 4xx"), seen
    assert sum(n for k, n in seen.items() if not k.startswith("record") and "2xx" in k), seen
