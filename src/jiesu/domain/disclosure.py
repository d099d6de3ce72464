"""Open data after desensitisation (G6, S3): every request of a month as one row, with
nothing that names or finds a person, and no row that stands out — pure rules.

A row keeps no name, phone, address, text, ticket number or exact time. What remains could
still single someone out in combination — the *quasi-identifiers*: where (street,
district), what (category), how it was asked (request type, channel). Every published
combination of them is shared by at least ``k`` rows (k-anonymity), by **local
recoding**: rows whose combination is rarer than ``k`` are made coarser, level by level,
and only those:

0. street, category, request type, channel;
1. the street left out (the district only);
2. the category cut to its top level, and the channel left out;
3. the district left out too (the whole city);

and a row still rarer than ``k`` at the last level is not published (counted as
suppressed). The other fields (how it was handled, days to reply, evaluation) are published
as they are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Row:
    district: str
    street: str
    category: str
    request_type: str
    channel: str
    rest: tuple = ()  # the fields that identify nobody, published as they are

    def key(self) -> tuple[str, str, str, str, str]:
        return (self.district, self.street, self.category, self.request_type, self.channel)


def _coarser(row: Row, level: int) -> Row:
    if level == 1:
        return replace(row, street="")
    if level == 2:
        return replace(row, street="", category=row.category.split("/")[0], channel="")
    if level == 3:
        return replace(row, district="", street="", category=row.category.split("/")[0],
                       channel="")  # fmt: skip
    return row


@dataclass(frozen=True)
class Disclosed:
    rows: list[Row]
    by_level: tuple[int, int, int, int]  # rows published at each level
    suppressed: int


def anonymise(rows: list[Row], k: int) -> Disclosed:
    """The rows to publish, each combination of quasi-identifiers shared by ``k`` or more."""
    if k < 1:
        raise ValueError("k is at least 1")
    published: list[Row] = []
    counts = [0, 0, 0, 0]
    left = rows
    for level in range(4):
        groups: dict[tuple, list[Row]] = defaultdict(list)
        for row in left:
            coarse = _coarser(row, level)
            groups[coarse.key()].append(coarse)
        left = []
        for members in groups.values():
            if len(members) >= k:
                published.extend(members)
                counts[level] += len(members)
            else:
                left.extend(members)
    return Disclosed(published, (counts[0], counts[1], counts[2], counts[3]), len(left))
