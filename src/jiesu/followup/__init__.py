"""Follow-up: the return visit, closing, and re-handling when the requester is not served (A1)."""
