"""The allocation engine: pooled capabilities to prioritised threats (issue 13).

Pure Python over OR-Tools and HiGHS, with no models and no database: the capabilities app
builds a `Problem` from its catalogue, units, posts and demand, and shows the `Plan`.

    problem = Problem(capabilities=..., pools=..., needs=..., flex=Flex(...))
    plan = solve(problem)            # min-cost flow, or CP-SAT where needs are joint
    plan.explain("OCG-1")            # who serves it, what is unmet and why, what flex would do
    compare(plan, solve(with_loan(problem, "NE", "NW", "SURV", 2)))
    gaps(problem, plan)
"""

from .engine import explain, greedy, highs, solve
from .plan import Assignment, Closing, Explanation, Holder, Plan, Reason, Unmet
from .problem import (
    MAX_AMOUNT,
    MAX_COST,
    MAX_WEIGHT,
    SCALE,
    VETTING_LEVELS,
    AllocationError,
    Capability,
    Flex,
    Need,
    Pool,
    Post,
    Problem,
    Unit,
    capacity_of,
)
from .scenarios import (
    CapabilityDelta,
    Comparison,
    Gap,
    ThreatDelta,
    UnservedThreat,
    compare,
    gaps,
    with_added_capacity,
    with_loan,
    with_pool,
    without_pools,
)
from .solvers import Status

__all__ = [
    "MAX_AMOUNT",
    "MAX_COST",
    "MAX_WEIGHT",
    "SCALE",
    "VETTING_LEVELS",
    "AllocationError",
    "Assignment",
    "Capability",
    "CapabilityDelta",
    "Closing",
    "Comparison",
    "Explanation",
    "Flex",
    "Gap",
    "Holder",
    "Need",
    "Plan",
    "Pool",
    "Post",
    "Problem",
    "Reason",
    "Status",
    "ThreatDelta",
    "Unit",
    "Unmet",
    "UnservedThreat",
    "capacity_of",
    "compare",
    "explain",
    "gaps",
    "greedy",
    "highs",
    "solve",
    "with_added_capacity",
    "with_loan",
    "with_pool",
    "without_pools",
]
