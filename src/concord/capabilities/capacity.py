"""Capacity over time, as it follows from the posts: what each organisation can bring of each
capability on a day, in the capability's unit, and what is lost when a funding stream ends.

A post brings its contracted hours times its FTE, less training and leave, while it exists and is
filled. A capability counted in hours sums those hours; one counted in teams or deployments
turns the available full-time officers into whole units (`Capability.fte_per_unit`, a team's
size by default): half a team cannot deploy.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db.models import Q, QuerySet

from concord.capabilities.choices import CapacityUnit, PostStatus
from concord.capabilities.models import ONE, ZERO, Capability, FundingStream, Post, PostFunding

HOURS_A_WEEK = Decimal("37")  # a full-time officer's hours, for turning hours into officers


def _kept(post: Post) -> Decimal:
    return max(ONE - (post.training_pct + post.leave_pct) / Decimal("100"), ZERO)


def officers(post: Post, on: dt.date) -> Decimal:
    """Full-time officers the post brings on a day, after abstraction."""
    if post.status != PostStatus.FILLED or not post.in_post(on):
        return ZERO
    return post.fte * (post.hours / HOURS_A_WEEK) * _kept(post)


def in_units(capability: Capability, hours: Decimal, fte: Decimal) -> Decimal:
    """Capacity in the capability's own unit, from available hours and officers."""
    if capability.unit == CapacityUnit.HOURS:
        return hours.quantize(Decimal("0.1"))
    per_unit = capability.fte_per_unit or Decimal(capability.team_size or 1)
    return (fte / per_unit).to_integral_value(rounding=ROUND_FLOOR)


@dataclass
class Pool:
    """What one organisation can bring of one capability on a day."""

    organisation_id: int
    organisation_code: str
    region_id: int | None
    capability: Capability
    hours: Decimal = ZERO
    officers: Decimal = ZERO
    posts: int = 0
    filled: int = 0
    fixed_term: int = 0
    vetting: set[str] = field(default_factory=set)

    @property
    def capacity(self) -> Decimal:
        return in_units(self.capability, self.hours, self.officers)


def posts_for(viewer_posts: QuerySet[Post]) -> QuerySet[Post]:
    """The posts with what capacity needs, in one query."""
    return viewer_posts.select_related(
        "unit__organisation", "unit__capability__catalogue"
    ).order_by("unit__organisation__code", "unit__capability__code", "reference")


def pools(posts: Iterable[Post], on: dt.date) -> list[Pool]:
    """Capacity on a day by organisation and capability, from these posts."""
    found: dict[tuple[int, int], Pool] = {}
    for post in posts:
        unit = post.unit
        key = (unit.organisation_id, unit.capability_id)
        pool = found.get(key)
        if pool is None:
            pool = found[key] = Pool(
                organisation_id=unit.organisation_id,
                organisation_code=unit.organisation.code,
                region_id=unit.organisation.region_id,
                capability=unit.capability,
            )
        if not post.in_post(on):
            continue
        pool.posts += 1
        pool.fixed_term += post.fixed_term
        if post.status == PostStatus.FILLED:
            pool.filled += 1
            pool.hours += post.available_hours(on)
            pool.officers += officers(post, on)
            pool.vetting.add(post.vetting)
    return sorted(found.values(), key=lambda p: (p.organisation_code, p.capability.code))


def timeline(posts: Iterable[Post], days: Iterable[dt.date]) -> dict[dt.date, list[Pool]]:
    """Capacity on each of several days (the business plan's years, a scenario's weeks)."""
    kept = list(posts)
    return {day: pools(kept, day) for day in days}


@dataclass(frozen=True)
class Loss:
    """What a funding stream's end takes from one post."""

    post: Post
    share: Decimal
    officers: Decimal
    hours: Decimal
    whole: bool  # the stream paid all of the post: the post goes


@dataclass
class StreamEnd:
    """What is lost when a stream ends: the posts it pays for, the capacity they bring, by
    capability, from the day after it ends."""

    stream: FundingStream
    from_day: dt.date
    losses: list[Loss] = field(default_factory=list)
    by_capability: dict[str, Decimal] = field(default_factory=dict)

    @property
    def posts_lost(self) -> int:
        return sum(1 for loss in self.losses if loss.whole)


def stream_end(stream: FundingStream, ends: dt.date | None = None) -> StreamEnd:
    """What ending `stream` on `ends` (or on its recorded end) takes away: each post it pays
    that is in place on its last day or starts later, by its share (a post paid wholly by it
    goes; one paid in part loses that part), and the capacity lost per capability, from the
    day after. A fixed-term post that ends with the grant is lost with it: that is what
    fixed-term funding means."""
    last = ends or stream.ends
    if last is None:
        raise ValueError("the stream has no end date")
    day = last + dt.timedelta(days=1)
    result = StreamEnd(stream=stream, from_day=day)
    lost_hours: dict[str, Decimal] = defaultdict(lambda: ZERO)
    lost_officers: dict[str, Decimal] = defaultdict(lambda: ZERO)
    capabilities: dict[str, Capability] = {}
    shares = (
        PostFunding.objects.filter(stream=stream)
        .filter(Q(post__ends__isnull=True) | Q(post__ends__gte=last))
        .select_related("post__unit__capability", "post__unit__organisation")
        .order_by("post__reference")
    )
    for funding in shares:
        post = funding.post
        on = max(last, post.starts)
        hours = post.available_hours(on) * funding.share
        fte = officers(post, on) * funding.share
        result.losses.append(
            Loss(
                post=post, share=funding.share, officers=fte, hours=hours, whole=funding.share >= 1
            )
        )
        capability = post.unit.capability
        capabilities[capability.code] = capability
        lost_hours[capability.code] += hours
        lost_officers[capability.code] += fte
    result.by_capability = {
        code: (
            lost_hours[code].quantize(Decimal("0.1"))
            if capabilities[code].unit == CapacityUnit.HOURS
            else (
                lost_officers[code]
                / (capabilities[code].fte_per_unit or Decimal(capabilities[code].team_size or 1))
            ).quantize(Decimal("0.01"))
        )
        for code in sorted(capabilities)
    }
    return result


def by_capability(found: Iterable[Pool]) -> dict[str, Any]:
    """Capacity summed over organisations, by capability code."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for pool in found:
        totals[pool.capability.code] += pool.capacity
    return dict(sorted(totals.items()))
