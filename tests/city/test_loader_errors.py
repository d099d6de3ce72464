"""A broken copy of a generated file is refused with the file and the entry named."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jiesu.city.builder import build_city
from jiesu.city.loader import CityConfigError, load_city
from jiesu.city.writer import write_city


@pytest.fixture(scope="module")
def small() -> dict[str, Any]:
    return build_city("嘉峪关")  # one district, ~100 units: fast to write and load


def refused(
    config: dict[str, Any], tmp_path: Path, edit: Callable[[dict[str, Any]], Any]
) -> tuple[Path, str]:
    broken = copy.deepcopy(config)
    edit(broken)
    path = tmp_path / "broken.yaml"
    write_city(broken, path)
    with pytest.raises(CityConfigError) as caught:
        load_city(path)
    assert caught.value.path == path
    return path, str(caught.value)


def test_the_untouched_file_loads(small: dict[str, Any], tmp_path: Path) -> None:
    write_city(small, tmp_path / "ok.yaml")
    assert load_city(tmp_path / "ok.yaml").city.code == "620200"


def test_duplicate_code(small: dict[str, Any], tmp_path: Path) -> None:
    code = small["units"][3]["code"]
    path, message = refused(small, tmp_path, lambda c: c["units"][5].update(code=code))
    assert str(path) in message
    assert f"units[5] (code={code}): duplicate unit code" in message


def test_missing_parent(small: dict[str, Any], tmp_path: Path) -> None:
    code = small["units"][7]["code"]
    path, message = refused(small, tmp_path, lambda c: c["units"][7].update(parent="nowhere"))
    assert str(path) in message
    assert f"units[7] (code={code}): parent 'nowhere' is not a unit" in message


def test_bad_field_of_a_unit(small: dict[str, Any], tmp_path: Path) -> None:
    code = small["units"][3]["code"]
    path, message = refused(small, tmp_path, lambda c: c["units"][3].update(kind="ministry"))
    assert str(path) in message and f"units[3] (code={code}).kind" in message


def test_weights_not_adding_up_to_one(small: dict[str, Any], tmp_path: Path) -> None:
    path, message = refused(small, tmp_path, lambda c: c["assessment_weights"].update(response=0.3))
    assert str(path) in message
    assert "assessment_weights: weights must add up to 1, they add up to 1.1" in message


def test_a_rule_set_whose_weights_do_not_add_up(small: dict[str, Any], tmp_path: Path) -> None:
    """A3: a proposed rule set is refused whole, with its place in the file named."""
    rule = {"name": "proposal", "weights": {"response": 0.5, "resolution": 0.4,
                                            "satisfaction": 0.4}}  # fmt: skip
    path, message = refused(small, tmp_path, lambda c: c.update(assessment_rules=[rule]))
    assert str(path) in message
    assert "assessment_rules[0].weights: weights must add up to 1, they add up to 1.3" in message


def test_a_base_period_that_does_not_exist(small: dict[str, Any], tmp_path: Path) -> None:
    path, message = refused(
        small, tmp_path, lambda c: c.update(observation_policy={"base_period": "last_decade"})
    )
    assert "observation_policy.base_period" in message


def test_unknown_category_in_catalogue(small: dict[str, Any], tmp_path: Path) -> None:
    path, message = refused(
        small, tmp_path, lambda c: c["dispatch_catalogue"][2].update(category="城乡建设/不存在")
    )
    assert str(path) in message
    assert (
        "dispatch_catalogue[2] (category=城乡建设/不存在): category is not in categories" in message
    )


def test_bad_timezone(small: dict[str, Any], tmp_path: Path) -> None:
    path, message = refused(small, tmp_path, lambda c: c["city"].update(timezone="Mars/Olympus"))
    assert str(path) in message and "city.timezone: unknown time zone 'Mars/Olympus'" in message


def test_each_problem_on_its_own_line(small: dict[str, Any], tmp_path: Path) -> None:
    def edit(c: dict[str, Any]) -> None:
        c["units"][7]["parent"] = "nowhere"
        c["dispatch_catalogue"][0]["category"] = "没有/这个分类"

    _, message = refused(small, tmp_path, edit)
    lines = [line for line in message.splitlines() if line.startswith("  - ")]
    assert any("units[7]" in line and "is not a unit" in line for line in lines)
    assert any("dispatch_catalogue[0]" in line for line in lines)
    assert not any("units[7]" in line and "dispatch_catalogue" in line for line in lines)


def test_parent_cycle_is_refused(small: dict[str, Any], tmp_path: Path) -> None:
    district = next(u["code"] for u in small["units"] if u["kind"] == "district")
    city = small["city"]["code"]
    _, message = refused(
        small,
        tmp_path,
        lambda c: next(u for u in c["units"] if u["code"] == city).update(parent=district),
    )
    assert "its parents form a cycle" in message


def test_wrong_parent_kind_and_department_without_key(
    small: dict[str, Any], tmp_path: Path
) -> None:
    community = next(u for u in small["units"] if u["kind"] == "community")
    dept = next(u for u in small["units"] if u["kind"] == "city_department")

    def edit(c: dict[str, Any]) -> None:
        next(u for u in c["units"] if u["code"] == community["code"]).update(parent=dept["code"])
        next(u for u in c["units"] if u["code"] == dept["code"]).pop("department")

    _, message = refused(small, tmp_path, edit)
    assert f"(code={community['code']}): a community cannot stand under city_department" in message
    assert f"(code={dept['code']}): a department needs its `department` key" in message


def test_catalogue_department_nobody_has(small: dict[str, Any], tmp_path: Path) -> None:
    _, message = refused(
        small,
        tmp_path,
        lambda c: c["dispatch_catalogue"][0].update(
            lead_kind="city_department", department="wizardry", unit=None
        ),
    )
    assert "no unit has department 'wizardry'" in message


def test_key_written_twice(small: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    write_city(small, path)
    text = path.read_text(encoding="utf-8").replace(
        "timezone: Asia/Shanghai", "timezone: Asia/Shanghai\n  timezone: UTC", 1
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CityConfigError, match="'timezone' appears twice"):
        load_city(path)


def test_unquoted_numeric_codes_are_taken_as_codes(small: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "numeric.yaml"
    write_city(small, path)
    text = path.read_text(encoding="utf-8").replace('parent: "620200"', "parent: 620200")
    assert "parent: 620200" in text
    path.write_text(text, encoding="utf-8")
    assert load_city(path).unit(small["units"][2]["code"]) is not None
