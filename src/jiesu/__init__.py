"""jiesu — 接诉即办: take every request, handle it at once.

The package follows a ticket's journey: ``intake`` → ``dispatch`` →
``handling`` → ``followup``, around a pure ``domain`` core, with ``city``
(deployment configuration), ``storage``, ``api``, ``console``, ``jobs`` and
``simulate`` at the edges.
"""

__version__ = "0.1.0"
