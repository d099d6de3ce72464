"""G6/S3 open data, the pure rule: every published combination of quasi-identifiers is shared
by at least k rows, rare rows are made coarser level by level, and none is lost silently."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiesu.domain.disclosure import Row, anonymise


def row(district="东区", street="东华街道", category="城乡建设/物业管理", kind="投诉",
        channel="电话", rest=()) -> Row:  # fmt: skip
    return Row(district, street, category, kind, channel, rest)


def test_common_rows_are_kept_as_they_are_and_rare_ones_made_coarser():
    rows = [row(rest=(i,)) for i in range(5)]  # five alike: published as they are
    rows += [row(street="和平街道", rest=(9,))] * 3  # three: kept only as 东区
    rows += [row(street="南池街道")] * 2  # two more in 东区 → the district has five
    out = anonymise(rows, 5)
    assert out.by_level == (5, 5, 0, 0) and out.suppressed == 0
    keys = Counter(r.key() for r in out.rows)
    assert keys[("东区", "东华街道", "城乡建设/物业管理", "投诉", "电话")] == 5
    assert keys[("东区", "", "城乡建设/物业管理", "投诉", "电话")] == 5
    assert sorted(r.rest for r in out.rows if r.street == "") == [(), (), (9,), (9,), (9,)]


def test_the_category_is_cut_then_the_place_and_the_last_few_are_suppressed():
    rows = [row(category=f"城乡建设/{c}") for c in "ABCDE"]  # one each: alike as 城乡建设
    rows += [row(district="西区", category="交通运输/X", channel="网站")]  # alone anywhere
    out = anonymise(rows, 5)
    assert out.by_level == (0, 0, 5, 0) and out.suppressed == 1
    assert {r.category for r in out.rows} == {"城乡建设"} and {r.channel for r in out.rows} == {""}


names = st.sampled_from(["甲", "乙", "丙"])
rows_strategy = st.lists(
    st.builds(
        Row,
        names,
        names,
        st.sampled_from(["A/x", "A/y", "B/z", "B"]),
        names,
        names,
        st.tuples(st.integers(0, 3)),
    ),  # fmt: skip
    max_size=60,
)


@given(rows_strategy, st.integers(1, 8))
def test_every_published_combination_is_shared_by_k_rows(rows, k):
    """Property (S3): k-anonymity holds for every published row; published + suppressed
    accounts for every row; the non-identifying fields are never changed."""
    out = anonymise(rows, k)
    keys = Counter(r.key() for r in out.rows)
    assert all(n >= k for n in keys.values())
    assert len(out.rows) + out.suppressed == len(rows) and sum(out.by_level) == len(out.rows)
    assert Counter(r.rest for r in out.rows) <= Counter(r.rest for r in rows)


def test_k_must_be_positive():
    with pytest.raises(ValueError):
        anonymise([], 0)
