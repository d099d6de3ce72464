"""``build_city`` / ``write_city``: Beijing and other cities from jionlp's data plus the
standard set, validated by the schema and round-tripped through the loader (O1, D1, D6, H6)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from jiesu.city.builder import build_city, standard_set
from jiesu.city.config import CityConfig, UnitKind
from jiesu.city.divisions import UnknownCityError
from jiesu.city.loader import load_city
from jiesu.city.writer import _flow, render_city, write_city


@pytest.fixture(scope="module")
def beijing() -> dict[str, Any]:
    return build_city("北京")


@pytest.fixture(scope="module")
def beijing_estimated() -> dict[str, Any]:
    return build_city("北京市", estimate_population=True, seed=7)


def kinds(config: dict[str, Any]) -> Counter[str]:
    return Counter(u["kind"] for u in config["units"])


def test_beijing_has_the_four_levels(beijing: dict[str, Any]) -> None:
    counts = kinds(beijing)
    assert counts["city_government"] == 1 and counts["hotline"] == 1
    assert counts["district"] == 16
    assert 330 <= counts["street"] <= 350
    assert 6_900 <= counts["community"] <= 7_300
    CityConfig.model_validate(beijing)


def test_city_info(beijing: dict[str, Any]) -> None:
    assert beijing["city"] == {
        "name": "北京市",
        "code": "110000",
        "timezone": "Asia/Shanghai",
        "ticket_prefix": "BJ",
        "hotline_unit": "hotline",
    }


def test_unit_codes_follow_the_scheme(beijing: dict[str, Any]) -> None:
    config = CityConfig.model_validate(beijing)
    for unit in config.units:
        parent = config.unit(unit.parent) if unit.parent else None
        if unit.kind is UnitKind.STREET:
            assert parent.kind is UnitKind.DISTRICT and unit.code[:-3] == parent.code
        elif unit.kind is UnitKind.COMMUNITY:
            assert parent.kind is UnitKind.STREET and unit.code[:-3] == parent.code
        elif unit.kind is UnitKind.DISTRICT_DEPARTMENT:
            assert unit.code == f"{parent.code}.{unit.department}"
        elif unit.kind is UnitKind.CITY_DEPARTMENT:
            assert unit.code == f"city.{unit.department}" and unit.parent == "110000"
        elif unit.kind is UnitKind.DISTRICT:
            assert unit.parent == "110000" and unit.code.startswith("1101")
    dongcheng = config.unit("110101")
    assert dongcheng.name == "东城区人民政府" and "东城" in dongcheng.aliases
    streets = [u for u in config.units if u.parent == "110101" and u.kind is UnitKind.STREET]
    assert [s.name for s in streets] == sorted(s.name for s in streets)
    assert streets[0].code == "110101001"


def test_every_district_has_the_standard_departments(beijing: dict[str, Any]) -> None:
    keys = {d["department"] for d in standard_set()["district_departments"]}
    districts = [u["code"] for u in beijing["units"] if u["kind"] == "district"]
    for code in districts:
        departments = {
            u["department"]
            for u in beijing["units"]
            if u["kind"] == "district_department" and u["parent"] == code
        }
        assert departments == keys, code
    housing = next(u for u in beijing["units"] if u["code"] == "110101.housing")
    assert housing["name"] == "东城区住房和城乡建设委员会"


def test_city_departments(beijing: dict[str, Any]) -> None:
    departments = {u["department"] for u in beijing["units"] if u["kind"] == "city_department"}
    assert len(departments) >= 20
    assert {
        "housing",
        "urban",
        "transport",
        "market",
        "health",
        "police",
        "veterans",
    } <= departments


def test_four_utilities_serve_around_the_clock(beijing: dict[str, Any]) -> None:
    utilities = {u["code"]: u for u in beijing["units"] if u["kind"] == "utility"}
    assert set(utilities) == {"utility.water", "utility.power", "utility.gas", "utility.heating"}
    assert all(u["around_the_clock"] and u["parent"] == "110000" for u in utilities.values())
    assert utilities["utility.power"]["name"] == "国网北京市电力公司"


def test_the_taxonomy_and_every_second_level_category_in_the_catalogue(
    beijing: dict[str, Any],
) -> None:
    codes = [c["code"] for c in beijing["categories"]]
    first = [c for c in codes if "/" not in c]
    second = [c for c in codes if "/" in c]
    assert len(first) >= 12
    assert {
        "城乡建设",
        "劳动和社会保障",
        "教育文体",
        "商贸旅游",
        "环境保护",
        "卫生计生",
        "交通运输",
    } <= set(first)
    for top in first:
        assert 4 <= sum(c.startswith(top + "/") for c in second) <= 8, top
    assert sorted(e["category"] for e in beijing["dispatch_catalogue"]) == sorted(second)


def test_the_catalogue_protects_communities_and_streets(beijing: dict[str, Any]) -> None:
    """D8: a community leads only duty-list matters; departments lead their own duties."""
    catalogue = beijing["dispatch_catalogue"]
    community = [e for e in catalogue if e["lead_kind"] == "community"]
    assert community and all("职责清单" in e.get("note", "") for e in community)
    assert {"城乡建设/物业管理", "城市管理/违法建设", "城市管理/环境卫生"} <= {
        e["category"] for e in catalogue if e["lead_kind"] == "street"
    }
    units = {u["code"] for u in beijing["units"]}
    for entry in catalogue:
        if entry["lead_kind"] in ("city_department", "district_department"):
            assert entry["department"]
        if entry["lead_kind"] == "utility":
            assert entry["unit"] in units


def test_policies(beijing: dict[str, Any]) -> None:
    config = CityConfig.model_validate(beijing)
    rules = {r.name: r for r in config.deadline_policy.rules}
    assert (
        rules["urgent"].completion.amount == 2 and rules["urgent"].completion.unit == "clock_hours"
    )
    assert rules["utility_7x24"].match.around_the_clock is True
    assert config.deadline_policy.default.completion.amount == 5
    assert config.referral_policy.mode == "accept_with_guidance"
    assert config.extension_policy.approval_required is False
    weights = config.assessment_weights
    assert (weights.response, weights.resolution, weights.satisfaction) == (0.2, 0.4, 0.4)
    assert {"12315", "12320", "12319", "12385", "12333", "12369", "12358"} <= set(
        config.merged_hotlines
    )


def test_population_is_unknown_by_default(beijing: dict[str, Any]) -> None:
    territorial = [u for u in beijing["units"] if "population" in u]
    assert len(territorial) == 1 + 16 + kinds(beijing)["street"] + kinds(beijing)["community"]
    assert all(u["population"] is None for u in territorial)


def test_estimated_populations_add_up_the_tree(beijing_estimated: dict[str, Any]) -> None:
    config = CityConfig.model_validate(beijing_estimated)
    children: dict[str, int] = Counter()
    for unit in config.units:
        if unit.kind in (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY):
            children[unit.parent] += unit.population
    for unit in config.units:
        if unit.kind is UnitKind.COMMUNITY:
            assert 500 <= unit.population <= 12_000
            if unit.name.endswith("社区"):
                assert unit.population >= 2_000
        elif unit.kind in (UnitKind.CITY_GOVERNMENT, UnitKind.DISTRICT, UnitKind.STREET):
            assert unit.population == children[unit.code], unit.code
    assert 10_000_000 < config.unit("110000").population < 60_000_000


def test_estimates_depend_only_on_the_seed(beijing_estimated: dict[str, Any]) -> None:
    assert build_city("北京", estimate_population=True, seed=7) == beijing_estimated
    other = build_city("北京", estimate_population=True, seed=8)
    assert other["units"][0]["population"] != beijing_estimated["units"][0]["population"]


def test_the_written_file_round_trips_and_is_deterministic(
    beijing_estimated: dict[str, Any], tmp_path: Path
) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    write_city(beijing_estimated, first, estimated_population=True)  # its speed: bench/city.py
    write_city(
        build_city("北京", estimate_population=True, seed=7), second, estimated_population=True
    )
    assert first.read_bytes() == second.read_bytes()
    assert load_city(first) == CityConfig.model_validate(beijing_estimated)
    text = first.read_text("utf-8")
    assert "ESTIMATES" in text
    section = text.split("\nunits:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(section) == len(beijing_estimated["units"])  # one unit per line
    assert all(line.startswith("  - {code: ") and line.endswith("}") for line in section)


def test_the_written_file_has_the_sections_in_order(beijing: dict[str, Any]) -> None:
    text = render_city(beijing)
    assert text.startswith("# ") and "jiesu city init" in text
    tops = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    assert tops == [
        "city",
        "merged_hotlines",
        "units",
        "categories",
        "dispatch_catalogue",
        "deadline_policy",
        "referral_policy",
        "extension_policy",
        "objection_policy",
        "consultation_policy",
        "handling_policy",
        "visit_policy",
        "intake_policy",
        "assessment_weights",
        "assessment_rules",
        "observation_policy",
        "appeal_policy",
    ]
    assert "ESTIMATES" not in text and "null" in text


def test_the_header_never_presents_estimates_as_statistics(
    beijing_estimated: dict[str, Any],
) -> None:
    assert "ARE ESTIMATES" in render_city(beijing_estimated, estimated_population=True)
    assert "ESTIMATES, NOT STATISTICS" in render_city(beijing_estimated)  # not said: warn
    assert "ESTIMATES" not in render_city(beijing_estimated, estimated_population=False)


def test_every_string_reads_back_as_itself(beijing: dict[str, Any]) -> None:
    """The writer leaves strings unquoted only where YAML reads them back unchanged."""
    odd = {
        "code": "x",
        "name": "true",
        "kind": "community",
        "aliases": ["0.5", "a: b", "#x", "10", "null", "~", "on", "- x", "[1]", 'é"\\'],
    }
    config = dict(beijing, units=[*beijing["units"][:2], odd])
    assert yaml.safe_load(render_city(config))["units"][2] == odd


@given(st.text() | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none())
def test_any_value_an_operator_could_hold_is_written_back_unchanged(value: Any) -> None:
    assert yaml.load(f"k: {{v: {_flow(value)}}}", Loader=yaml.CSafeLoader) == {"k": {"v": value}}


@pytest.mark.parametrize(
    ("name", "code", "prefix", "districts"),
    [("呼和浩特", "150100", "HHHT", 11), ("杭州", "330100", "HZ", 13)],
)
def test_other_cities(name: str, code: str, prefix: str, districts: int, tmp_path: Path) -> None:
    config = build_city(name)
    assert config["city"]["code"] == code and config["city"]["ticket_prefix"] == prefix
    assert kinds(config)["district"] == districts
    assert kinds(config)["utility"] == 4
    path = tmp_path / "city.yaml"
    write_city(config, path)
    assert load_city(path) == CityConfig.model_validate(config)


def test_a_city_without_districts_gets_a_distinct_district_code() -> None:
    """东莞's only district carries the city's own admin code in jionlp's data."""
    config = build_city("东莞")
    district = next(u for u in config["units"] if u["kind"] == "district")
    assert district["code"] == "44190000" and district["name"] == "东莞市直辖行政区划"
    CityConfig.model_validate(config)


def test_an_unknown_city_is_refused() -> None:
    with pytest.raises(UnknownCityError, match="北京市"):
        build_city("北惊")


def test_the_standard_set_is_consistent() -> None:
    """The catalogue names only departments and utilities the standard set creates."""
    std = standard_set()
    assert 20 <= len(std["city_departments"]) <= 30
    assert 10 <= len(std["district_departments"]) <= 15
    assert [u["key"] for u in std["utilities"]] == ["water", "power", "gas", "heating"]
    city_keys = {d["department"] for d in std["city_departments"]}
    district_keys = {d["department"] for d in std["district_departments"]}
    assert district_keys <= city_keys
    utilities = {f"utility.{u['key']}" for u in std["utilities"]}
    for top in std["categories"]:
        for child in top["children"]:
            lead = UnitKind(child["lead"])
            if lead is UnitKind.CITY_DEPARTMENT:
                assert child["department"] in city_keys, child
            elif lead is UnitKind.DISTRICT_DEPARTMENT:
                assert child["department"] in district_keys, child
            elif lead is UnitKind.UTILITY:
                assert child["unit"] in utilities, child
            else:
                assert lead in (UnitKind.STREET, UnitKind.COMMUNITY), child
