"""治 Proactive governance (G1–G6): the patterns in the requests, found so that problems are
fixed before more people call — the weekly warning of hotspots (:mod:`.warnings`, G5) over
the week-by-week counts of each place and matter (:mod:`.weekly`)."""
