"""Mentoring of new LROs: the lead pairs them, the mentor reads the mentee's plans (and nothing
else) and comments, the mentee sees the comments, and ending the pairing ends the mentor's sight.
The leak test compares everything the policy lets the mentor see before, during and after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from concord.core.choices import ShareCause
from concord.core.models import AuditEntry, Share
from concord.core.restriction import is_protected
from concord.organisations.models import Notification
from concord.ownership import services as ownership
from concord.plans import mentoring, services
from concord.plans.models import MentorComment, Objective, Plan
from tests.access.reading import text_of
from tests.access.registry import make_ocg
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db

SOON = timezone.localdate() + dt.timedelta(days=14)


def _person(username, code, roles, vetting="NPPV3"):
    return UserFactory(
        username=username, organisation=organisation(code), roles=roles, vetting_level=vetting
    )


@pytest.fixture
def world(cast):
    """Dyfed-Powys: its SOC lead, a new LRO with one plan, another LRO with another plan; a
    South Wales LRO (same region, another force) to mentor."""
    lead = _person("dp.lead", "DYP", ["chief_officer"], "SC")
    mentee = _person("dp.new", "DYP", ["lro"])
    other = _person("dp.other", "DYP", ["lro"])
    mentor = _person("swp.lro", "SWP", ["lro"])
    mine, theirs = make_ocg("DYP", "OFFICIAL", False), make_ocg("DYP", "OFFICIAL", False)
    ownership.appoint(actor=lead, item=mine, role="lro", person=mentee)
    ownership.appoint(actor=lead, item=theirs, role="lro", person=other)
    services.add_objective(actor=mentee, item=mine, strand="pursue", text="Charge the principals")
    services.add_objective(actor=other, item=theirs, strand="pursue", text="Seize the firearms")
    return {
        "lead": lead,
        "mentee": mentee,
        "other": other,
        "mentor": mentor,
        "mine": mine,
        "theirs": theirs,
    }


def seen_by(user):
    """Every protected record and every row that shows one, as the policy lets `user` see."""
    found = {}
    for model in apps.get_models():
        if is_protected(model) or hasattr(model.objects, "visible_to"):
            if not hasattr(model.objects, "visible_to"):
                continue
            found[model._meta.label_lower] = set(
                model.objects.visible_to(user).values_list("pk", flat=True)
            )
    return found


def test_the_mentor_sees_the_mentees_plans_and_nothing_else_and_nothing_after(world, signed_in):
    mentor, mentee, lead = world["mentor"], world["mentee"], world["lead"]
    mine, theirs = world["mine"], world["theirs"]
    before = seen_by(mentor)
    client = signed_in(mentor)
    assert client.get(f"/plans/ocg/{mine.reference}/").status_code == 404

    pairing = mentoring.start_pairing(actor=lead, mentor=mentor, mentee=mentee)

    during = seen_by(mentor)
    gained = {label: during[label] - before[label] for label in during}
    plan = Plan.objects.get(ocg=mine)
    expected = {
        "threats.ocg": {mine.pk},
        "plans.plan": {plan.pk},
        "plans.objective": set(plan.objectives.values_list("pk", flat=True)),
    }
    for label, ids in gained.items():
        if label in expected:
            assert ids == expected[label], label
        elif label not in {
            "threats.ocgmember",
            "ownership.appointment",
            "ownership.ownershipperiod",
            "scoring.assessment",
            "scoring.assessmentvalue",
            "organisations.notification",
        }:
            assert ids == set(), label
    # Whatever else was gained hangs off the mentee's item alone.
    for label in ("ownership.appointment", "ownership.ownershipperiod", "threats.ocgmember"):
        model = apps.get_model(label)
        assert set(
            model._base_manager.filter(pk__in=gained[label]).values_list("ocg_id", flat=True)
        ) <= {mine.pk}, label
    assert client.get(f"/plans/ocg/{mine.reference}/").status_code == 200
    assert client.get(f"/plans/ocg/{theirs.reference}/").status_code == 404
    assert client.get(f"/api/v1/plans/ocg/{theirs.reference}").status_code == 404
    listing = text_of(client.get("/ocgs/?export=csv"))
    assert mine.reference in listing
    assert theirs.reference not in listing

    mentoring.end_pairing(actor=lead, pairing=pairing)
    after = seen_by(mentor)
    # The mentor's own messages (started, ended: about no record) aside, all is as before.
    after.pop("organisations.notification")
    before.pop("organisations.notification")
    assert after == before
    assert client.get(f"/plans/ocg/{mine.reference}/").status_code == 404
    assert not Share.objects.filter(
        cause=ShareCause.MENTORING, cause_id=pairing.pk, revoked_at__isnull=True
    ).exists()


def test_the_mentor_reads_but_cannot_change_the_plan(world, signed_in):
    mentor, mentee, lead, mine = world["mentor"], world["mentee"], world["lead"], world["mine"]
    mentoring.start_pairing(actor=lead, mentor=mentor, mentee=mentee)
    assert not services.may_change_plan(mentor, mine)
    with pytest.raises(PermissionDenied):
        services.add_objective(actor=mentor, item=mine, strand="prevent", text="Not theirs to add")
    response = signed_in(mentor).post(
        f"/plans/ocg/{mine.reference}/",
        {"step": "objective", "objective-strand": "prevent", "objective-text": "Sneaked in"},
    )
    assert response.status_code == 404
    assert not Objective.objects.filter(text="Sneaked in").exists()
    # Nor claim a disruption on it: that is the mentee's (or the SIO's) to claim.
    with pytest.raises(PermissionDenied):
        services.claim_disruption(
            actor=mentor,
            item=mine,
            strand="pursue",
            impact="minor",
            occurred_on=timezone.localdate(),
            narrative="Claimed by the mentor, who only reads",
            outcomes={},
        )
    assert "Claim a disruption" not in (
        signed_in(mentor).get(f"/plans/ocg/{mine.reference}/").content.decode()
    )


def test_a_mentor_of_the_same_force_cannot_change_the_mentees_plan(world):
    """Dyfed-Powys staff may change Dyfed-Powys plans, but not as the mentee's mentor."""
    other, mentee, lead, mine = world["other"], world["mentee"], world["lead"], world["mine"]
    assert services.may_change_plan(other, mine)
    mentoring.start_pairing(actor=lead, mentor=other, mentee=mentee)
    assert not services.may_change_plan(other, mine)
    assert services.may_change_plan(mentee, mine)


