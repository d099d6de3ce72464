"""Channel clients: the web portal, the app, WeChat and other systems that file requests (I1).

Each client is created with a random API key that is shown once; only its
SHA-256 is stored, so a leaked database does not leak working keys. A client
sends the key in ``X-Channel-Key`` (Open311: ``api_key``).

A client files requests as an operator of the hotline centre named
``channel:<name>``. So that its tickets have an accountable actor in the
timeline (S2) and its ``Idempotency-Key`` works like a person's, each client
gets a matching row in ``users``: inactive and without a usable password, so
nobody can log in as it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update

from jiesu.context import Context
from jiesu.domain.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from jiesu.domain.roles import Actor, Role
from jiesu.domain.ticket import CHANNEL_LABELS_ZH, Channel, Ticket
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

from . import attachments
from .receive import NewTicket, receive

log = logging.getLogger(__name__)

KEY_HEADER = "X-Channel-Key"
KEY_PREFIX = "jsk_"
USER_PREFIX = "channel:"
#: Channels a client may file through; phone calls go through the operator console.
INTERNET_CHANNELS = (
    Channel.WEB,
    Channel.APP,
    Channel.WECHAT,
    Channel.WEIBO,
    Channel.API,
    Channel.OPEN311,
    Channel.MERGED_HOTLINE,
)
#: Fits ``users.username`` (64) after the prefix; safe in logs and URLs.
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,55}$")
#: Not an Argon2 hash, so verification always fails: the shadow user cannot log in.
_NO_PASSWORD = "!channel-client"


@dataclass(frozen=True)
class ChannelClient:
    id: int
    name: str
    channel: Channel
    active: bool
    user_id: int

    @property
    def username(self) -> str:
        return USER_PREFIX + self.name

    def actor(self, ctx: Context) -> Actor:
        """An operator of the hotline centre, so tickets land where phone tickets do."""
        return Actor(
            user_id=self.user_id,
            username=self.username,
            role=Role.OPERATOR,
            unit_code=ctx.city.city.hotline_unit,
        )


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def add_client(
    engine: Engine, name: str, channel: str, hotline_unit: str, now: datetime
) -> tuple[ChannelClient, str]:
    """Create a client; return it and its key, which is never shown again."""
    if not _NAME.match(name):
        raise InvalidInput(
            "channel.bad_name",
            "渠道客户端名称须为小写字母、数字、点、下划线或连字符，最长 56 个字符",
            "A client name is lower-case letters, digits, '.', '_' or '-', at most 56 characters",
            field="name",
        )
    try:
        kind = Channel(channel)
    except ValueError:
        kind = None
    if kind not in INTERNET_CHANNELS:
        raise InvalidInput(
            "channel.not_internet",
            f"渠道“{channel}”不能作为互联网渠道客户端（电话由话务台受理）",
            f"{channel!r} is not an internet channel (phone calls go through the console)",
            allowed=[str(c) for c in INTERNET_CHANNELS],
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with UnitOfWork(engine) as uow:
        taken = (
            uow.session.execute(
                select(tables.channel_clients.c.id).where(tables.channel_clients.c.name == name)
            ).first()
            or uow.session.execute(
                select(tables.users.c.id).where(tables.users.c.username == USER_PREFIX + name)
            ).first()
        )
        if taken:
            raise InvalidInput(
                "channel.name_taken", f"渠道客户端“{name}”已存在", f"Client {name!r} exists"
            )
        user_id = uow.session.execute(
            tables.users.insert()
            .values(
                username=USER_PREFIX + name,
                display_name=f"{CHANNEL_LABELS_ZH[kind]}渠道 {name}",
                password_hash=_NO_PASSWORD,
                role=str(Role.OPERATOR),
                unit_code=hotline_unit,
                active=False,
                created_at=now,
            )
            .returning(tables.users.c.id)
        ).scalar_one()
        client_id = uow.session.execute(
            tables.channel_clients.insert()
            .values(
                name=name, channel=str(kind), key_hash=key_hash(key), active=True, created_at=now
            )
            .returning(tables.channel_clients.c.id)
        ).scalar_one()
        uow.commit()
    return ChannelClient(client_id, name, kind, True, user_id), key


def set_active(engine: Engine, name: str, active: bool) -> None:
    """Switch a client off (a leaked key) or on again; its key stays the same."""
    with UnitOfWork(engine) as uow:
        done = uow.session.execute(
            update(tables.channel_clients)
            .where(tables.channel_clients.c.name == name)
            .values(active=active)
        ).rowcount
        if not done:
            raise NotFound(
                "channel.not_found", f"渠道客户端“{name}”不存在", f"No client named {name!r}"
            )
        uow.commit()


def authenticate(engine: Engine, key: str | None) -> ChannelClient:
    """The active client holding ``key``; 401 without a valid key, 403 for a switched-off one."""
    if not key:
        raise Unauthenticated(
            "channel.key_missing",
            f"请在 {KEY_HEADER} 请求头中提供渠道密钥",
            f"Send the channel key in the {KEY_HEADER} header",
        )
    cc, users = tables.channel_clients, tables.users
    with UnitOfWork(engine, write=False) as uow:
        row = uow.session.execute(
            select(cc, users.c.id.label("user_id"))
            .join(users, users.c.username == USER_PREFIX + cc.c.name)
            .where(cc.c.key_hash == key_hash(key))
        ).first()
    if row is None:
        raise Unauthenticated("channel.key_invalid", "渠道密钥无效", "The channel key is not valid")
    if not row.active:
        raise Forbidden(
            "channel.inactive",
            f"渠道客户端“{row.name}”已停用，请联系热线中心",
            f"Client {row.name!r} is switched off; contact the hotline centre",
        )
    return ChannelClient(row.id, row.name, Channel(row.channel), True, row.user_id)


def location_text(latitude: float | None, longitude: float | None) -> str:
    """Coordinates as an address line, for requests that give no address but a map point.

    The core's location check (``location.required``) looks at the address or the
    location unit; coordinates are a location too, so they are written out here.
    """
    if latitude is None or longitude is None:
        return ""
    return f"坐标 {latitude:.6f}, {longitude:.6f}"


CONTENT_LIMIT: int = next(
    m.max_length for m in NewTicket.model_fields["content"].metadata if hasattr(m, "max_length")
)


def check_content(value: Any) -> None:
    """Empty and oversized text get codes of their own: they are the commonest mistakes."""
    if isinstance(value, str) and len(value.strip()) > CONTENT_LIMIT:
        raise InvalidInput(
            "content.too_long",
            f"诉求内容超过 {CONTENT_LIMIT} 字",
            f"The request text is longer than {CONTENT_LIMIT} characters",
            field="content",
            max_length=CONTENT_LIMIT,
        )
    if not isinstance(value, str) or len(value.strip()) < 2:
        raise InvalidInput(
            "content.empty",
            "请填写诉求内容（至少 2 个字）",
            "State the request (at least 2 characters)",
            field="content",
        )


def file_request(
    ctx: Context,
    client: ChannelClient,
    data: NewTicket,
    staged: list[attachments.StagedFile],
    idempotency_key: str | None,
) -> tuple[Ticket, bool]:
    """Store the files, then create the ticket; if that fails, take the new files back.

    ``receive()`` runs in a transaction of its own and checks that every reference
    is stored, so the files go first; whatever it refuses (an unknown category, a
    missing location) leaves no file and no row behind.
    """
    policy = ctx.city.intake_policy.attachments
    refs = list(dict.fromkeys([*data.attachments, *(s.sha256 for s in staged)]))
    if len(refs) > policy.max_files:
        raise InvalidInput(
            "attachment.too_many",
            f"最多上传 {policy.max_files} 个附件",
            f"At most {policy.max_files} attachments",
            max_files=policy.max_files,
        )
    stored = attachments.commit(ctx, staged) if staged else []
    try:
        return receive(
            ctx, client.actor(ctx), data.model_copy(update={"attachments": refs}), idempotency_key
        )
    except BaseException:
        try:
            attachments.forget(ctx, [s.sha256 for s in stored if s.new])
        except Exception:  # the refusal matters more; an orphan file is only untidy
            log.exception("could not take back the attachments of a refused request")
        raise
