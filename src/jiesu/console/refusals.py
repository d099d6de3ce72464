"""A posted form that was refused, shown again on the page that posted it.

A console form that changes something ends one of two ways: done, and the browser is
redirected (303), mostly with a flash; or refused, and the same page comes back with the
Chinese messages, the stable code and the user's input kept. What refuses is one of
:data:`REFUSALS`: the form does not fit its input model (:class:`forms.FormError`, or
pydantic's ``ValidationError`` where a page validates the model itself) or the use case
says no (a :class:`JiesuError`: InvalidInput, Conflict, NotFound, Forbidden…). A page
states the rest in its own words::

    try:
        done = use_case(ctx, actor, parse(values))
    except REFUSALS as exc:
        return _the_page(request, ctx, session, values=values, **refusal(exc))
    return redirect(target, flash=...)

Every page builder takes ``problem`` and ``status_code`` keywords, which :func:`refusal`
fills. Success stays each page's own (its redirect and flash, the citizen's thank-you
page), and so do refusals that are no form to fill again (an unknown ticket's error page).
This module sits below :mod:`.routes` so that the knowledge-base pages, which
:mod:`.routes` installs, share it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

from pydantic import ValidationError

from jiesu.domain.errors import JiesuError

from . import forms

#: What a posted form's use case may be refused with.
REFUSALS = (forms.FormError, ValidationError, JiesuError)
#: The status of a form that does not fit its model (the domain's InvalidInput is 422 too).
INVALID_FORM = 422


@dataclass(frozen=True)
class Problem:
    """What went wrong, for the page: Chinese messages and the stable code."""

    messages: list[str]
    code: str

    @classmethod
    def of(cls, exc: JiesuError) -> Problem:
        return cls([exc.message_zh], exc.code)


class Refused(TypedDict):
    """The keywords of a page builder that show a refusal: the page again, with its status."""

    problem: Problem
    status_code: int


def refusal(
    exc: Exception, *, labels: Mapping[str, str] | None = None, about: str | None = None
) -> Refused:
    """The refusal ``exc`` (one of :data:`REFUSALS`) as the page's keywords: a form that does
    not fit its model is 422 with code ``input.invalid``, a domain error its own status and
    code. ``labels`` name the fields of a ``ValidationError`` (the page's own wording);
    ``about`` goes before each message ("工单 X：…") where the page lists many things."""
    if isinstance(exc, JiesuError):
        problem, status = Problem.of(exc), exc.status
    elif isinstance(exc, forms.FormError):
        problem, status = Problem(list(exc.messages), "input.invalid"), INVALID_FORM
    elif isinstance(exc, ValidationError):
        messages = forms.zh_errors(exc, labels=labels)
        problem, status = Problem(messages, "input.invalid"), INVALID_FORM
    else:
        raise TypeError(f"not a refusal: {exc!r}")
    if about:
        problem = Problem([f"{about}：{m}" for m in problem.messages], problem.code)
    return Refused(problem=problem, status_code=status)
