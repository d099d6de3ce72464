"""Users, password hashing (Argon2id) and login sessions.

Session tokens are random; only their SHA-256 is stored, so a leaked
database does not leak live sessions. Each session carries its own CSRF
token for the console's forms.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, select, update

from jiesu.domain.errors import InvalidInput, Unauthenticated
from jiesu.domain.roles import Actor, Role
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

SESSION_LIFETIME = timedelta(hours=12)
_hasher = PasswordHasher()
# Verifying against this keeps the time of a failed login the same for unknown users.
_DUMMY_HASH = _hasher.hash("jiesu-no-such-user")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    unit_code: str

    @property
    def actor(self) -> Actor:
        return Actor(
            user_id=self.id, username=self.username, role=self.role, unit_code=self.unit_code
        )


@dataclass(frozen=True)
class LoginSession:
    token: str
    csrf_token: str
    user: User
    expires_at: datetime


def _user(row) -> User:
    return User(row.id, row.username, row.display_name, Role(row.role), row.unit_code)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    engine: Engine,
    *,
    username: str,
    password: str,
    role: Role,
    unit_code: str,
    display_name: str,
    now: datetime,
) -> User:
    if len(password) < 8:
        raise InvalidInput(
            "user.weak_password", "密码至少8位", "Passwords need at least 8 characters"
        )
    with UnitOfWork(engine) as uow:
        exists = uow.session.execute(
            select(tables.users.c.id).where(tables.users.c.username == username)
        ).first()
        if exists:
            raise InvalidInput(
                "user.exists", f"用户名 {username} 已存在", f"User {username} exists"
            )
        if not _unit_exists(uow, unit_code):
            raise InvalidInput(
                "unit.unknown", f"单位 {unit_code} 不存在", f"Unknown unit {unit_code}"
            )
        user_id = uow.session.execute(
            tables.users.insert()
            .values(
                username=username,
                display_name=display_name,
                password_hash=_hasher.hash(password),
                role=str(role),
                unit_code=unit_code,
                active=True,
                created_at=now,
            )
            .returning(tables.users.c.id)
        ).scalar_one()
        uow.commit()
    return User(user_id, username, display_name, role, unit_code)


def _unit_exists(uow: UnitOfWork, code: str) -> bool:
    return (
        uow.session.execute(select(tables.units.c.code).where(tables.units.c.code == code)).first()
        is not None
    )


def login(engine: Engine, username: str, password: str, now: datetime) -> LoginSession:
    with UnitOfWork(engine) as uow:
        row = uow.session.execute(
            select(tables.users).where(tables.users.c.username == username)
        ).first()
        try:
            _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            row = None
        if row is None or not row.active:
            raise Unauthenticated(
                "auth.invalid_credentials", "用户名或密码错误", "Wrong username or password"
            )
        if _hasher.check_needs_rehash(row.password_hash):
            uow.session.execute(
                update(tables.users)
                .where(tables.users.c.id == row.id)
                .values(password_hash=_hasher.hash(password))
            )
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + SESSION_LIFETIME
        uow.session.execute(delete(tables.sessions).where(tables.sessions.c.expires_at < now))
        uow.session.execute(
            tables.sessions.insert().values(
                token_hash=_token_hash(token),
                user_id=row.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=expires,
            )
        )
        uow.commit()
        return LoginSession(token, csrf, _user(row), expires)


def session_for(engine: Engine, token: str, now: datetime) -> LoginSession:
    """The live session of ``token``, or Unauthenticated."""
    with UnitOfWork(engine, write=False) as uow:
        row = uow.session.execute(
            select(tables.users, tables.sessions.c.csrf_token, tables.sessions.c.expires_at)
            .join(tables.sessions, tables.sessions.c.user_id == tables.users.c.id)
            .where(tables.sessions.c.token_hash == _token_hash(token))
        ).first()
    if row is None or row.expires_at <= now or not row.active:
        raise Unauthenticated("auth.required", "请先登录", "Please log in")
    return LoginSession(token, row.csrf_token, _user(row), row.expires_at)


def logout(engine: Engine, token: str) -> None:
    with UnitOfWork(engine) as uow:
        uow.session.execute(
            delete(tables.sessions).where(tables.sessions.c.token_hash == _token_hash(token))
        )
        uow.commit()
