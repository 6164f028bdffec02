"""The demo world's capability and funding: every ROCU's units and posts, grants ending on
31 March of different years, and Tarian's technical surveillance gap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from concord.capabilities import capacity
from concord.capabilities.choices import FundingKind, PostStatus
from concord.capabilities.models import FundingStream, Post, PostFunding, Unit
from concord.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", "--scale", "demo", "--no-progress", stdout=None)


def test_every_rocu_has_its_specialist_units_and_posts(seeded):
    for rocu in Organisation.objects.filter(kind="rocu"):
        units = Unit.objects.filter(organisation=rocu)
        assert units.count() >= 15, rocu.code
        assert Post.objects.filter(unit__organisation=rocu).count() >= 60, rocu.code


def test_grants_end_on_31_march_of_different_years(seeded):
    ends = set(
        FundingStream.objects.filter(kind=FundingKind.HOME_OFFICE_GRANT).values_list(
            "ends", flat=True
        )
    )
    assert len(ends) >= 3
    assert all((d.month, d.day) == (3, 31) for d in ends)


def test_no_post_is_funded_beyond_100_percent(seeded):
    totals = PostFunding.objects.values("post").annotate(total=Sum("share"), n=Count("id"))
    assert totals
    assert all(row["total"] <= Decimal("1") for row in totals)
    assert not Post.objects.filter(funding__isnull=True).exists()


def test_tarian_lacks_technical_surveillance_that_the_south_west_has(seeded):
    today = dt.date.today()
    tarian = Post.objects.filter(
        unit__organisation__code="TARIAN", unit__capability__code="technical-surveillance"
    )
    assert tarian.exists()
    assert not tarian.filter(status=PostStatus.FILLED).exists()
    south_west = capacity.pools(
        capacity.posts_for(
            Post.objects.filter(
                unit__organisation__code="SWROCU",
                unit__capability__code="technical-surveillance",
            )
        ),
        today,
    )
    assert south_west[0].capacity == 2


def test_the_dyfed_powys_escalation_names_technical_surveillance(seeded):
    from concord.capabilities.models import Demand

    need = Demand.objects.select_related("transfer", "capability").get()
    assert need.capability.code == "technical-surveillance"
    assert need.transfer.kind == "support"
    assert need.transfer.to_organisation.code == "TARIAN"
