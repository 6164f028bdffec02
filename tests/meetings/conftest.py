"""The meetings' cast: Tarian's regional group (chaired by tarian.chair, with Border Force as
a member organisation), the NCA's national group, and register items banded as a test needs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from concord.meetings import services
from concord.meetings.choices import ForumKind, ForumLevel
from concord.meetings.models import Forum, Meeting
from concord.scoring.models import Assessment, published_model
from tests.factories import organisation


@pytest.fixture
def tarian_forum(cast) -> Forum:
    chair = cast("tarian.chair")
    forum = Forum.objects.create(
        organisation=organisation("TARIAN"),
        name="Regional tasking and coordination group",
        name_cy="Grŵp tasgio a chydlynu rhanbarthol",
        level=ForumLevel.REGION,
        kind=ForumKind.TACTICAL,
        chair=chair,
    )
    forum.members.set([chair, cast("tarian.sio")])
    forum.member_organisations.set([organisation("BF")])
    return forum


@pytest.fixture
def meeting(tarian_forum) -> Meeting:
    return services.schedule(
        actor=tarian_forum.chair,
        forum=tarian_forum,
        starts_at=timezone.now() + dt.timedelta(days=3),
        location="Bridgend",
    )


@pytest.fixture
def national_meeting(cast) -> Meeting:
    chair = cast("nca.tasking")
    forum = Forum.objects.create(
        organisation=organisation("NCA"),
        name="National tasking and coordination group",
        name_cy="Grŵp tasgio a chydlynu cenedlaethol",
        level=ForumLevel.NATIONAL,
        kind=ForumKind.STRATEGIC,
        chair=chair,
    )
    forum.members.set([chair])
    return services.schedule(
        actor=chair, forum=forum, starts_at=timezone.now() + dt.timedelta(days=5)
    )


def band(item, value: str, score: str = "40", *, due_in_days: int = 60, history=()):
    """Give a register item a current band (and assessments behind it, oldest first, for a
    trend), as the scoring services keep it on the item."""
    model = published_model()
    assessor = item.created_by
    now = timezone.now()
    scores = [*history, score]
    for n, each in enumerate(scores):
        Assessment.objects.create(
            ocg=item,
            model=model,
            assessor=assessor,
            assessed_at=now - dt.timedelta(days=30 * (len(scores) - 1 - n)),
            risk_score=Decimal(each),
            position_score=Decimal("1"),
            band=value,
        )
    type(item).objects.filter(pk=item.pk).update(
        band=value,
        band_rank=int(value[0]) * 10 + "ABC".index(value[1]),
        risk_score=Decimal(score),
        assessed_on=timezone.localdate(),
        review_due_on=timezone.localdate() + dt.timedelta(days=due_in_days),
    )
    item.refresh_from_db()
    return item
