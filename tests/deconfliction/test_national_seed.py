"""The national world's deconfliction (seed_national): every active OCG with a plan is its
owner's operation with its members and their identifiers as subjects, a month of the nation's
deployments is planned, and the hits recorded are the ones the online check finds."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.management import call_command

from concord.core.seeding import SCALES, DemoWorld
from concord.deconfliction import checking, encoding, seed_national
from concord.deconfliction.choices import OperationKind, Side, SubjectKind
from concord.deconfliction.models import (
    Deployment,
    FederatedToken,
    Hit,
    Operation,
    Subject,
    SubjectKey,
)
from concord.plans.models import Plan
from concord.threats.choices import OcgStatus
from concord.threats.models import OcgMember

pytestmark = pytest.mark.django_db


def test_the_national_world_registers_the_register_and_finds_what_the_check_finds(
    settings, monkeypatch
):
    settings.DEMO_MODE = True
    settings.DECONFLICTION_SECRET = "national-seed-test-federation-secret"
    call_command("seed_demo", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    monkeypatch.setattr(seed_national, "DEPLOYMENTS_A_YEAR", 1200)
    before = set(Operation.objects.values_list("pk", flat=True))
    # The demo's volumes, under the national name the step waits for.
    world = DemoWorld(scale=dataclasses.replace(SCALES["demo"], name="national"), seed=7)
    world.progress = False
    seed_national.seed(world)

    made = Operation.objects.exclude(pk__in=before).select_related("ocg")
    plans = Plan.objects.filter(ocg__isnull=False, ocg__status=OcgStatus.ACTIVE)
    assert made.count() == plans.count() > 0
    for operation in made:
        assert operation.kind == OperationKind.PLAN
        assert operation.owner_id == operation.ocg.owner_id
        assert operation.plan.ocg_id == operation.ocg_id
    people = Subject.objects.filter(operation__in=made, kind=SubjectKind.PERSON)
    members = OcgMember.objects.filter(ocg__in=[o.ocg_id for o in made], ended_on__isnull=True)
    assert people.count() == members.count() > 0
    assert Subject.objects.filter(operation__in=made).exclude(kind=SubjectKind.PERSON).exists()
    for subject in Subject.objects.filter(operation__in=made)[:200]:
        stored = set(SubjectKey.objects.filter(subject=subject).values_list("key", flat=True))
        assert stored == checking.keys_of(subject)
        hashed = dict(FederatedToken.objects.filter(subject=subject).values_list("token", "kind"))
        assert hashed == encoding.encode(subject)
    assert Deployment.objects.filter(operation__in=made).count() == 1200 // 12

    hits = Hit.objects.filter(sides__operation__in=made).distinct()
    assert hits.exists()
    for hit in hits.prefetch_related("sides__subject"):
        sides = {side.side: side for side in hit.sides.all()}
        mine, theirs = sides[Side.A].subject, sides[Side.B].subject
        assert hit.a_organisation_id != hit.b_organisation_id
        assert hit.a_organisation_id == mine.operation.owner_id
        # What the online check of the later registration finds.
        found = checking.matches(mine, checking.keys_of(mine))
        assert theirs.pk in {f.subject.pk for f in found}, hit.reference