def test_comments_are_for_the_mentee_mentor_and_lead_only(world, signed_in):
    mentor, mentee, lead, other = world["mentor"], world["mentee"], world["lead"], world["other"]
    pairing = mentoring.start_pairing(actor=lead, mentor=mentor, mentee=mentee)
    plan = Plan.objects.get(ocg=world["mine"])
    response = signed_in(mentor).post(
        f"/plans/ocg/{world['mine'].reference}/",
        {"step": "comment", "text": "Add a Prevent objective with the youth service"},
    )
    assert response.status_code == 302
    comment = MentorComment.objects.get()
    assert comment.author == mentor
    assert comment.plan == plan
    assert Notification.objects.filter(person=mentee, code="mentoring.comment").exists()
    assert AuditEntry.objects.filter(object_type="plans.mentorcomment").exists()
    page = signed_in(mentee).get(f"/plans/ocg/{world['mine'].reference}/").content.decode()
    assert "youth service" in page
    # Another Dyfed-Powys LRO reads the plan, not the comment.
    assert MentorComment.objects.visible_to(other).count() == 0
    assert "youth service" not in (
        signed_in(other).get(f"/plans/ocg/{world['mine'].reference}/").content.decode()
    )
    assert MentorComment.objects.visible_to(lead).count() == 1
    # Nobody else may comment, and not once it has ended.
    with pytest.raises(PermissionDenied):
        mentoring.add_comment(actor=other, pairing=pairing, plan=plan, text="Me too")
    mentoring.end_pairing(actor=lead, pairing=pairing)
    assert MentorComment.objects.visible_to(mentor).count() == 0
    assert MentorComment.objects.visible_to(mentee).count() == 1
    with pytest.raises(PermissionDenied):
        mentoring.add_comment(actor=mentor, pairing=pairing, plan=plan, text="One more")


