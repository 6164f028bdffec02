"""Pickers offer only valid choices (issue 12, build 2 and defect 10): where a transfer or
tasking request may go by the rules, who may be appointed SIO or LRO on completing a transfer;
the server refuses anything else with a message naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from concord.organisations.models import Organisation
from concord.ownership import services, transfers
from concord.ownership.models import Appointment, TaskingRequest, TransferRequest
from tests.access.registry import make_ocg
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db

TOPICS = ["intelligence", "risks", "safeguarding", "actions"]


def answer(client, source: str, **params: str) -> dict:
    response = client.get(f"/pickers/{source}/", params)
    assert response.status_code == 200
    return response.json()


def codes(client, source: str, **params: str) -> list[str]:
    body = answer(client, source, **params)
    assert body["count"] == len(body["results"])  # fewer than a page of choices here
    return [c["value"] for c in body["results"]]


def national() -> set[str]:
    """The NCA and the other national agencies (British Transport Police)."""
    return set(Organisation.objects.active().filter(kind="national").values_list("code", flat=True))


def test_a_force_requests_transfer_only_to_its_rocu_or_the_nca(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("dp.sio"))
    item = f"ocg:{ocg.reference}"
    assert "NCA" in national()
    assert set(codes(client, "transfer-to", item=item, kind="support")) == {"TARIAN"} | national()
    assert set(codes(client, "transfer-to", item=item, kind="adoption")) == national()
    assert codes(client, "transfer-to", item=item, kind="deescalation") == []
    assert set(codes(client, "transfer-to", item=item)) == {"TARIAN"} | national()
    # What is typed narrows the valid choices; it never adds others.
    assert codes(client, "transfer-to", item=item, q="tarian") == ["TARIAN"]
    assert codes(client, "transfer-to", item=item, q="manchester") == []


def test_a_rocu_de_escalates_only_to_a_force(client, cast):
    chair = cast("tarian.chair")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    ocg.owner = organisation("TARIAN")
    ocg.save(update_fields=["owner"])
    client.force_login(chair)
    body = answer(client, "transfer-to", item=f"ocg:{ocg.reference}", kind="deescalation")
    assert body["count"] == Organisation.objects.active().filter(kind="force").count()
    assert {c["hint"] for c in body["results"]} == {"Police force"}
    assert codes(
        client, "transfer-to", item=f"ocg:{ocg.reference}", kind="deescalation", q="dyfed"
    ) == ["DYP"]


def test_the_transfer_picker_is_not_found_for_an_item_one_may_not_see(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("gmp.lro"))
    response = client.get("/pickers/transfer-to/", {"item": f"ocg:{ocg.reference}"})
    assert response.status_code == 404
    assert client.get("/pickers/no-such-picker/").status_code == 404


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("dp.analyst", {"TARIAN"}),  # a force tasks its ROCU
        ("nca.tasking", None),  # the NCA tasks any ROCU (and only ROCUs)
    ],
)
def test_tasking_goes_only_where_the_rules_allow(client, cast, who, allowed):
    client.force_login(cast(who))
    found = set(codes(client, "tasking-to"))
    if allowed is not None:
        assert found == allowed
    else:
        rocus = set(
            Organisation.objects.active().filter(kind="rocu").values_list("code", flat=True)
        )
        assert found == rocus


def test_a_rocu_tasks_its_regions_forces_and_the_nca(client, cast):
    client.force_login(cast("tarian.chair"))
    found = set(codes(client, "tasking-to"))
    welsh = set(
        Organisation.objects.active()
        .filter(kind="force", region=organisation("TARIAN").region)
        .values_list("code", flat=True)
    )
    assert found == welsh | national()
    assert "GMP" not in found


def test_the_tasking_form_offers_and_accepts_only_valid_receivers(client, cast):
    client.force_login(cast("dp.analyst"))
    page = client.get("/tasking/new/").content.decode()
    assert 'value="TARIAN"' in page
    assert 'value="NWROCU"' not in page
    assert 'value="GMP"' not in page
    response = client.post(
        "/tasking/new/",
        {
            "to_organisation": "NWROCU",
            "capability": "Covert surveillance",
            "asked": "Two weeks of mobile surveillance",
            "reason": "Supply route into the region",
            "urgency": "routine",
            "respond_by": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "“To”: choose from the list an organisation your organisation may task." in text
    assert not TaskingRequest.objects.exists()


def test_the_transfer_form_refuses_a_receiver_the_rules_do_not_allow(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("dp.sio"))
    url = f"/ownership/ocg/{ocg.reference}/transfer/"
    page = client.get(url).content.decode()
    assert 'value="TARIAN"' in page
    assert 'value="NWROCU"' not in page
    assert f'data-picker="/pickers/transfer-to/?item=ocg%3A{ocg.reference}"' in page
    response = client.post(
        url,
        {
            "kind": "support",
            "to_organisation": "NWROCU",
            "urgency": "routine",
            "reason": "Firearms supply across the region",
            "asked": "An SIO",
        },
    )
    assert "“To”: choose from the list an organisation this request may go to." in (
        response.content.decode()
    )
    assert not TransferRequest.objects.exists()


def accepted(kind: str, *, classification: str = "OFFICIAL") -> TransferRequest:
    """A Dyfed-Powys OCG whose request to Tarian is accepted and handed over."""
    ocg = make_ocg("DYP", classification, False)
    sender = UserFactory(
        username="dp.sender",
        organisation=organisation("DYP"),
        roles=["sio"],
        vetting_level="SC",
    )
    transfer = transfers.request_transfer(
        actor=sender,
        item=ocg,
        kind=kind,
        to_organisation=organisation("TARIAN"),
        reason="Firearms supply across three force areas",
        asked="An SIO and a surveillance team",
    )
    chair = UserFactory(
        username="tarian.decider",
        organisation=organisation("TARIAN"),
        roles=["tasking_chair"],
        vetting_level="SC",
    )
    transfers.decide_transfer(actor=chair, transfer=transfer, decision="accept")
    for topic in TOPICS:
        transfers.write_handover(actor=sender, transfer=transfer, topic=topic, text="See file")
        transfers.confirm_handover(actor=chair, transfer=transfer, topic=topic)
    return transfer


def test_appointee_picker_lists_only_cleared_people_of_the_receiving_organisation(client, cast):
    transfer = accepted("support", classification="SECRET")
    tarian_sio = cast("tarian.sio")  # SC: cleared for SECRET
    uncleared = UserFactory(
        username="tarian.newsio", organisation=organisation("TARIAN"), roles=["sio"]
    )  # NPPV3: not cleared for SECRET
    lapsed = UserFactory(
        username="tarian.lapsed",
        organisation=organisation("TARIAN"),
        roles=["sio"],
        vetting_level="SC",
        vetting_expires=timezone.localdate() - dt.timedelta(days=1),
    )
    seconded_away = UserFactory(
        username="tarian.away",
        organisation=organisation("TARIAN"),
        roles=["sio"],
        vetting_level="SC",
    )
    seconded_away.secondments.create(
        organisation=organisation("GMP"), starts=timezone.localdate() - dt.timedelta(days=3)
    )
    dp_sio = cast("dp.sio")
    client.force_login(cast("tarian.chair"))
    found = codes(client, "appointee", transfer=str(transfer.pk), post="sio")
    assert tarian_sio.username in found
    for absent in (uncleared, lapsed, seconded_away, dp_sio):
        assert absent.username not in found
    # SIO support keeps the owner's LRO: there is no LRO to choose.
    assert codes(client, "appointee", transfer=str(transfer.pk), post="lro") == []
    # Only the receiving organisation asks.
    client.force_login(cast("dp.sio"))
    assert (
        client.get("/pickers/appointee/", {"transfer": transfer.pk, "post": "sio"}).status_code
        == 404
    )


def test_support_is_completed_by_choosing_the_sio_by_name_with_no_lro(client, cast):
    transfer = accepted("support")
    tarian_sio = cast("tarian.sio")
    dp_sio = cast("dp.sio")
    client.force_login(cast("tarian.chair"))
    url = f"/transfers/{transfer.pk}/"
    page = client.get(url).content.decode()
    assert 'name="complete-sio"' in page
    assert 'name="complete-lro"' not in page
    assert "(username)" not in page
    assert "Gareth Price" in page  # chosen by name
    refused = client.post(url, {"action": "complete", "complete-sio": dp_sio.username})
    assert "“SIO”: choose from the list a person who may be the SIO." in refused.content.decode()
    assert TransferRequest.objects.get(pk=transfer.pk).status == "accepted"
    missing = client.post(url, {"action": "complete", "complete-sio": ""})
    assert "“SIO”: name the SIO the receiving organisation appoints." in missing.content.decode()
    done = client.post(
        url, {"action": "complete", "complete-sio": tarian_sio.username}, follow=True
    )
    assert "The transfer is complete." in done.content.decode()
    assert services.current_appointments(transfer.subject)["sio"].person == tarian_sio


def test_a_full_transfer_asks_for_the_lro_too(client, cast):
    transfer = accepted("transfer")
    sender = transfer.requested_by
    client.force_login(cast("tarian.chair"))
    page = client.get(f"/transfers/{transfer.pk}/").content.decode()
    assert 'name="complete-sio"' in page
    assert 'name="complete-lro"' in page
    # The former owner's SIO may be the LRO.
    assert sender.username in codes(client, "appointee", transfer=str(transfer.pk), post="lro")
    done = client.post(
        f"/transfers/{transfer.pk}/",
        {
            "action": "complete",
            "complete-sio": cast("tarian.sio").username,
            "complete-lro": sender.username,
        },
        follow=True,
    )
    assert "The transfer is complete." in done.content.decode()
    assert (
        Appointment.objects.get(ocg=transfer.subject, role="lro", ended_on__isnull=True).person
        == sender
    )


def test_the_service_refuses_an_lro_for_sio_support(cast):
    transfer = accepted("support")
    with pytest.raises(ValidationError) as refused:
        transfers.complete_transfer(
            actor=cast("tarian.chair"),
            transfer=transfer,
            sio=cast("tarian.sio"),
            lro=cast("dp.lro"),
        )
    assert "lro" in refused.value.message_dict
    assert TransferRequest.objects.get(pk=transfer.pk).status == "accepted"
