"""Territory resolution, pure: names, stems, aliases, shared names, contradictions,
coordinates (D1, D3)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiesu.city.config import Unit, UnitKind
from jiesu.city.loader import load_city
from jiesu.dispatch.territory import Gazetteer, PlaceRecord, TerritoryMatch
from jiesu.dispatch.territory_names import normalise
from tests.conftest import CITY_FILE

CITY = load_city(CITY_FILE)
D, S, C = UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY
# The small city: 东区 990101 (东华街道 990101001: 东华社区 …001, 南池社区 …002;
# 和平街道 990101002: 和平里社区 …001), 西区 990102 (西长安街道 990102001: 府右街社区 …001).
EAST, WEST = "990101", "990102"
DONGHUA, HEPING, XICHANG = "990101001", "990101002", "990102001"
NANCHI, HEPINGLI, FUYOUJIE = "990101001002", "990101002001", "990102001001"
PLACES = [
    PlaceRecord("国贸桥", DONGHUA, "landmark", 39.9087, 116.4605),
    PlaceRecord("金台小区", NANCHI, "compound"),
    PlaceRecord("长安街", WEST, "road"),
    PlaceRecord("崇文区", EAST, "old_name"),
]


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    return Gazetteer.build(CITY.units, PLACES)


def tree(*rows: tuple[str, str, UnitKind, str | None, tuple[str, ...]]) -> Gazetteer:
    return Gazetteer.build(
        [Unit(code=c, name=n, kind=k, parent=p, aliases=a) for c, n, k, p, a in rows]
    )


def test_full_names_give_the_community_and_its_ancestors(g):
    m = g.resolve("东区东华街道南池社区5号楼2单元")
    assert (m.district, m.street, m.community, m.level) == (EAST, DONGHUA, NANCHI, "community")
    assert m.code == NANCHI and m.unit_for("street") == DONGHUA and m.unit_for(S) == DONGHUA
    assert m.confidence > 0.9 and m.candidates == ()
    assert "地址含“南池社区”（社区，属东华街道）" in m.reasons
    assert "地址含“东华街道”（街道，属东区）" in m.reasons


def test_a_community_alone_implies_its_street_and_district(g):
    m = g.resolve("和平里社区3号楼")
    assert (m.district, m.street, m.community) == (EAST, HEPING, HEPINGLI)
    assert 0.7 < m.confidence < 0.95


@pytest.mark.parametrize(
    ("address", "level", "code"),
    [
        ("东华小学门口", "street", DONGHUA),  # stem of 东华街道 (and of 东华社区, which lies in it)
        ("东华地区", "street", DONGHUA),  # another suffix of a street
        ("东华镇政府对面", "street", DONGHUA),
        ("南池12号", "community", NANCHI),  # stem of 南池社区
        ("南池居委会", "community", NANCHI),
        ("府右街社区居委会", "community", FUYOUJIE),
        ("东华街道办事处", "street", DONGHUA),
    ],
)
def test_names_without_or_with_other_suffixes(g, address, level, code):
    m = g.resolve(address)
    assert (m.level, m.code) == (level, code)


def test_full_width_and_spaces_do_not_matter(g):
    assert normalise("东华街道　南池 社区１号") == "东华街道南池社区1号"
    assert g.resolve("东华街道　南池 社区").community == NANCHI


def test_aliases_and_no_one_character_names():
    g = tree(
        ("d1", "东城区人民政府", D, None, ("东城区", "东城")),
        ("s1", "东华门街道", S, "d1", ("东华门",)),
        ("c1", "黄村", C, "s1", ()),
        ("c2", "东厂社区", C, "s1", ("老东厂",)),
    )
    assert g.resolve("东城王府井").district == "d1"
    assert g.resolve("东华门外").street == "s1"
    assert g.resolve("老东厂胡同").community == "c2"
    assert g.resolve("黄村村委会").community == "c1"
    m = g.resolve("黄色的东西")  # 黄村's stem 黄 is one character: never a name
    assert m.level is None and m.confidence == 0.0


def test_ordinary_words_are_not_stems():
    g = tree(
        ("d1", "东城区人民政府", D, None, ("东城区",)),
        ("s1", "东华门街道", S, "d1", ()),
        ("c1", "大街社区", C, "s1", ("大街",)),
        ("c2", "幸福村", C, "s1", ()),
    )
    assert g.resolve("光华大街1号").level is None  # 大街 is not 大街社区
    assert g.resolve("幸福家园小区").level is None
    assert g.resolve("大街居委会").community == "c1"  # its suffixed forms still are
    assert g.resolve("幸福村").community == "c2"


def _shared():
    return tree(
        ("d1", "东城区人民政府", D, None, ("东城区",)),
        ("d2", "西城区人民政府", D, None, ("西城区",)),
        ("s1", "东华门街道", S, "d1", ()),
        ("s2", "景山街道", S, "d1", ()),
        ("s3", "金融街街道", S, "d2", ()),
        ("c1", "王庄村", C, "s1", ()),
        ("c2", "王庄村", C, "s3", ()),
        ("c3", "三眼井社区", C, "s1", ()),
        ("c4", "三眼井社区", C, "s2", ()),
    )


def test_a_shared_name_alone_is_not_decided():
    m = _shared().resolve("王庄村村委会")
    assert m.level is None and m.confidence == 0.0
    assert set(m.candidates) == {"c1", "c2"}
    assert any("有2处同名" in r for r in m.reasons)


def test_a_shared_name_is_decided_by_the_other_names():
    g = _shared()
    m = g.resolve("西城区王庄村")
    assert (m.district, m.street, m.community) == ("d2", "s3", "c2")
    assert m.confidence > 0.8
    assert any("同名2处，按地址中其他地名确定" in r for r in m.reasons)
    assert g.resolve("东华门街道王庄村").community == "c1"


def test_a_shared_name_within_one_district_gives_the_district():
    m = _shared().resolve("三眼井社区")
    assert (m.level, m.district, m.street) == ("district", "d1", None)
    assert set(m.candidates) == {"c3", "c4"} and m.confidence > 0.8


def test_a_community_of_another_street_is_a_contradiction(g):
    m = g.resolve("东华街道和平里社区")  # 和平里社区 lies in 和平街道
    assert (m.level, m.district, m.street) == ("district", EAST, None)
    assert set(m.candidates) == {DONGHUA, HEPINGLI}
    assert any("与其他地名不一致" in r for r in m.reasons)
    assert m.reasons[-1] == "属地确定到区：东区"


def test_a_weak_contradicting_name_is_reported_and_not_used(g):
    m = g.resolve("西区和平里社区")  # 西区 (two characters, generic) against a full name
    assert m.community == HEPINGLI and WEST in m.candidates
    assert "地址含“西区”（区），与所定属地不符，未采用" in m.reasons
    assert m.confidence < g.resolve("和平里社区").confidence


def test_district_only(g):
    m = g.resolve("西区某某路88号")
    assert (m.level, m.district, m.street, m.community) == ("district", WEST, None, None)
    assert m.reasons[-1] == "属地确定到区：西区"


def test_nothing_found(g):
    m = g.resolve("外省某地")
    assert m == TerritoryMatch(reasons=("地址中未找到本市的区、街道乡镇、社区村或登记的地名",))
    assert g.resolve("").level is None


def test_place_names_count_for_their_unit(g):
    m = g.resolve("金台小区3号楼")
    assert m.community == NANCHI and "地址含“金台小区”（小区，属南池社区）" in m.reasons
    assert g.resolve("崇文区").district == EAST  # an old name
    road = g.resolve("长安街上")
    assert (road.level, road.district) == ("district", WEST)


def test_coordinates_near_a_place_name(g):
    m = g.resolve("", 39.9100, 116.4610)  # about 150 m from 国贸桥
    assert (m.level, m.street) == ("street", DONGHUA)
    assert m.reasons[0].startswith("坐标距“国贸桥”1") and "（地标，属东华街道）" in m.reasons[0]
    both = g.resolve("东华街道", 39.9100, 116.4610)
    assert both.confidence > g.resolve("东华街道").confidence


def test_coordinates_far_from_every_place_name(g):
    m = g.resolve("", 39.95, 116.46)  # about 4.6 km away
    assert m.level is None
    assert m.reasons == (
        "地址中未找到本市的区、街道乡镇、社区村或登记的地名，坐标500米内也没有登记的地名",
    )


def test_coordinates_against_the_text(g):
    m = g.resolve("府右街社区", 39.9087, 116.4605)  # at 国贸桥, in the other district
    assert m.level is None and set(m.candidates) == {FUYOUJIE, DONGHUA}
    assert m.reasons[-1] == "各地名不一致，未能确定属地"
    far = g.resolve("府右街社区", 39.9087, 116.4650)  # 380 m away: the full name is stronger
    assert far.community == FUYOUJIE and DONGHUA in far.candidates
    assert any(r.startswith("坐标距“国贸桥”38") and "未采用" in r for r in far.reasons)


def test_nearest_uses_haversine_within_the_radius(g):
    point, dist = g.nearest(39.9087, 116.4605 + 0.005)  # 0.005° east at 40° N ≈ 427 m
    assert point.name == "国贸桥" and 420 < dist < 435
    assert g.nearest(39.9087, 116.4605 + 0.007) is None


def test_places_of_unknown_units_are_left_out():
    g = Gazetteer.build(CITY.units, [PlaceRecord("某桥", "nowhere", "landmark", 1.0, 1.0)])
    assert g.places == 0 and g.resolve("某桥").level is None


def test_thousands_of_names_resolve_to_their_community():
    """A city-sized tree (16 × 20 × 22 units). Speed at Beijing scale is measured by
    bench/territory.py, not here."""
    rng = random.Random(0)
    chars = "安宁康泰和顺兴盛华丰景明嘉福祥瑞春秋金玉翠园林苑府庭阁雅居锦绣桥湖河山峪沟"
    units, names = [], []
    for d in range(16):
        units.append(Unit(code=f"d{d}", name=f"{rng.choice(chars)}{d}区人民政府", kind=D))
        for s in range(20):
            units.append(Unit(code=f"d{d}s{s}", name=f"{d}{s}街道", kind=S, parent=f"d{d}"))
            for c in range(22):
                name = "".join(rng.choices(chars, k=3)) + "社区"
                units.append(Unit(code=f"d{d}s{s}c{c}", name=name, kind=C, parent=f"d{d}s{s}"))
                names.append((name, f"d{d}s{s}c{c}"))
    g = Gazetteer.build(units)
    owners: dict[str, set[str]] = {}
    for name, code in names:
        owners.setdefault(name, set()).add(code)
    for name, code in rng.sample(names, 300):
        match = g.resolve(f"北京市{name}{rng.randint(1, 99)}号楼")
        if len(owners[name]) == 1:
            assert match.community == code, name
        else:  # a name two communities share: never one of the others
            assert match.community in {None, code} | owners[name], name


# --- properties -----------------------------------------------------------------------------

COMMUNITIES = [u for u in CITY.units if u.kind is C]
NOISE = st.text(alphabet="0123456789号楼单元室层-#ABC ", max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(COMMUNITIES),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", "社区", "居委会"]),
    NOISE,
)
def test_a_named_community_is_found_with_its_ancestors(community, district, street, suffix, noise):
    g = Gazetteer.build(CITY.units, PLACES)
    s = CITY.unit(community.parent)
    d = CITY.unit(s.parent)
    name = community.name.removesuffix("社区") + suffix
    text = (d.name.removesuffix("人民政府") if district else "") + (s.name if street else "")
    m = g.resolve(text + name + noise)
    if not suffix and s.name.startswith(name):  # 东华: also the stem of 东华街道, its street
        assert (m.street, m.district) == (s.code, d.code)
    else:
        assert (m.community, m.street, m.district) == (community.code, s.code, d.code)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet="东西区华街道南池和平里社区府右长安镇乡村居委会国贸桥金台小区 0123", max_size=30
    ),
    st.one_of(st.none(), st.floats(39.90, 39.92)),
)
def test_any_text_gives_a_coherent_match(text, lat):
    g = Gazetteer.build(CITY.units, PLACES)
    m = g.resolve(text, lat, 116.4605 if lat is not None else None)
    assert 0.0 <= m.confidence <= 1.0 and m.reasons
    known = [lv for lv in ("district", "street", "community") if m.unit_for(lv)]
    assert known == ["district", "street", "community"][: len(known)]  # filled from the top
    assert m.level == (known[-1] if known else None)
    if m.community:
        assert CITY.unit(m.community).parent == m.street
    if m.street:
        assert CITY.unit(m.street).parent == m.district
    assert not set(m.candidates) & {m.district, m.street, m.community}
    assert (m.confidence >= 0.5) == (m.level is not None)
