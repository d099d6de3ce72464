"""``jiesu worker``: relay the outbox and watch the deadlines in a loop (the embedded demo
runs it in a thread)."""

from __future__ import annotations

import logging
import threading
import time

from jiesu.context import Context

from .adapters import Adapter, configured_adapters
from .outbox import relay_once

log = logging.getLogger("jiesu.worker")


#: How often the periodic duties (knowledge-base review reminders, the weekly warning of
#: hotspots once a week has ended, the monthly work reports once a month has) run.
DUTY_INTERVAL = 3600.0
#: How often the deadline watch looks for yellow and red warnings (H1, D6).
WATCH_INTERVAL = 60.0


def watch(ctx: Context) -> None:
    from jiesu.handling.watch import watch_deadlines

    result = watch_deadlines(ctx)
    if result.yellow or result.red:
        log.info("deadline watch: %d yellow, %d red warnings", result.yellow, result.red)


def push_unit_data(ctx: Context) -> bool:
    """The next chunks of the last ended day's push to the units (G4); whether any remain."""
    from jiesu.api.schemas import ticket_json
    from jiesu.governance.unit_data import pending, push_due

    pushed = push_due(ctx, ticket_json)
    if pushed:
        log.info("unit data: %d messages of changed tickets queued", pushed)
    return pending(ctx)


def periodic_duties(ctx: Context) -> bool:
    """Work that is due by the calendar rather than by an event; each call does only what
    is due, so a restarted worker repeats nothing. True while the day's push to the units
    has chunks left, which the worker then goes on with round by round."""
    from jiesu.governance.reports import issue_due as report_due
    from jiesu.governance.topic_figures import record_due
    from jiesu.governance.warnings import issue_due
    from jiesu.knowledge.reminders import queue_review_reminders

    queued = queue_review_reminders(ctx)
    if queued:
        log.info("knowledge base: %d review reminders queued", queued)
    issued = issue_due(ctx)
    if issued is not None:
        log.info("weekly warning %s: %d hotspots warned", issued.week, issued.total)
    recorded = record_due(ctx)
    if recorded:
        log.info("monthly topics: %d ended months recorded", recorded)
    pushed = push_unit_data(ctx)
    try:  # last, and on its own: a report that fails must not stop the duties above
        reported = report_due(ctx)  # after the month's topics are recorded: it shows them
    except Exception:
        log.exception("work reports: issuing failed; retried next round")
    else:
        if reported:
            log.info("work reports of %s: %d issued", reported[0].month, len(reported))
    return pushed


def run(
    ctx: Context,
    *,
    interval: float = 2.0,
    stop: threading.Event | None = None,
    adapters: dict[str, Adapter] | None = None,
) -> None:
    """Relay until ``stop`` is set; a failing pass is logged and retried, never fatal."""
    stop = stop or threading.Event()
    adapters = adapters or configured_adapters()
    last_duties = last_watch = float("-inf")
    pushing = False
    while not stop.is_set():
        if time.monotonic() - last_watch >= WATCH_INTERVAL:
            last_watch = time.monotonic()
            try:
                watch(ctx)
            except Exception:  # retried at the next interval
                log.exception("deadline watch failed")
        if time.monotonic() - last_duties >= DUTY_INTERVAL:
            last_duties = time.monotonic()
            try:
                pushing = periodic_duties(ctx)
            except Exception:  # a failed duty is retried at the next interval
                log.exception("periodic duties failed")
        elif pushing:  # the day's push to the units goes on between the hourly duties
            try:
                pushing = push_unit_data(ctx)
            except Exception:
                log.exception("unit data push failed")
                pushing = False  # retried with the next duties
        try:
            result = relay_once(ctx, adapters)
            if result.sent or result.failed:
                log.info("outbox: %d sent, %d failed", result.sent, result.failed)
            busy = result.sent + result.failed > 0
        except Exception:  # the database may be briefly unavailable; try again
            log.exception("outbox relay pass failed")
            busy = False
        stop.wait(0 if busy else interval)


def start_in_background(ctx: Context, **kwargs) -> threading.Event:
    """Run the worker in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(
        target=run, args=(ctx,), kwargs={"stop": stop, **kwargs}, name="jiesu-worker", daemon=True
    ).start()
    return stop
