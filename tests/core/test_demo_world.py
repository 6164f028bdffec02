"""The demo world tells the seeds' story (issue 12, defects 4, 9 and 14): personas are what the
README says they are, places fit each force area, no group shares a name with another of its
force, partners act only where they work, the top of the picture has a full 4P plan, every
ownership history starts at mapping, and each persona has something waiting."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from concord.core.models import Share
from concord.intelligence.models import ConditionsAccepted, IntelReport
from concord.monitoring.models import Alert
from concord.monitoring.scope import alerts_for
from concord.organisations.models import Organisation, Secondment, User
from concord.organisations.seed import PERSONAS
from concord.ownership import services as ownership
from concord.ownership.models import OwnershipPeriod, TaskingRequest, TransferRequest
from concord.plans.choices import ActionStatus
from concord.plans.models import Action, Objective, Plan, PlanReview
from concord.plans.seed import PARTNER_FORCES
from concord.scoring.models import AssessmentValue
from concord.threats import demo_places
from concord.threats.models import Ocg, PriorityIndividual, Vulnerability

pytestmark = pytest.mark.django_db

# Forces whose towns the table knows, and every town named in it, by force.
TOWN_OF = {town: code for code, towns in demo_places.TOWNS.items() for town in towns}


@pytest.fixture
def world(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())


def towns_named(text: str) -> set[str]:
    return {town for town in TOWN_OF if re.search(rf"\b{re.escape(town)}\b", text)}


def test_personas_are_what_the_readme_says(world):
    for username, first, last, code, roles, vetting, _title, team in PERSONAS:
        person = User.objects.get(username=username)
        assert (person.first_name, person.last_name) == (first, last)
        assert person.organisation.code == code
        assert person.acting_organisation().code == code, username
        assert sorted(person.role_codes) == sorted(roles), username
        assert person.vetting_level == vetting
        assert person.vetting_is_current()
        assert list(person.teams.values_list("name", flat=True)) == ([team] if team else [])
    assert not Secondment.objects.filter(person__username__in=[p[0] for p in PERSONAS]).exists()
    # The demo password's hash is not hashed again at a first sign-in (its salt is long
    # enough), so two first sign-ins of one persona at once cannot sign one of them out.
    from django.contrib.auth.hashers import check_password, identify_hasher

    stored = User.objects.get(username="dp.analyst").password
    assert check_password("concord-demo", stored)
    assert not identify_hasher(stored).must_update(stored)
    # Secondments are still part of the world, for the synthetic staff.
    assert Secondment.objects.exists()
    # dp.lro is not asked for a reason on her own group, and may change it.
    from concord.core import policy

    tarmac = Ocg.objects.get(reference="OCG-DYP-000001")
    lro = User.objects.get(username="dp.lro")
    assert policy.can(lro, policy.CHANGE, tarmac)


def test_places_names_and_texts_fit_each_force_area(world):
    ocgs = list(Ocg.objects.select_related("owner"))
    for ocg in ocgs:
        named = towns_named(ocg.summary)
        assert named, f"{ocg.reference}: {ocg.summary}"
        if ocg.owner.code in demo_places.TOWNS:
            assert {TOWN_OF[t] for t in named} <= {ocg.owner.code, "SWP", "WIL"}, ocg.summary
    names = Ocg.objects.values("owner", "name").annotate(n=Count("id")).filter(n__gt=1)
    assert not names.exists(), list(names)
    for vulnerability in Vulnerability.objects.select_related("owner"):
        assert towns_named(vulnerability.name + vulnerability.summary) <= set(
            demo_places.towns_of(vulnerability.owner.code)
        )
    # Dyfed-Powys's own intelligence is about Dyfed-Powys (and the Tarmac line's Swindon end).
    dyp = IntelReport.objects.filter(owner__code="DYP", origin__isnull=True)
    for report in dyp:
        assert {TOWN_OF[t] for t in towns_named(f"{report.place} {report.text}")} <= {
            "DYP",
            "WIL",
            "SWP",
        }, report.text
    assert not dyp.filter(text__icontains="Croydon").exists()
    texts = [
        *(o.summary for o in ocgs),
        *PriorityIndividual.objects.values_list("summary", flat=True),
        *Vulnerability.objects.values_list("summary", flat=True),
        *Plan.objects.values_list("aim", flat=True),
        *Objective.objects.values_list("text", flat=True),
        *Action.objects.values_list("description", flat=True),
        *AssessmentValue.objects.values_list("rationale", flat=True)[:2000],
        *IntelReport.objects.values_list("text", flat=True)[:2000],
    ]
    assert all(t and "lorem" not in t.lower() and "ipsum" not in t.lower() for t in texts)


def test_partners_act_only_where_they_work_and_the_top_group_has_a_full_plan(world):
    for action in Action.objects.filter(owner_organisation__isnull=False).select_related(
        "owner_organisation", "objective__plan__ocg__owner"
    ):
        partner, ocg = action.owner_organisation, action.objective.plan.ocg
        areas = set(ocg.force_areas.values_list("code", flat=True)) | {ocg.owner.code}
        if partner.code in PARTNER_FORCES:
            assert areas & PARTNER_FORCES[partner.code], (partner.code, ocg.reference)
        elif partner.region_id is not None:
            assert partner.region_id == ocg.owner.region_id, (partner.code, ocg.reference)
        assert action.objective.strand != "pursue"

    top = Ocg.objects.filter(band_rank__isnull=False).order_by("band_rank", "-risk_score").first()
    for ocg in {top, Ocg.objects.get(reference="OCG-DYP-000001")}:
        plan = Plan.objects.get(ocg=ocg)
        assert plan.aim
        objectives = list(plan.objectives.prefetch_related("actions"))
        assert {o.strand for o in objectives} == {"pursue", "prevent", "protect", "prepare"}
        for objective in objectives:
            actions = list(objective.actions.all())
            assert actions, objective.strand
            for action in actions:
                assert action.owner_person_id or action.owner_organisation_id
                assert action.due_on
        assert PlanReview.objects.filter(plan=plan).exists()


def test_ownership_starts_at_mapping_and_the_old_group_without_an_lro_is_a_vacancy(world):
    ystwyth = Ocg.objects.get(reference="OCG-DYP-000004")
    assert (timezone.localdate() - ystwyth.mapped_on).days == 240
    for period in OwnershipPeriod.objects.filter(ended_at__isnull=True).select_related(
        "ocg", "priority_individual"
    )[:500]:
        item = period.ocg or period.priority_individual
        assert timezone.localtime(period.started_at).date() == ownership.on_register_since(item)
    assert [v.role for v in ownership.vacancies(ystwyth)] == ["lro"]


def test_each_persona_has_something_waiting(world):
    today = timezone.localdate()
    soon = today + dt.timedelta(days=14)
    people = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in PERSONAS])}
    # tarian.chair: Dyfed-Powys's escalation for SIO support on Operation Gwenllian.
    support = TransferRequest.objects.get(
        ocg__reference="OCG-DYP-000002", kind="support", status="requested"
    )
    assert support.to_organisation.code == "TARIAN"
    # nwrocu.chair: GMP's full transfer of the Irwell Valley network, a tasking request and a
    # release to approve.
    assert TransferRequest.objects.filter(
        ocg__reference="OCG-GMP-000001", kind="transfer", status="requested"
    ).exists()
    assert TaskingRequest.objects.filter(to_organisation__code="NWROCU", status="requested")
    assert IntelReport.objects.get(reference="INT-NWROCU-000001").status == "awaiting"
    # tarian.chair has the NCA's tasking; Dyfed-Powys an overdue one from Tarian.
    assert TaskingRequest.objects.filter(to_organisation__code="TARIAN", status="requested")
    assert TaskingRequest.objects.filter(to_organisation__code="DYP", respond_by__lt=today)
    # bf.partner and mcc.partner: open actions falling due.
    for code in ("BF", "MCC"):
        assert Action.objects.filter(
            owner_organisation__code=code,
            status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
            due_on__gte=today,
            due_on__lte=soon,
        ).exists(), code
    # dp.analyst: a C-coded report released and ready to share; re-assessments overdue.
    firearm = IntelReport.objects.get(reference="INT-DYP-000002")
    assert (firearm.status, firearm.handling_code) == ("released", "C")
    assert not Share.objects.filter(object_id=firearm.pk, content_type__model="intelreport")
    assert (
        Ocg.objects.visible_to(people["dp.analyst"])
        .filter(owner__code="DYP", review_due_on__lt=today)
        .exists()
    )
    # tarian.sio: a C-coded report shared with Tarian, conditions not yet accepted.
    btp = IntelReport.objects.visible_to(people["tarian.sio"]).get(reference="INT-BTP-000041")
    assert btp.handling_code == "C"
    assert not ConditionsAccepted.objects.filter(report=btp).exists()
    # psd.auditor: an open alert, with the audit entry behind it.
    alert = alerts_for(people["psd.auditor"]).get(status="open")
    assert alert.person.username == "gmp.sio"
    assert alert.evidence
    assert Alert.objects.count() == 1
    # wilts.analyst: Operation Tarmac shared with Wiltshire.
    assert (
        Ocg.objects.visible_to(people["wilts.analyst"]).filter(reference="OCG-DYP-000001").exists()
    )
    assert Organisation.objects.filter(code="MCC").exists()
    # swrocu.triage: Border Force's parcel referrals, one an imitation firearm addressed to a
    # Dyfed-Powys nominal's phone, shown to the South West ROCU only as a pointer.
    from concord.referrals.models import Referral, ReferralMatch, ReferralPointer

    firearm = Referral.objects.visible_to(people["swrocu.triage"]).get(
        sender_reference__endswith="DEMO1", status="received"
    )
    assert ReferralPointer.objects.visible_to(people["swrocu.triage"]).filter(
        referral=firearm, owner__code="DYP"
    )
    assert not ReferralMatch.objects.visible_to(people["swrocu.triage"]).filter(referral=firearm)


def test_the_same_seed_gives_the_same_story(settings):
    settings.DEMO_MODE = True

    def story():
        return (
            sorted(Ocg.objects.values_list("reference", "name", "summary", "mapped_on")),
            sorted(IntelReport.objects.values_list("reference", "title", "place")),
            sorted(
                Action.objects.values_list("description", "due_on", "owner_organisation__code"),
                key=str,
            ),
        )

    call_command("seed_demo", "--no-progress", "--seed", "5", stdout=io.StringIO())
    first = story()
    call_command("seed_demo", "--no-progress", "--seed", "5", "--reset", stdout=io.StringIO())
    assert story() == first
