"""Encryption of requesters' contact data at rest, and their keyed hash (S1, I8).

One secret (``JIESU_SECRET_KEY``: 32+ random bytes, base64url) is expanded with
HKDF into two keys: one encrypts names and phone numbers with AES-GCM, one
computes the HMAC that recognises a requester across tickets without storing
the phone number in the clear. The secret comes from the environment (or a
file named by ``JIESU_SECRET_KEY_FILE``); there is no default.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

_PREFIX = "v1:"


class SecretKeyMissing(RuntimeError):
    """No secret key is configured; jiesu refuses to store contact data unencrypted."""


@dataclass(frozen=True)
class Keyring:
    encryption: bytes
    hashing: bytes
    signing: bytes  # links sent to requesters (tracking, return visits)

    @classmethod
    def from_secret(cls, secret: bytes) -> Keyring:
        if len(secret) < 32:
            raise ValueError("the secret key must be at least 32 bytes")

        def derive(info: bytes) -> bytes:
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)

        return cls(
            derive(b"jiesu contact encryption v1"),
            derive(b"jiesu requester hash v1"),
            derive(b"jiesu signed links v1"),
        )


_keyring: Keyring | None = None


def new_secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def configure(secret: str) -> None:
    """Install the keyring from a base64url secret (as ``new_secret`` makes)."""
    global _keyring
    try:
        raw = base64.urlsafe_b64decode(secret.strip() + "=" * (-len(secret.strip()) % 4))
    except ValueError as exc:
        raise ValueError("the secret key is not valid base64url") from exc
    _keyring = Keyring.from_secret(raw)


def configure_from_environment() -> None:
    secret = os.environ.get("JIESU_SECRET_KEY")
    if not secret and os.environ.get("JIESU_SECRET_KEY_FILE"):
        secret = Path(os.environ["JIESU_SECRET_KEY_FILE"]).read_text().strip()
    if not secret:
        raise SecretKeyMissing(
            "set JIESU_SECRET_KEY (or JIESU_SECRET_KEY_FILE) to a secret made with "
            "`jiesu secret new`; contact data is never stored unencrypted"
        )
    configure(secret)


def keyring() -> Keyring:
    if _keyring is None:
        configure_from_environment()
    assert _keyring is not None
    return _keyring


def normalise_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def phone_hash(phone: str) -> str:
    """The keyed hash that recognises a requester across tickets (no plain number needed)."""
    return hmac.new(keyring().hashing, normalise_phone(phone).encode(), hashlib.sha256).hexdigest()


def signature(purpose: str, value: str, length: int = 16) -> str:
    """A short keyed signature of ``value`` for ``purpose`` (lower-case base32), for links
    a requester receives by SMS: whoever has the link may use it, nobody can make one."""
    mac = hmac.new(keyring().signing, f"{purpose}\x1f{value}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac).decode().lower()[:length]


def verify_signature(purpose: str, value: str, given: str, length: int = 16) -> bool:
    """Whether ``given`` is ``value``'s signature. ``given`` comes from a link anyone can
    edit, so it is compared as UTF-8 bytes: any text is merely a wrong signature
    (``compare_digest`` refuses non-ASCII ``str``)."""
    expected = signature(purpose, value, length).encode()
    return hmac.compare_digest(expected, (given or "").strip().lower().encode())


def encrypt(text: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(keyring().encryption).encrypt(nonce, text.encode(), None)
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token.startswith(_PREFIX):
        raise ValueError("not an encrypted value")
    raw = base64.urlsafe_b64decode(token[len(_PREFIX) :])
    return AESGCM(keyring().encryption).decrypt(raw[:12], raw[12:], None).decode()


class EncryptedText(TypeDecorator):
    """A text column stored encrypted; the empty string stays empty (nothing to hide)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect):
        if value is None or value == "":
            return value
        return encrypt(value)

    def process_result_value(self, value: str | None, dialect):
        if value is None or value == "":
            return value
        return decrypt(value)