def test_a_plan_taken_on_during_the_pairing_is_shared_and_unshared(world):
    mentor, mentee, lead = world["mentor"], world["mentee"], world["lead"]
    pairing = mentoring.start_pairing(actor=lead, mentor=mentor, mentee=mentee)
    later = make_ocg("DYP", "OFFICIAL", False)
    assert not Plan.objects.visible_to(mentor).filter(ocg=later).exists()
    ownership.appoint(actor=lead, item=later, role="lro", person=mentee)
    from concord.threats.models import Ocg

    assert Ocg.objects.visible_to(mentor).filter(pk=later.pk).exists()
    ownership.appoint(actor=lead, item=later, role="lro", person=world["other"])
    assert not Ocg.objects.visible_to(mentor).filter(pk=later.pk).exists()
    assert Ocg.objects.visible_to(mentor).filter(pk=world["mine"].pk).exists()
    assert pairing.is_open


def test_only_the_lead_pairs_and_the_rules_hold(world):
    mentor, mentee, lead, other = world["mentor"], world["mentee"], world["lead"], world["other"]
    with pytest.raises(PermissionDenied):
        mentoring.start_pairing(actor=other, mentor=mentor, mentee=mentee)
    with pytest.raises(PermissionDenied):
        mentoring.start_pairing(
            actor=_person("gmp.boss", "GMP", ["chief_officer"]), mentor=mentor, mentee=mentee
        )
    with pytest.raises(ValidationError) as error:
        mentoring.start_pairing(actor=lead, mentor=mentee, mentee=mentee)
    assert "mentor" in error.value.message_dict
    far = _person("gmp.far", "GMP", ["lro"])
    with pytest.raises(ValidationError) as error:
        mentoring.start_pairing(actor=lead, mentor=far, mentee=mentee)
    assert "mentor" in error.value.message_dict
    pairing = mentoring.start_pairing(actor=lead, mentor=mentor, mentee=mentee)
    with pytest.raises(ValidationError) as error:
        mentoring.start_pairing(actor=lead, mentor=other, mentee=mentee)
    assert "mentee" in error.value.message_dict
    assert Notification.objects.filter(person=mentor, code="mentoring.started").exists()
    assert AuditEntry.objects.filter(object_type="plans.pairing", action="create").exists()
    with pytest.raises(PermissionDenied):
        mentoring.end_pairing(actor=mentor, pairing=pairing)
    mentoring.end_pairing(actor=lead, pairing=pairing)
    with pytest.raises(ValidationError):
        mentoring.end_pairing(actor=lead, pairing=pairing)
    assert Notification.objects.filter(person=mentee, code="mentoring.ended").exists()


def test_the_mentoring_page_starts_ends_and_shows_progress(
    world, signed_in, django_assert_max_num_queries
):
    mentor, mentee, lead = world["mentor"], world["mentee"], world["lead"]
    client = signed_in(lead)
    response = client.post(
        "/plans/mentoring/", {"pairing-mentee": mentee.pk, "pairing-mentor": mentor.pk}
    )
    assert response.status_code == 302
    pairing = mentoring.open_pairing_of(mentee)
    assert pairing is not None
    assert pairing.mentor == mentor
    for who in (mentor, mentee, lead):
        page = signed_in(who).get("/plans/mentoring/").content.decode()
        assert world["mine"].reference in page, who
        assert world["theirs"].reference not in page, who
    # Someone outside the pairing sees none of it, and cannot end it.
    outsider = signed_in(world["other"])
    assert "dp.new" not in text_of(outsider.get("/plans/mentoring/?export=csv"))
    assert outsider.post("/plans/mentoring/", {"end": pairing.pk}).status_code == 404
    # A fixed number of queries whatever the number of pairings.
    for n in range(4):
        extra_mentee = _person(f"dp.new{n}", "DYP", ["lro"])
        mentoring.start_pairing(actor=lead, mentor=world["other"], mentee=extra_mentee)
        extra = make_ocg("DYP", "OFFICIAL", False)
        ownership.appoint(actor=lead, item=extra, role="lro", person=extra_mentee)
        services.add_objective(actor=extra_mentee, item=extra, strand="prevent", text="Divert")
    client = signed_in(lead)
    with django_assert_max_num_queries(20):
        assert client.get("/plans/mentoring/").status_code == 200
    assert client.post("/plans/mentoring/", {"end": pairing.pk}).status_code == 302
    pairing.refresh_from_db()
    assert not pairing.is_open
