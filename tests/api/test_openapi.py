"""The OpenAPI document is honest: every operation declares each status code it can answer,
with the body the API really sends, and the request schemas declare the constraints the API
enforces (allowed values, lengths, ranges). Schemathesis (test_schemathesis.py) then checks
the API against it."""

from __future__ import annotations

import pytest

from concord.core.choices import Classification
from concord.intelligence.choices import FeedbackKind
from concord.ownership.choices import TransferKind, Urgency
from concord.ownership.models import SUBJECT_FIELDS
from concord.plans.choices import ActionStatus, Strand
from tests.access.registry import make_ocg

PROBLEM = "#/components/schemas/Problem"
VALIDATION_PROBLEM = "#/components/schemas/ValidationProblem"


def _body_ref(response):
    return response["content"]["application/json"]["schema"]["$ref"]


def _resolve(openapi, schema):
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(openapi, schema["allOf"][0])
    return schema


def _body(openapi, op):
    ref = op.spec["requestBody"]["content"]["application/json"]["schema"]
    return _resolve(openapi, ref)


def _enum(openapi, schema):
    return set(_resolve(openapi, schema)["enum"])


def test_every_operation_declares_401_with_its_header_and_body(operations):
    assert len(operations) >= 30
    for op in operations:
        unauthorized = op.responses.get("401")
        assert unauthorized is not None, op.label
        assert _body_ref(unauthorized) == PROBLEM, op.label
        assert "WWW-Authenticate" in unauthorized["headers"], op.label


def test_every_operation_with_inputs_declares_422_with_the_field_errors_body(operations):
    for op in operations:
        if op.has_inputs:
            assert _body_ref(op.responses["422"]) == VALIDATION_PROBLEM, op.label


def test_every_lookup_and_every_write_declares_404(operations):
    for op in operations:
        if "{" in op.path or op.method == "post":
            assert _body_ref(op.responses["404"]) == PROBLEM, op.label


def test_every_write_declares_403_for_csrf_and_400_when_it_reads_a_body(operations):
    for op in operations:
        if op.method != "get":
            assert _body_ref(op.responses["403"]) == PROBLEM, op.label
            if "requestBody" in op.spec:
                assert _body_ref(op.responses["400"]) == PROBLEM, op.label
            else:
                assert "400" not in op.responses, op.label


def test_what_opens_a_protected_record_declares_428_and_its_reason_header(operations):
    opening = [op for op in operations if "{reference}" in op.path]
    opening += [
        op
        for op in operations
        if op.path in ("/api/v1/transfers/{pk}", "/api/v1/transfers/{pk}/decision")
        or (op.method, op.path) in {("post", "/api/v1/transfers"), ("post", "/api/v1/disruptions")}
    ]
    assert len(opening) >= 15
    for op in opening:
        assert _body_ref(op.responses["428"]) == PROBLEM, op.label
        assert op.parameter("X-Access-Reason")["in"] == "header", op.label
    for op in operations:
        if "428" not in op.responses:
            assert op.parameter("X-Access-Reason") is None, op.label


def test_every_error_declared_has_a_meaning(operations):
    for op in operations:
        for code, response in op.responses.items():
            if code.startswith("4"):
                assert response["description"] not in ("", "Unknown Status Code"), (op.label, code)
            assert code in {"200", "201", "400", "401", "403", "404", "422", "428"}, op.label


def test_request_schemas_declare_allowed_values(openapi, operations):
    by_label = {op.label: op for op in operations}
    transfer = _body(openapi, by_label["POST /api/v1/transfers"])["properties"]
    assert _enum(openapi, transfer["kind"]) == set(TransferKind.values)
    assert _enum(openapi, transfer["urgency"]) == set(Urgency.values)
    assert _enum(openapi, transfer["item_kind"]) == set(SUBJECT_FIELDS)
    decision = _body(openapi, by_label["POST /api/v1/transfers/{pk}/decision"])["properties"]
    assert _enum(openapi, decision["decision"]) == {"accept", "decline", "query"}
    progress = _body(openapi, by_label["POST /api/v1/actions/{pk}"])["properties"]
    assert _enum(openapi, progress["status"]) == set(ActionStatus.values)
    disruption = _body(openapi, by_label["POST /api/v1/disruptions"])["properties"]
    assert _enum(openapi, disruption["strand"]) == set(Strand.values)
    assert _enum(openapi, disruption["item_kind"]) == set(SUBJECT_FIELDS)
    report = _body(openapi, by_label["POST /api/v1/intelligence"])["properties"]
    assert _enum(openapi, report["classification"]) == set(Classification.values)
    feedback = _body(openapi, by_label["POST /api/v1/intelligence/{reference}/feedback"])
    assert _enum(openapi, feedback["properties"]["kind"]) == set(FeedbackKind.values)
    for path in ("/api/v1/ownership/{kind}/{reference}", "/api/v1/plans/{kind}/{reference}"):
        kind = by_label[f"GET {path}"].parameter("kind")["schema"]
        assert set(kind["enum"]) == set(SUBJECT_FIELDS)


