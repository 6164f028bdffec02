"""The TAXII 2.1 endpoints fuzzed with hypothesis from the specification's shapes (issue 17):
reads with every filter the specification defines (added_after, limit, next, match[id],
match[type], match[version], match[spec_version]) given valid, odd and hostile values, under
any Accept; and envelopes a registered peer signs (so they reach the ingest itself) built from
a real report's STIX objects with fields dropped, retyped, duplicated or replaced by hostile
values. Nothing answers 5xx, every refusal is a TAXII error message, and a refused envelope
stores nothing."""

from __future__ import annotations

import copy
import json
import uuid
from collections import Counter
from typing import Any

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concord.intelligence.federation import register_peer
from concord.intelligence.taxii import EXCHANGE, TAXII
from tests.intelligence.peering import PeerKey, envelope, objects_of, their_report
from tests.intelligence.test_taxii_conformance import ROOT, Taxii, shared_report

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
HOSTILE_TEXT = st.sampled_from(
    ["", " ", "\x00", "%00", "<script>", "' OR 1=1 --", "x" * 5000, "😀", "\u202e", "null"]
)
TIMESTAMPS = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(
        ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.123456Z", "2026-02-30T00:00:00Z", "now"]
    ),
    HOSTILE_TEXT,
)
STIX_IDS = st.one_of(
    st.builds(lambda t, u: f"{t}--{u}", st.sampled_from(["report", "note", "x-y"]), st.uuids()),
    HOSTILE_TEXT,
)
FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "added_after": TIMESTAMPS,
        "limit": st.one_of(st.integers(-5, 10**12).map(str), HOSTILE_TEXT),
        "next": st.one_of(st.text(max_size=40), HOSTILE_TEXT),
        "match[id]": st.lists(STIX_IDS, max_size=3).map(",".join),
        "match[type]": st.lists(
            st.sampled_from(["report", "note", "identity", "marking-definition", "", "%"]),
            max_size=3,
        ).map(",".join),
        "match[version]": st.one_of(st.sampled_from(["first", "last", "all"]), TIMESTAMPS),
        "match[spec_version]": st.sampled_from(["2.1", "2.0", "", "9"]),
    },
)
ACCEPTS = st.sampled_from(
    [TAXII, "application/taxii+json", "*/*", "application/json", "text/html", "", "a/b;;q=x"]
)


def is_a_taxii_answer(response: Any) -> None:
    assert response.status_code < 500, response.content[:300]
    if response.status_code == 401:
        return
    assert response["Content-Type"] == TAXII, response.status_code
    body = json.loads(response.content)
    if response.status_code >= 400:
        assert body["http_status"] == str(response.status_code)
        assert body["title"]


def test_reads_with_fuzzed_filters_answer_in_taxii(cast, client):
    cast("dp.analyst")
    shared_report("dp.analyst")
    reader = Taxii(client, cast("tarian.sio"))
    seen: Counter[int] = Counter()

    @given(data=st.data(), filters=FILTERS, accept=ACCEPTS)
    @EXAMPLES
    def read(data: Any, filters: dict[str, str], accept: str) -> None:
        collection = data.draw(st.sampled_from([EXCHANGE, str(uuid.uuid4()), "%20", "x" * 300]))
        resource = data.draw(
            st.sampled_from(
                [
                    "objects/",
                    "manifest/",
                    f"objects/{data.draw(STIX_IDS)}/",
                    f"objects/{data.draw(STIX_IDS)}/versions/",
                    "",
                ]
            )
        )
        response = reader.get(
            f"{ROOT}collections/{collection}/{resource}", filters, HTTP_ACCEPT=accept
        )
        is_a_taxii_answer(response)
        seen[response.status_code] += 1

    read()
    # The filters both served pages and were refused, for what they said.
    assert seen[200], seen
    assert seen[400], seen
    assert seen[406], seen


def row_counts() -> dict[str, int]:
    """Rows of every model but the audit trail (which records what was tried)."""
    return {
        m._meta.label_lower: m._default_manager.count()
        for m in apps.get_models()
        if not m._meta.proxy and m._meta.label_lower not in {"core.auditentry"}
    }


