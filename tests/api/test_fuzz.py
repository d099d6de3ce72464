"""Fuzzing the whole HTTP API against its own OpenAPI schema with schemathesis.

For every operation the schema lists, requests that fit it and requests that break it
(schemathesis's positive and negative modes), sent as a hotline admin and as a street's
unit handler, with ticket numbers of real tickets in the paths. None may end in a 5xx, and
every 4xx carries the error shape: ``code``, ``message_zh`` and ``message_en`` — or, under
``/open311/``, GeoReport v2's own error list with ``jiesu_code`` beside it. What this
found is pinned down in ``test_input_bounds.py``.

Bounded and deterministic: Hypothesis is derandomized (the same cases every run, no
example database), with no deadline and no health checks (both depend on the machine's
speed), a few examples per operation and mode; about 20 s on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
import traceback
from xml.etree import ElementTree as ET

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from jiesu import accounts
from tests.conftest import PASSWORD

from .helpers import act, create, dispatched

#: Examples per operation of each generation mode, for each login.
EXAMPLES = {
    "admin": {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 2},
    "donghua": {GenerationMode.POSITIVE: 2},  # what a unit may see and do; input as above
}
#: Paths whose ``{number}`` is a ticket's: real tickets' numbers are drawn too.
TICKET_PATHS = ("/api/tickets/{number}", "/api/track/{number}", "/api/public/requests/{number}")
LOGOUT = "POST /api/auth/logout"

SETTINGS = settings(
    max_examples=1,  # replaced per login
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
    report_multiple_bugs=False,
)


def shape_problem(path: str, status: int, content_type: str, body: bytes) -> str | None:
    """What is wrong with a response, or None: a 5xx, or a 4xx without the error shape."""
    if status >= 500:
        return f"HTTP {status}"
    if status < 400:
        return None
    if path.startswith("/open311/") and "xml" in content_type:
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            return f"HTTP {status} without an XML body"
        fields = [root.findtext(f"error/{f}") for f in ("code", "description", "jiesu_code")]
        return None if root.tag == "errors" and all(fields) else f"HTTP {status}: not Open311"
    try:
        data = json.loads(body)
    except ValueError:
        return f"HTTP {status} without a JSON body"
    if path.startswith("/open311/"):
        ok = isinstance(data, list) and all(
            {"code", "description", "jiesu_code"} <= set(e) for e in data
        )
        return None if ok and data else f"HTTP {status}: not Open311's error list"
    fields = ("code", "message_zh", "message_en")
    if isinstance(data, dict) and all(isinstance(data.get(f), str) and data[f] for f in fields):
        return None
    return f"HTTP {status} without code, message_zh and message_en"


def _tickets(client, auth) -> list[str]:
    """Tickets received, dispatched to 东华街道, and replied."""
    received = create(client, auth)["number"]
    waiting = dispatched(client, auth)["number"]
    replied = dispatched(client, auth)["number"]
    for action, body in [
        ("acknowledge", {}),
        ("contact", {}),
        ("reply", {"outcome": "solved", "text": "已修复"}),
    ]:
        act(client, auth, "donghua", replied, action, **body)
    return [received, waiting, replied]


def _path(operation, numbers: list[str]) -> dict:
    """Real-looking path parameters, so that broken input goes to the query and the body:
    a broken path is seldom even a URL, and Hypothesis would spend its time filtering."""
    values = {"number": numbers[1], "fmt": "json"}
    found = {}
    for parameter in operation.path_parameters:
        kind = parameter.definition.get("schema", {}).get("type")
        found[parameter.name] = 1 if kind == "integer" else values.get(parameter.name, "x1")
    return found


def _strategy(operation, mode: GenerationMode, numbers: list[str]):
    if mode is GenerationMode.NEGATIVE:
        return operation.as_strategy(
            generation_mode=mode, path_parameters=_path(operation, numbers)
        )
    generated = operation.as_strategy(generation_mode=mode)
    if operation.path.startswith(TICKET_PATHS):
        real = st.sampled_from(numbers).flatmap(
            lambda n: operation.as_strategy(generation_mode=mode, path_parameters={"number": n})
        )
        return st.one_of(generated, real)
    return generated


def _fuzz(operation, mode, username: str, examples: int, numbers, ctx, auth) -> dict:
    """Send ``examples`` cases of ``operation`` as ``username``; the bad responses, one
    example of each kind."""
    label = f"{operation.method.upper()} {operation.path}"
    failures: dict[tuple, str] = {}

    @settings(SETTINGS, max_examples=examples)
    @given(case=_strategy(operation, mode, numbers))
    def send(case):
        if label == LOGOUT:  # a session of its own to end
            session = accounts.login(ctx.engine, username, PASSWORD, ctx.now())
            login = {"Authorization": f"Bearer {session.token}"}
        else:
            login = auth(username)
        try:
            r = case.call(headers=login)
        except Exception:  # the test client re-raises what the app raised
            found, detail = "an exception", traceback.format_exc(limit=-3)
        else:
            headers = {k.lower(): ",".join(v) for k, v in r.headers.items()}
            body = r.content or b""
            found = shape_problem(case.path, r.status_code, headers.get("content-type", ""), body)
            detail = body[:300].decode("utf-8", "replace")
        if found is not None:
            example = f"{username}, {mode.value}: {case.as_curl_command(headers=login)}\n{detail}"
            failures.setdefault((label, found), example)

    with contextlib.suppress(Unsatisfiable):  # nothing to break without parameters
        send()
    return failures


def test_no_request_ends_in_a_server_error_or_without_the_error_shape(app, client, auth, ctx):
    """Every operation, fitting and broken input, two logins (S2: every error explained;
    I2: nothing half-written — the engine fixture checks the assessment facts after)."""
    numbers = _tickets(client, auth)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(len(methods) for methods in app.openapi()["paths"].values())
    failures: dict[tuple, str] = {}
    for username, modes in EXAMPLES.items():
        for operation in operations:
            for mode, examples in modes.items():
                found = _fuzz(operation, mode, username, examples, numbers, ctx, auth)
                failures |= {k: v for k, v in found.items() if k not in failures}
    report = "\n\n".join(
        f"{label} — {what}\n{example}" for (label, what), example in failures.items()
    )
    assert not failures, f"{len(failures)} kinds of bad response:\n\n{report}"
