"""Roles of the people who use jiesu, and the actor performing an action."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"  # 话务员: takes calls, answers directly, refers, does return visits
    DISPATCHER = "dispatcher"  # 派单员: dispatches, reviews objections, decides extensions
    UNIT_HANDLER = "unit_handler"  # 承办人员: works the tickets of one unit
    SUPERVISOR = "supervisor"  # 督办: reads everything, urges
    ADMIN = "admin"  # 管理员: users and configuration

    @property
    def label_zh(self) -> str:
        return ROLE_LABELS_ZH[self]


ROLE_LABELS_ZH = {
    Role.OPERATOR: "话务员",
    Role.DISPATCHER: "派单员",
    Role.UNIT_HANDLER: "承办人员",
    Role.SUPERVISOR: "督办人员",
    Role.ADMIN: "管理员",
}

#: Roles that work for the hotline centre itself rather than for a handling unit.
HOTLINE_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class Actor:
    """Who performs an action: a user with one role, bound to one unit."""

    user_id: int | None
    username: str
    role: Role
    unit_code: str

    @classmethod
    def system(cls, unit_code: str) -> Actor:
        """The platform itself (deadline watch, simulator), acting for the hotline centre."""
        return cls(user_id=None, username="system", role=Role.ADMIN, unit_code=unit_code)
