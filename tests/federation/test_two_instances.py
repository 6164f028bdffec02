"""Two instances on loopback, each with its own database and server: a force shares a C-coded
report with its ROCU by sync; the ROCU's reader must accept the conditions first; a recall at
the force removes it at the next sync; a tampered transfer is rejected and changes nothing; an
interrupted transfer resumes with nothing duplicated and nothing lost; the ROCU's own
intelligence is pushed back to the force."""

from __future__ import annotations

import pytest

from tests.federation.conftest import Instance
from tests.federation.proxy import Proxy

SHARE = """
import datetime as dt
from django.utils import timezone
from concord.intelligence import services
from concord.organisations.models import Organisation, User
analyst = User.objects.get(username="dp.analyst")
refs = []
for n in range({count}):
    report = services.record_report(
        actor=analyst,
        title=f"Firearms through Pembroke Dock {{n}}",
        text=f"Two handguns moved by ferry in a grey Transit (sighting {{n}}).",
        information_date=timezone.localdate() - dt.timedelta(days=2),
        grading=services.Grading("2", "B", "{code}", "{conditions}"),
        place="Pembroke Dock",
    )
    services.release(actor=analyst, report=report)
    if report.status == "awaiting":
        services.approve_release(actor=User.objects.get(username="dp.sro"), report=report)
        report.refresh_from_db()
    services.disseminate(
        actor=analyst, report=report, to=[Organisation.objects.get(code="TARIAN")],
        purpose="Tarian's firearms tasking",
    )
    refs.append(report.reference)
print(__import__("json").dumps(refs))
"""

HELD = """
import json
from concord.core.models import Share
from concord.intelligence.models import IntelReport, ReceivedObject
received = IntelReport.objects.filter(origin__isnull=False)
print(json.dumps({
    "reports": sorted(received.values_list("reference", flat=True)),
    "live": sorted(received.filter(status="released").values_list("reference", flat=True)),
    "received": ReceivedObject.objects.count(),
    "distinct": ReceivedObject.objects.values("stix_id").distinct().count(),
    "shares": Share.objects.filter(revoked_at__isnull=True).count(),
}))
"""

READ_AS = """
import json
from django.test import Client
from concord.organisations.models import User
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username="{username}"))
reason = "Firearms tasking review"
page = client.get("/intelligence/{ref}/", HTTP_X_ACCESS_REASON=reason, follow=True)
print(json.dumps({{"status": page.status_code, "html": page.content.decode()}}))
"""


def share(force: Instance, count: int = 1, code: str = "C") -> list[str]:
    conditions = "Law enforcement only; consult DYP before any action." if code == "C" else ""
    refs: list[str] = force.run(SHARE.format(count=count, code=code, conditions=conditions))
    return refs


def held(instance: Instance) -> dict:
    result: dict = instance.run(HELD)
    return result


def open_as(instance: Instance, username: str, ref: str) -> dict:
    result: dict = instance.run(READ_AS.format(username=username, ref=ref))
    return result


def point(rocu: Instance, url: str) -> None:
    rocu.run(
        "from concord.intelligence.models import Peer\n"
        f"Peer.objects.filter(name='force').update(url='{url}')\nprint('null')"
    )


RECORD_AT_ROCU = """
import datetime as dt
from django.utils import timezone
from concord.intelligence import services
from concord.organisations.models import Organisation, User
analyst = User.objects.get(username="tarian.analyst")
report = services.record_report(
    actor=analyst, title="Cash couriers on the M4",
    text="Couriers move cash east on Thursdays in hire cars.",
    information_date=timezone.localdate() - dt.timedelta(days=1),
    grading=services.Grading("1", "A", "P"),
)
services.release(actor=analyst, report=report)
services.disseminate(actor=analyst, report=report, to=[Organisation.objects.get(code="DYP")],
                     purpose="For Dyfed-Powys's Pursue work")
print("null")
"""