def test_request_schemas_declare_lengths_and_ranges(openapi, operations):
    by_label = {op.label: op for op in operations}

    def props(label):
        return _body(openapi, by_label[label])["properties"]

    tasking = props("POST /api/v1/tasking")
    assert (tasking["capability"]["minLength"], tasking["capability"]["maxLength"]) == (3, 200)
    assert tasking["reason"]["minLength"] == 10
    assert tasking["to_organisation"]["maxLength"] == 12
    transfer = props("POST /api/v1/transfers")
    assert (transfer["reason"]["minLength"], transfer["asked"]["minLength"]) == (10, 5)
    report = props("POST /api/v1/intelligence")
    assert (report["title"]["minLength"], report["title"]["maxLength"]) == (3, 200)
    assert report["text"]["minLength"] == 10
    assert report["place"]["maxLength"] == 200
    assert report["ocgs"]["maxItems"] == 100
    share = props("POST /api/v1/intelligence/{reference}/share")
    assert (share["purpose"]["minLength"], share["purpose"]["maxLength"]) == (5, 300)
    assert props("POST /api/v1/intelligence/{reference}/recall")["reason"]["minLength"] == 10
    disruption = props("POST /api/v1/disruptions")
    assert disruption["narrative"]["minLength"] == 10
    assert set(_resolve(openapi, disruption["outcomes"])["properties"]) >= {"arrests", "cash_gbp"}
    for op in operations:
        for parameter in op.parameters:
            if parameter["in"] != "path":
                continue
            schema = parameter["schema"]
            if schema.get("type") == "integer":
                assert (schema["minimum"], schema["maximum"]) == (1, 2**63 - 1), op.label
            elif "enum" not in schema:
                assert schema["maxLength"] <= 24, op.label


@pytest.mark.django_db
def test_the_declared_428_is_what_the_api_answers(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("tarian.sio"))
    asked = client.get(f"/api/v1/ocgs/{ocg.reference}")
    assert asked.status_code == 428
    assert set(asked.json()) == {"detail"}
    reasoned = client.get(
        f"/api/v1/ocgs/{ocg.reference}", HTTP_X_ACCESS_REASON="Regional firearms review"
    )
    assert reasoned.status_code == 200


@pytest.mark.django_db
def test_a_reason_required_answers_428_in_debug_mode_too(client, cast, settings):
    """ninja turns an unhandled exception into a 500 page in debug mode: 428 is the API's own."""
    settings.DEBUG = True
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("tarian.sio"))
    assert client.get(f"/api/v1/ocgs/{ocg.reference}").status_code == 428


def test_every_schema_has_a_name_of_its_own():
    """The OpenAPI document names its schemas by class name: two apps' schemas of one name
    (two `CheckOut`s once) would share one entry, and one operation would promise the other's
    body."""
    import importlib

    from django.urls import get_resolver
    from ninja import Schema

    get_resolver()  # imports every app's API module
    importlib.import_module("concord.config.api")
    seen: dict[str, str] = {}
    clashes = []
    pending = list(Schema.__subclasses__())
    while pending:
        schema = pending.pop()
        pending.extend(schema.__subclasses__())
        if not schema.__module__.startswith("concord."):
            continue
        where = f"{schema.__module__}.{schema.__qualname__}"
        if seen.setdefault(schema.__name__, where) != where:
            clashes.append(f"{schema.__name__}: {seen[schema.__name__]} and {where}")
    assert not clashes, clashes
