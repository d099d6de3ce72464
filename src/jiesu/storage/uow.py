"""The unit of work: one transaction that commits only when told to, and rolls back otherwise."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from jiesu.domain.errors import Conflict

from .db import read_only
from .mapping import map_domain


class UnitOfWork:
    """``with UnitOfWork(engine) as uow: ...; uow.commit()``.

    Leaving the block without ``commit()`` (or with an exception) rolls back,
    so nothing is ever half-written. A concurrent change of the same ticket
    surfaces as :class:`~jiesu.domain.errors.Conflict`.
    """

    def __init__(self, engine: Engine, *, write: bool = True) -> None:
        map_domain()
        self._bind = engine if write else read_only(engine)
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = Session(bind=self._bind, expire_on_commit=False, autoflush=True)
        return self

    def __exit__(self, exc_type, *_) -> None:
        try:
            if exc_type is None:
                # Objects read here stay usable after the block, with what was loaded.
                self.session.expunge_all()
            self.session.rollback()
        finally:
            self.session.close()

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError as exc:
            raise _conflict() from exc

    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError as exc:
            raise _conflict() from exc


def _conflict() -> Conflict:
    return Conflict(
        "ticket.conflict",
        "工单已被他人修改，请刷新后重试",
        "The ticket was changed by someone else; reload and try again",
    )
