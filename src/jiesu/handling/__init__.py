"""办 Handling: the lead unit acknowledges, contacts, coordinates co-handlers and replies (H1–H3)."""
