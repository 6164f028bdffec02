"""/access-reason/ names the record it asks about as `app.model:id`: whatever that parameter
holds, a record the person may not open answers 404 (never 500, never a hint that it exists)."""

from __future__ import annotations

import pytest

from tests.access.registry import make_ocg

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "threats.ocg",  # no colon
    "threats.ocg:",  # no id
    "threats.ocg:abc",  # not a number
    "threats.ocg:1.5",
    "threats.ocg:-1",
    "threats.ocg: 1 ",
    "threats.ocg:0x1",
    "threats.ocg:\u0661",  # an Arabic-Indic digit one
    "threats.ocg:99999999999999999999999999",  # past any 64-bit id
    "threats.ocg:9223372036854775808",
    "threats.ocg:1:2",
    "threats.nosuchmodel:1",  # unknown model
    "nosuchapp.ocg:1",
    "ocg:1",  # no app label
    "organisations.user:1",  # a model that is not a protected record
    "core.auditentry:1",
    "core.protectedrecord:1",  # the abstract base
    ":1",
    "." * 300 + ":1",
]


@pytest.mark.parametrize("record", HOSTILE)
def test_a_malformed_or_unknown_record_answers_404(client, cast, record):
    client.force_login(cast("dp.lro"))
    response = client.get("/access-reason/", {"record": record})
    assert response.status_code == 404
    posted = client.post(
        f"/access-reason/?record={record}", {"reason": "Checking links to a firearms case"}
    )
    assert posted.status_code == 404


def test_a_nul_in_the_record_key_is_refused_before_it_is_read(client, cast):
    """A NUL never reaches the lookup (PostgreSQL stores none): 400 with the reason."""
    client.force_login(cast("dp.lro"))
    response = client.get("/access-reason/", {"record": "threats.ocg:\x00"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_record_outside_ones_reach_answers_404_like_one_that_does_not_exist(client, cast):
    ocg = make_ocg("GMP", "OFFICIAL", False)
    client.force_login(cast("dp.lro"))
    unseen = client.get("/access-reason/", {"record": f"threats.ocg:{ocg.pk}"})
    missing = client.get("/access-reason/", {"record": f"threats.ocg:{ocg.pk + 1000}"})
    assert unseen.status_code == missing.status_code == 404


def test_a_well_formed_record_in_reach_is_asked_about(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("tarian.sio"))
    response = client.get("/access-reason/", {"record": f"threats.ocg:{ocg.pk}"})
    assert response.status_code == 200
    assert ocg.reference in response.content.decode()