HOSTILE_VALUES = st.one_of(
    HOSTILE_TEXT,
    TIMESTAMPS,
    STIX_IDS,
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.lists(st.text(max_size=8), max_size=3),
    st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=3),
)


@st.composite
def spoiled(draw: Any, objects: list[dict[str, Any]]) -> list[Any]:
    """A report's STIX objects with up to four changes a careless or hostile peer might make."""
    objects = copy.deepcopy(objects)
    for _ in range(draw(st.integers(0, 4))):
        change = draw(st.sampled_from(["set", "drop", "duplicate", "junk", "retype"]))
        if not objects:
            objects.append({})
        i = draw(st.integers(0, len(objects) - 1))
        target = objects[i]
        if change == "junk":
            objects.append(draw(HOSTILE_VALUES))
        elif change == "duplicate":
            objects.append(copy.deepcopy(target))
        elif not isinstance(target, dict):
            objects[i] = {"type": "report"}
        elif change == "retype":
            target["type"] = draw(st.sampled_from(["note", "report", "identity", "opinion", ""]))
        else:
            fields = sorted(target) or ["id"]
            field = draw(st.sampled_from([*fields, "x_concord_handling", "object_refs"]))
            if change == "drop":
                target.pop(field, None)
            else:
                target[field] = draw(HOSTILE_VALUES)
    return objects


def test_signed_envelopes_fuzzed_from_real_objects_never_break_the_ingest(cast, client):
    cast("dp.analyst")
    key = PeerKey()
    _peer, token = register_peer(
        name="tarian",
        organisation="TARIAN",
        local_organisation="DYP",
        url="http://127.0.0.1:9/taxii2/api/",
        public_key=key.public,
    )
    seen: Counter[int] = Counter()

    @given(data=st.data())
    @EXAMPLES
    def add(data: Any) -> None:
        number = data.draw(st.integers(1, 5))
        objects = data.draw(spoiled(objects_of(their_report(number=number))))
        body: dict[str, Any] = envelope(objects)
        for field in data.draw(st.lists(st.sampled_from(["more", "next", "x_concord_to"]))):
            body[field] = data.draw(HOSTILE_VALUES)
        before = row_counts()
        response = client.post(
            f"{ROOT}collections/{EXCHANGE}/objects/",
            json.dumps(key.sign(body), default=str),
            content_type=TAXII,
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_ACCEPT=TAXII,
        )
        is_a_taxii_answer(response)
        seen[response.status_code] += 1
        if response.status_code >= 400:
            after = row_counts()
            grown = {k: after[k] - v for k, v in before.items() if after[k] != v}
            assert not grown, (response.status_code, response.content[:300], grown)
        else:
            assert response.status_code == 202
            status = json.loads(response.content)
            assert status["total_count"] == (
                status["success_count"] + status["failure_count"] + status["pending_count"]
            )

    add()
    # Envelopes reached the ingest and were taken in, and spoiled ones were refused.
    assert seen[202], seen
    assert sum(n for code, n in seen.items() if code >= 400), seen


def test_a_held_version_resent_with_a_field_of_another_shape_is_refused(cast, client):
    """Found by the fuzzing above: a version already held is not parsed again, so a peer that
    resent it with its marking's definition as text made the ingest fail (500)."""
    cast("dp.analyst")
    key = PeerKey()
    _peer, token = register_peer(
        name="tarian",
        organisation="TARIAN",
        local_organisation="DYP",
        url="http://127.0.0.1:9/taxii2/api/",
        public_key=key.public,
    )

    def add(objects: list[dict[str, Any]]) -> Any:
        return client.post(
            f"{ROOT}collections/{EXCHANGE}/objects/",
            json.dumps(key.sign(envelope(objects))),
            content_type=TAXII,
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_ACCEPT=TAXII,
        )

    objects = objects_of(their_report())
    assert add(objects).status_code == 202
    for obj in objects:
        if obj["type"] == "marking-definition":
            obj["definition"] = "OFFICIAL"
    before = row_counts()
    response = add(objects)
    assert response.status_code == 422
    assert "definition is not of the right type" in json.loads(response.content)["description"]
    assert row_counts() == before
