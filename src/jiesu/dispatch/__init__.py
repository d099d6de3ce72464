"""即 Dispatch: send the ticket to the unit that must handle it, with deadlines (D1–D6)."""
