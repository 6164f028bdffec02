"""A small world for testing the API from outside: the named cast, one record of each kind the
API serves (an OCG, a PI, a vulnerability, a tasking request, a released report, a transfer
request, a plan with actions and a claimed disruption), and a bearer token."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from concord.organisations.models import User
from concord.organisations.services import issue_api_token
from concord.ownership import services as ownership
from concord.ownership import transfers
from concord.plans import services as plans
from tests.access.registry import make_ocg, make_pi, make_report, make_tasking, make_vulnerability
from tests.factories import organisation, persona


@dataclass(frozen=True)
class World:
    user: User
    token: str
    references: dict[str, str]
    ids: dict[str, int]

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def build(username: str = "dp.lro") -> World:
    """Records owned by Dyfed-Powys, seen by `username` (its LRO by default) as its own work."""
    user = persona(username)
    sio = persona("dp.sio")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    pi = make_pi("DYP", "OFFICIAL", False)
    vulnerability = make_vulnerability("DYP", "OFFICIAL", False)
    tasking = make_tasking("DYP", "OFFICIAL", False)
    report = make_report("DYP", "OFFICIAL", False)
    ownership.appoint(actor=sio, item=ocg, role="lro", person=user)
    transfer = transfers.request_transfer(
        actor=user,
        item=pi,
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Supply lines cross the region",
        asked="An SIO for the network",
    )
    objective = plans.add_objective(actor=user, item=ocg, strand="pursue", text="Charge the crew")
    action = plans.add_action(
        actor=user,
        objective=objective,
        description="Warrants at the quarry",
        due_on=timezone.localdate(),
        owner_person=user,
    )
    disruption = plans.claim_disruption(
        actor=sio,
        item=ocg,
        strand="pursue",
        impact="minor",
        occurred_on=timezone.localdate(),
        narrative="Two arrests at the quarry gates",
        outcomes={"arrests": 2},
    )
    _token, raw = issue_api_token(actor=user, person=user, name="schemathesis", days=30)
    return World(
        user=user,
        token=raw,
        references={
            "ocg": ocg.reference,
            "pi": pi.reference,
            "vulnerability": vulnerability.reference,
            "tasking": tasking.reference,
            "report": report.reference,
        },
        ids={"transfer": transfer.pk, "action": action.pk, "disruption": disruption.pk},
    )