ACCEPT = """
from concord.intelligence import services
from concord.intelligence.models import IntelReport
from concord.organisations.models import User
services.accept_conditions(
    actor=User.objects.get(username="tarian.analyst"),
    report=IntelReport.objects.get(reference="{ref}"),
)
print("null")
"""

RECALL = """
from concord.intelligence import services
from concord.intelligence.models import IntelReport
from concord.organisations.models import User
services.recall(
    actor=User.objects.get(username="dp.analyst"),
    report=IntelReport.objects.get(reference="{ref}"),
    reason="The source withdrew it.",
)
print("null")
"""


def test_a_force_and_its_rocu_exchange_by_sync(pair):
    force, rocu = pair
    # The force shares a C-coded report with Tarian; the ROCU's sync takes it in.
    (ref,) = share(force)
    sync = rocu.concord("sync", "force")
    assert "1 new reports" in sync.stdout, sync.stdout + sync.stderr
    assert held(rocu)["live"] == [ref]
    # The ROCU's reader sees the conditions, not the content, until accepting them.
    page = open_as(rocu, "tarian.analyst", ref)
    assert page["status"] == 200
    assert "consult DYP before any action" in page["html"]
    assert "grey Transit" not in page["html"]
    rocu.run(ACCEPT.format(ref=ref))
    assert "grey Transit" in open_as(rocu, "tarian.analyst", ref)["html"]
    # Nothing new the second time.
    assert "pulled 0 objects" in rocu.concord("sync", "force").stdout

    # The ROCU's own intelligence for the force goes the other way, and only once.
    rocu.run(RECORD_AT_ROCU)
    pushed = rocu.concord("sync", "force")
    assert "pushed 0 objects" not in pushed.stdout, pushed.stdout
    assert held(force)["live"] == ["INT-TARIAN-000001"]
    assert "Couriers move cash east" in open_as(force, "dp.analyst", "INT-TARIAN-000001")["html"]
    again = rocu.concord("sync", "force").stdout
    assert "pulled 0 objects" in again  # what the force received is not sent back
    assert "pushed 0 objects" in again

    # A transfer changed on the way is rejected whole, and nothing changes.
    share(force, count=2, code="P")
    before = held(rocu)
    proxy = Proxy(force.port)
    proxy.tamper = (b"Pembroke", b"Pembrake")
    try:
        point(rocu, proxy.url)
        failed = rocu.concord("sync", "force", "--pull-only", check=False)
    finally:
        proxy.close()
        point(rocu, force.url)
    assert proxy.tampered > 0
    assert failed.returncode != 0
    assert "does not verify" in failed.stderr
    assert held(rocu) == before
    rocu.concord("sync", "force")
    assert len(held(rocu)["live"]) == 3

    # A recall at the force removes the report at the ROCU on the next sync.
    force.run(RECALL.format(ref=ref))
    assert "1 recalled" in rocu.concord("sync", "force").stdout
    assert ref not in held(rocu)["live"]
    assert open_as(rocu, "tarian.analyst", ref)["status"] == 404


def test_an_interrupted_sync_resumes_without_duplicates_or_loss(pair):
    force, rocu = pair
    refs = share(force, count=30, code="P")
    proxy = Proxy(force.port)
    proxy.cut_on = 3  # the third page of objects is cut off part-way
    try:
        point(rocu, proxy.url)
        cut = rocu.concord("sync", "force", check=False)
        assert proxy.cuts == 1
        assert cut.returncode != 0
        assert "connection" in cut.stderr.lower()
        part = held(rocu)
        # Two whole pages went in; the cut one did not.
        assert 0 < len(part["reports"]) < len(refs)
        proxy.cut_on = None
        done = rocu.concord("sync", "force")
        assert "pulled" in done.stdout
    finally:
        proxy.close()
    whole = held(rocu)
    assert whole["reports"] == sorted(refs)
    assert whole["received"] == whole["distinct"]
    assert whole["shares"] == len(refs)
    # Once more changes nothing.
    rocu.concord("sync", "force")
    assert held(rocu) == whole


@pytest.fixture(autouse=True)
def _no_database_needed() -> None:
    """These tests drive instances in their own processes and databases only."""
