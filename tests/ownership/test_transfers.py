"""Ownership, appointments and transfers: exactly one owner at every moment, on every path.

The two transfer models in the force responses (Dyfed-Powys escalating for SIO support;
Greater Manchester transferring fully to the North West ROCU), de-escalation, NCA adoption,
declined, queried, withdrawn and concurrent requests, and who may do what.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from concord.core import policy
from concord.organisations.models import Notification
from concord.ownership import services, transfers
from concord.ownership.models import Appointment, OwnershipPeriod, TransferRequest
from concord.threats.models import Ocg
from tests.access.registry import make_ocg, make_pi
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db

TOPICS = ["intelligence", "risks", "safeguarding", "actions"]


def assert_one_owner(item) -> None:
    """Exactly one open ownership period, held by the item's owner, and the periods before it
    follow one another with no gap or overlap."""
    item.refresh_from_db()
    periods = list(OwnershipPeriod.objects.filter(**{services.subject_field(item): item}))
    open_ = [p for p in periods if p.ended_at is None]
    assert len(open_) == 1
    assert open_[0].organisation_id == item.owner_id
    assert periods[-1] == open_[0]
    for before, after in itertools.pairwise(periods):
        assert before.ended_at == after.started_at


def hand_over(sender, receiver, transfer) -> None:
    for topic in TOPICS:
        transfers.write_handover(
            actor=sender, transfer=transfer, topic=topic, text=f"{topic}: see the file"
        )
        assert_one_owner(transfer.subject)
        transfers.confirm_handover(actor=receiver, transfer=transfer, topic=topic)


def test_a_new_ocg_starts_its_history_with_its_owner(cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    assert_one_owner(ocg)
    assert services.history(ocg)[0].organisation.code == "DYP"


def test_escalation_for_sio_support_keeps_owner_lro_and_plan(
    cast, django_capture_on_commit_callbacks
):
    """Dyfed-Powys asks Tarian for SIO support: the ROCU appoints an SIO; the force keeps the
    ownership and its LRO, and the LRO hears of it."""
    dp_sio, dp_lro = cast("dp.sio"), cast("dp.lro")
    chair, tarian_sio = cast("tarian.chair"), cast("tarian.sio")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    services.appoint(actor=dp_sio, item=ocg, role="lro", person=dp_lro)
    services.appoint(actor=dp_sio, item=ocg, role="sio", person=dp_sio)
    transfer = transfers.request_transfer(
        actor=dp_sio,
        item=ocg,
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Firearms supply across three force areas",
        asked="An SIO and a surveillance team",
        urgency="urgent",
    )
    assert_one_owner(ocg)
    assert Notification.objects.filter(person=chair, link__endswith=f"/{transfer.pk}/").exists()
    transfers.decide_transfer(actor=chair, transfer=transfer, decision="accept")
    assert_one_owner(ocg)
    with pytest.raises(ValidationError, match="Safeguarding"):
        transfers.complete_transfer(actor=chair, transfer=transfer, sio=tarian_sio)
    hand_over(dp_sio, chair, transfer)
    with pytest.raises(ValidationError) as no_sio:
        transfers.complete_transfer(actor=chair, transfer=transfer)
    assert "sio" in no_sio.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        transfers.complete_transfer(actor=chair, transfer=transfer, sio=tarian_sio)
    assert_one_owner(ocg)
    assert ocg.owner.code == "DYP"
    posts = services.current_appointments(ocg)
    assert posts["sio"].person == tarian_sio
    assert posts["lro"].person == dp_lro
    assert Appointment.objects.get(ocg=ocg, person=dp_sio, role="sio").ended_on is not None
    assert Notification.objects.filter(person=dp_lro, code="transfer.completed").exists()
    assert any(dp_lro.email in m.to for m in mail.outbox)
    # Tarian's SIO works on the group without owning it.
    assert policy.can(tarian_sio, policy.VIEW, ocg)
    assert not policy.can(tarian_sio, policy.CHANGE, ocg)


def test_full_transfer_moves_the_owner_and_the_old_sio_can_be_lro(cast):
    """Greater Manchester to the North West ROCU: the ROCU owns from completion; the force keeps
    sight for warrants and safeguarding; gmp.sio becomes the LRO."""
    gmp_sio, chair, nw_sio = cast("gmp.sio"), cast("nwrocu.chair"), cast("nwrocu.sio")
    ocg = make_ocg("GMP", "OFFICIAL", True)  # SENSITIVE: the ROCU has no regional reach to it
    services.appoint(actor=gmp_sio, item=ocg, role="sio", person=gmp_sio)
    assert not policy.can(chair, policy.VIEW, ocg)
    transfer = transfers.request_transfer(
        actor=gmp_sio,
        item=ocg,
        kind="transfer",
        to_organisation=organisation("NWROCU"),
        reason="Cross-region drugs supply needs regional assets",
        asked="Take ownership of THR management and the 4P plan",
    )
    assert policy.can(chair, policy.VIEW, ocg)  # sight for the request
    transfers.decide_transfer(actor=chair, transfer=transfer, decision="accept")
    hand_over(gmp_sio, chair, transfer)
    assert_one_owner(ocg)
    assert ocg.owner.code == "GMP"  # until completion the sender owns it
    transfers.complete_transfer(actor=chair, transfer=transfer, sio=nw_sio, lro=gmp_sio)
    assert_one_owner(ocg)
    assert ocg.owner.code == "NWROCU"
    assert [p.organisation.code for p in services.history(ocg)] == ["GMP", "NWROCU"]
    posts = services.current_appointments(ocg)
    assert (posts["sio"].person, posts["lro"].person) == (nw_sio, gmp_sio)
    assert policy.can(chair, policy.CHANGE, ocg)
    assert not policy.can(gmp_sio, policy.CHANGE, ocg)
    assert policy.can(gmp_sio, policy.VIEW, ocg)  # the force keeps its links


def test_de_escalation_and_adoption_use_the_same_machinery(cast):
    chair, gmp_sio, nca = cast("nwrocu.chair"), cast("gmp.sio"), cast("nca.tasking")
    gmp_chief = UserFactory(
        username="gmp.chief", organisation=organisation("GMP"), roles=["chief_officer"]
    )
    ocg = make_ocg("GMP", "OFFICIAL", False)
    up = transfers.request_transfer(
        actor=gmp_sio,
        item=ocg,
        kind="transfer",
        to_organisation=organisation("NWROCU"),
        reason="Needs regional assets now",
        asked="Full transfer",
    )
    transfers.decide_transfer(actor=chair, transfer=up, decision="accept")
    hand_over(gmp_sio, chair, up)
    transfers.complete_transfer(actor=chair, transfer=up)
    # The NCA proposes adoption; the ROCU, as owner, decides.
    adopt = transfers.request_transfer(
        actor=nca,
        item=ocg,
        kind="adoption",
        to_organisation=organisation("NCA"),
        reason="Links to a national firearms network",
        asked="Adopt as a national priority",
    )
    with pytest.raises(PermissionDenied):
        transfers.decide_transfer(actor=nca, transfer=adopt, decision="accept")
    transfers.decide_transfer(actor=chair, transfer=adopt, decision="accept")
    hand_over(chair, nca, adopt)
    transfers.complete_transfer(actor=nca, transfer=adopt)
    assert_one_owner(ocg)
    # And back down to the force.
    down = transfers.request_transfer(
        actor=nca,
        item=ocg,
        kind="deescalation",
        to_organisation=organisation("GMP"),
        reason="National links disrupted; local threat remains",
        asked="Own it again",
    )
    transfers.decide_transfer(actor=gmp_chief, transfer=down, decision="accept")
    hand_over(nca, gmp_chief, down)
    transfers.complete_transfer(actor=gmp_chief, transfer=down)
    assert_one_owner(ocg)
    assert [p.organisation.code for p in services.history(ocg)] == ["GMP", "NWROCU", "NCA", "GMP"]


def test_declined_and_withdrawn_requests_change_nothing_and_take_back_sight(cast):
    gmp_sio, chair = cast("gmp.sio"), cast("nwrocu.chair")
    ocg = make_ocg("GMP", "OFFICIAL", True)
    transfer = transfers.request_transfer(
        actor=gmp_sio,
        item=ocg,
        kind="transfer",
        to_organisation=organisation("NWROCU"),
        reason="Cross-region drugs supply",
        asked="Full transfer",
    )
    with pytest.raises(ValidationError) as no_reason:
        transfers.decide_transfer(actor=chair, transfer=transfer, decision="decline", reason="no")
    assert "reason" in no_reason.value.message_dict
    transfers.decide_transfer(
        actor=chair,
        transfer=transfer,
        decision="decline",
        reason="Local capability is adequate; keep with GMP",
    )
    transfer.refresh_from_db()
    assert transfer.status == "declined"
    assert transfer.decision_reason == "Local capability is adequate; keep with GMP"
    assert_one_owner(ocg)
    assert ocg.owner.code == "GMP"
    policy.forget(chair)
    assert not policy.can(chair, policy.VIEW, ocg)
    again = transfers.request_transfer(
        actor=gmp_sio,
        item=ocg,
        kind="transfer",
        to_organisation=organisation("NWROCU"),
        reason="Threat has grown since",
        asked="Full transfer",
    )
    transfers.withdraw_transfer(actor=gmp_sio, transfer=again, reason="Arrests made this week")
    assert TransferRequest.objects.get(pk=again.pk).status == "withdrawn"
    assert_one_owner(ocg)


def test_a_query_goes_back_and_forth_before_the_decision(cast):
    dp_sio, chair = cast("dp.sio"), cast("tarian.chair")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    transfer = transfers.request_transfer(
        actor=dp_sio,
        item=ocg,
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Firearms supply across the region",
        asked="An SIO",
    )
    transfers.decide_transfer(
        actor=chair, transfer=transfer, decision="query", reason="Is there a live job?"
    )
    with pytest.raises(ValidationError, match="already queried"):
        transfers.decide_transfer(
            actor=chair, transfer=transfer, decision="query", reason="And the SIO?"
        )
    transfers.answer_query(actor=dp_sio, transfer=transfer, text="Yes, Operation Larch")
    transfers.decide_transfer(actor=chair, transfer=transfer, decision="accept")
    assert [m.text for m in transfer.messages.all()] == [
        "Is there a live job?",
        "Yes, Operation Larch",
    ]


def test_who_may_ask_and_decide(cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    for outsider in ("gmp.sio", "bf.partner", "tarian.sio"):
        with pytest.raises(PermissionDenied):
            transfers.request_transfer(
                actor=cast(outsider),
                item=ocg,
                kind="transfer",
                to_organisation=organisation("TARIAN"),
                reason="Not theirs to move",
                asked="Full transfer",
            )
    with pytest.raises(ValidationError) as wrong_region:
        transfers.request_transfer(
            actor=cast("dp.sio"),
            item=ocg,
            kind="transfer",
            to_organisation=organisation("NWROCU"),
            reason="Wrong region's ROCU",
            asked="Full transfer",
        )
    assert "to_organisation" in wrong_region.value.message_dict
    transfer = transfers.request_transfer(
        actor=cast("dp.sio"),
        item=ocg,
        kind="transfer",
        to_organisation=organisation("TARIAN"),
        reason="Regional threat",
        asked="Full transfer",
    )
    for not_decider in ("tarian.sio", "dp.sio", "nwrocu.chair"):
        with pytest.raises(PermissionDenied):
            transfers.decide_transfer(actor=cast(not_decider), transfer=transfer, decision="accept")
    with pytest.raises(ValidationError, match="already has an open request"):
        transfers.request_transfer(
            actor=cast("dp.sio"),
            item=ocg,
            kind="support",
            to_organisation=organisation("TARIAN"),
            reason="A second at once",
            asked="An SIO",
        )


def test_two_acceptances_one_wins_the_other_is_told(cast):
    """The decision is a conditional UPDATE in the database, not a check of what was read: a
    second decider holding a stale copy still loses, with a clear message."""
    chair = cast("tarian.chair")
    other_chair = UserFactory(
        username="tarian.chief", organisation=organisation("TARIAN"), roles=["chief_officer"]
    )
    ocg = make_ocg("DYP", "OFFICIAL", False)
    transfer = transfers.request_transfer(
        actor=cast("dp.sio"),
        item=ocg,
        kind="transfer",
        to_organisation=organisation("TARIAN"),
        reason="Regional threat",
        asked="Full transfer",
    )
    stale = TransferRequest.objects.get(pk=transfer.pk)
    transfers.decide_transfer(actor=chair, transfer=transfer, decision="accept")
    with pytest.raises(ValidationError, match="already accepted"):
        transfers.decide_transfer(
            actor=other_chair, transfer=stale, decision="decline", reason="We cannot take it on"
        )
    assert TransferRequest.objects.get(pk=transfer.pk).decided_by == chair


@pytest.mark.usefixtures("committed_world")
def test_racing_acceptances_in_two_connections(cast):
    """Two people accept at the same moment, each in their own connection and transaction."""
    chair = cast("tarian.chair")
    chief = UserFactory(
        username="tarian.chief", organisation=organisation("TARIAN"), roles=["chief_officer"]
    )
    ocg = make_ocg("DYP", "OFFICIAL", False)
    transfer = transfers.request_transfer(
        actor=cast("dp.sio"),
        item=ocg,
        kind="transfer",
        to_organisation=organisation("TARIAN"),
        reason="Regional threat",
        asked="Full transfer",
    )
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def accept(person) -> None:
        try:
            barrier.wait()
            copy = TransferRequest.objects.get(pk=transfer.pk)
            transfers.decide_transfer(actor=person, transfer=copy, decision="accept")
            results[person.username] = "won"
        except ValidationError as exc:
            results[person.username] = exc.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(p,)) for p in (chair, chief)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [
        "This request is already accepted: handover in progress.",
        "won",
    ]
    assert TransferRequest.objects.get(pk=transfer.pk).status == "accepted"


def test_the_database_refuses_a_second_open_period_or_request(cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnershipPeriod.objects.create(
            ocg=ocg, organisation=organisation("TARIAN"), started_at=timezone.now()
        )


def test_appointments_need_the_right_role_and_current_vetting(cast):
    dp_sio = cast("dp.sio")
    pi = make_pi("DYP", "OFFICIAL", False)
    with pytest.raises(ValidationError, match="qualifies"):
        services.appoint(actor=dp_sio, item=pi, role="sio", person=cast("dp.lro"))
    lapsed = UserFactory(
        username="lapsed.sio",
        roles=["sio"],
        vetting_expires=timezone.localdate() - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="not current"):
        services.appoint(actor=dp_sio, item=pi, role="sio", person=lapsed)
    with pytest.raises(PermissionDenied):
        services.appoint(actor=cast("gmp.sio"), item=pi, role="sio", person=cast("gmp.sio"))
    # A partner can be the LRO, and is given sight of the record by a named share.
    partner = cast("mcc.partner")
    assert not policy.can(partner, policy.VIEW, pi)
    services.appoint(actor=dp_sio, item=pi, role="lro", person=partner)
    policy.forget(partner)
    assert policy.can(partner, policy.VIEW, pi)


def test_vacancies_are_flagged(cast, settings):
    settings.CONCORD_LRO_VACANCY_DAYS = 14
    dp_sio = cast("dp.sio")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    assert services.vacancies(ocg) == []  # mapped today: not yet a vacancy
    # Mapped 15 days ago (the clock runs from mapping, not from when the row was written).
    Ocg.objects.filter(pk=ocg.pk).update(mapped_on=timezone.localdate() - dt.timedelta(days=15))
    ocg.refresh_from_db()
    assert [v.role for v in services.vacancies(ocg)] == ["lro"]
    lro = UserFactory(username="leaving.lro", roles=["lro"])
    services.appoint(actor=dp_sio, item=ocg, role="lro", person=lro)
    assert services.vacancies(ocg) == []
    lro.is_active = False
    lro.save()
    assert [v.why for v in services.vacancies(ocg)] == [f"{lro} has left."]


def test_transfer_pages_are_for_the_two_parties_only(client, cast):
    dp_sio = cast("dp.sio")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    transfer = transfers.request_transfer(
        actor=dp_sio,
        item=ocg,
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Firearms supply across the region",
        asked="An SIO",
    )
    url = f"/transfers/{transfer.pk}/"
    for outsider in ("gmp.lro", "nwrocu.chair", "bf.partner", "wilts.analyst"):
        client.force_login(cast(outsider))
        assert client.get(url).status_code == 404
        assert ocg.reference not in client.get("/transfers/?status=all").content.decode()
    client.force_login(cast("tarian.chair"))
    page = client.get(url).content.decode()
    assert "Record the decision" in page
    response = client.post(
        url, {"action": "decide", "decide-decision": "decline", "decide-reason": "short"}
    )
    assert "govuk-error-summary" in response.content.decode()
    assert TransferRequest.objects.get(pk=transfer.pk).status == "requested"
    done = client.post(url, {"action": "decide", "decide-decision": "accept"}, follow=True)
    assert "Accepted: handover in progress" in done.content.decode()
    client.force_login(dp_sio)
    page = client.get(f"/ocgs/{ocg.reference}/").content.decode()
    assert "Accepted: handover in progress" in page  # the ownership panel on the OCG page


def test_notifications_are_listed_counted_and_marked_read(client, cast):
    dp_sio, chair = cast("dp.sio"), cast("tarian.chair")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    transfer = transfers.request_transfer(
        actor=dp_sio,
        item=ocg,
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Firearms supply across the region",
        asked="An SIO",
    )
    client.force_login(chair)
    home = client.get("/").content.decode()
    assert '1<span class="govuk-visually-hidden"> unread</span>' in home
    page = client.get("/notifications/").content.decode()
    assert f"/transfers/{transfer.pk}/" in page
    assert "New" in page
    assert Notification.objects.get(person=chair).read_at is not None
    assert "unread</span>" not in client.get("/").content.decode()
    client.force_login(cast("gmp.lro"))  # nobody else's notifications
    assert f"/transfers/{transfer.pk}/" not in client.get("/notifications/").content.decode()
