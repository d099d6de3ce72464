"""Background work at the edge: the outbox relay and the worker that runs it."""
