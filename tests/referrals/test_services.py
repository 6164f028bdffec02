"""Sending referrals, the automatic checks, assignment and the decisions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from concord.core.models import AuditAction, AuditEntry
from concord.intelligence.models import IntelReport
from concord.organisations.models import Notification
from concord.referrals import services
from concord.referrals.choices import Decision, ReferralStatus, Strength
from concord.referrals.models import Referral, ReferralMatch, ReferralPointer, ResponseTime
from tests.factories import persona
from tests.referrals.conftest import PHONE, row

pytestmark = pytest.mark.django_db


def test_a_referral_goes_to_the_rocu_of_the_postcode_with_its_category_priority(sender):
    referral = services.send_referral(actor=sender, row=row())
    assert referral.receiving_unit.code == "SWROCU"
    assert referral.priority == "p2"  # imitation firearm, no match
    hours = ResponseTime.objects.get(priority="p2").hours
    assert (referral.due_at - referral.received_at).total_seconds() == hours * 3600
    assert referral.people == [{"name": "Jordan Pascoe", "dob": "1999-02-03"}]
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="referrals.referral", object_id=str(referral.pk)
    ).exists()


def test_sending_the_same_reference_again_changes_nothing(sender):
    first = services.send_referral(actor=sender, row=row())
    again = services.send_referral(actor=sender, row=row(items="Something else"))
    assert again.pk == first.pk
    assert Referral.objects.count() == 1
    assert Referral.objects.get().items == ["Imitation pistol", "two magazines"]


def test_a_bad_referral_names_each_field_and_stores_nothing(sender):
    with pytest.raises(ValidationError) as caught:
        services.send_referral(
            actor=sender, row=row(found_on="2999-01-01", postcode="nowhere", category="bombs")
        )
    assert set(caught.value.message_dict) == {"found_on", "postcode", "category"}
    assert not Referral.objects.exists()


def test_a_phone_of_a_nominal_the_triager_may_not_see_is_a_pointer_only(
    sender, triager, dyfed_nominal
):
    referral = services.send_referral(actor=sender, row=row(phones=PHONE))
    match = ReferralMatch.objects.get(referral=referral)
    assert match.nominal == dyfed_nominal
    assert match.strength == Strength.STRONG
    assert "phone" in match.fields
    pointer = ReferralPointer.objects.get(referral=referral)
    assert pointer.owner.code == "DYP"
    assert pointer.hit_reference == match.hit_reference
    assert "Dyfed-Powys" in pointer.desk
    # A strong match raises the priority one step.
    assert Referral.objects.get(pk=referral.pk).priority == "p1"
    # The South West ROCU may not see a Dyfed-Powys nominal: the pointer, not the match.
    assert not ReferralMatch.objects.visible_to(triager).exists()
    assert ReferralPointer.objects.visible_to(triager).count() == 1
    # Dyfed-Powys's analyst sees neither: not the receiving unit.
    analyst = persona("dp.analyst")
    assert not ReferralPointer.objects.visible_to(analyst).exists()
    assert not Referral.objects.visible_to(analyst).exists()
    # The sender sees its referral and none of its checks.
    assert Referral.objects.visible_to(sender).count() == 1
    assert not ReferralPointer.objects.visible_to(sender).exists()
    assert not ReferralMatch.objects.visible_to(sender).exists()


def test_a_triager_who_may_see_the_nominal_sees_the_match(sender, dyfed_nominal):
    from tests.factories import UserFactory, organisation

    tarian = UserFactory(
        username="tarian.triage",
        organisation=organisation("TARIAN"),
        roles=["analyst"],
        vetting_level="SC",
    )
    referral = services.send_referral(actor=sender, row=row(postcode="SA31 1AA", phones=PHONE))
    assert referral.receiving_unit.code == "TARIAN"
    assert ReferralMatch.objects.visible_to(tarian).get().nominal == dyfed_nominal


def test_a_person_is_matched_by_name_and_date_of_birth(sender, triager, dyfed_nominal):
    dyfed_nominal.date_of_birth = __import__("datetime").date(1988, 5, 17)
    dyfed_nominal.save()
    referral = services.send_referral(actor=sender, row=row(people="Quentin Xylander 1988-05-17"))
    match = ReferralMatch.objects.get(referral=referral)
    assert {"given_name", "surname", "dob"} <= set(match.fields)


def test_recording_intelligence_carries_the_content_and_tells_the_sender(sender, triager):
    referral = services.send_referral(actor=sender, row=row(phones="01632 960123"))
    services.assign_referral(actor=triager, referral=referral, triager=triager)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ASSIGNED
    services.record_intelligence_from_referral(
        actor=triager,
        referral=referral,
        source_evaluation="1",
        intelligence_assessment="A",
        note="For the regional picture",
    )
    referral.refresh_from_db()
    assert referral.decision == Decision.INTELLIGENCE
    report = IntelReport.objects.get(pk=referral.intelligence_report_id)
    assert report.owner.code == "SWROCU"
    assert report.handling_code == "P"
    assert "Imitation pistol" in report.text
    assert "+441632960123" in report.text
    note = Notification.objects.get(person=sender, code="referral.decided")
    assert note.params["ref"] == "BF-0001"


def test_only_the_receiving_units_triage_staff_decide(sender, triager):
    referral = services.send_referral(actor=sender, row=row())
    for outsider in (sender, persona("dp.analyst"), persona("tarian.sio")):
        with pytest.raises(PermissionDenied):
            services.close_referral(actor=outsider, referral=referral, note="Not mine to close")
    with pytest.raises(ValidationError):
        services.assign_referral(actor=triager, referral=referral, triager=sender)
    services.close_referral(actor=triager, referral=referral, note="No lines of enquiry left")
    with pytest.raises(ValidationError):
        services.close_referral(actor=triager, referral=referral, note="Closed twice, refused")


def test_linking_needs_a_group_the_triager_may_see(sender, triager):
    from tests.access.registry import make_ocg

    ocg = make_ocg("DYP", "OFFICIAL", False)
    referral = services.send_referral(actor=sender, row=row())
    with pytest.raises(ValidationError) as caught:
        services.link_referral(
            actor=triager, referral=referral, reference=ocg.reference, note="Same buyer again"
        )
    assert "reference" in caught.value.message_dict
    assert Referral.objects.get(pk=referral.pk).ocg is None


def test_an_investigation_can_ask_a_force_by_tasking(sender, triager):
    from tests.factories import organisation

    referral = services.send_referral(actor=sender, row=row())
    services.open_investigation(
        actor=triager,
        referral=referral,
        note="Buyer linked to supply in Devon",
        task_to=organisation("DCP"),
    )
    referral.refresh_from_db()
    assert referral.decision == Decision.INVESTIGATION
    assert referral.tasking_request.to_organisation.code == "DCP"
