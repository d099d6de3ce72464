"""A city's simulated history: tickets over days, lived through the one state machine.

``simulate(ctx, days=30, tickets_per_day=300, seed=1)`` writes the history and
returns :class:`SimulationStats`; see :mod:`.generator` for how, :mod:`.planning`
for the requests, :mod:`.behaviour` for how each ticket is lived through,
:mod:`.profiles` for the handling profiles of units and :mod:`.texts` for the
request texts.
"""

from .generator import SimulationStats, simulate

__all__ = ["SimulationStats", "simulate"]
