"""The intelligence API list is audited as LIST: the filters and the rows returned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concord.core.models import AuditEntry
from concord.intelligence.models import IntelReport

pytestmark = pytest.mark.django_db


def _new(client) -> str:
    made = client.post(
        "/api/v1/intelligence",
        {
            "title": "Cash moved through Milford Haven",
            "text": "Cash couriers use the Rosslare ferry on Fridays.",
            "information_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "source_evaluation": "2",
            "intelligence_assessment": "B",
            "handling_code": "P",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    return str(made.json()["reference"])


def test_the_list_is_audited_with_its_filters_and_the_rows_returned(client, cast):
    analyst = cast("dp.analyst")
    client.force_login(analyst)
    refs = [_new(client) for _ in range(3)]
    response = client.get("/api/v1/intelligence", {"status": "draft", "limit": 2, "offset": 1})
    assert response.status_code == 200
    body = response.json()
    [entry] = AuditEntry.objects.filter(action="list")
    assert (entry.actor_username, entry.source) == ("dp.analyst", "api")
    assert entry.object_type == "intelligence.intelreport"
    assert entry.detail["filters"] == {"status": "draft"}
    assert entry.detail["rows"] == len(body["items"]) == 2
    assert entry.detail["count"] == body["count"] == 3
    assert (entry.detail["offset"], entry.detail["limit"]) == (1, 2)
    listed = IntelReport.objects.filter(pk__in=[int(i) for i in entry.detail["ids"]])
    assert sorted(r.reference for r in listed) == sorted(i["reference"] for i in body["items"])
    assert set(entry.detail["ids"]) <= {
        str(pk)
        for pk in IntelReport.objects.filter(reference__in=refs).values_list("pk", flat=True)
    }


def test_an_empty_list_is_audited_too(client, cast):
    client.force_login(cast("gmp.sio"))
    assert client.get("/api/v1/intelligence").json()["count"] == 0
    [entry] = AuditEntry.objects.filter(action="list")
    assert (entry.detail["rows"], entry.detail["ids"], entry.detail["filters"]) == (0, [], {})
