"""The division tree read from jionlp's data (O1): counts, names, errors, speed."""

from __future__ import annotations

import pytest

from jiesu.city.divisions import (
    UnknownCityError,
    is_village,
    load_city_divisions,
    location_file,
    short_forms,
)


def test_the_data_file_is_found_without_importing_jionlp() -> None:
    assert location_file().name in {"china_location.txt", "china_location.zip"}


def test_beijing_has_16_districts_339_streets_and_about_7000_communities() -> None:
    beijing = load_city_divisions("北京")  # its speed: bench/city.py
    assert (beijing.name, beijing.code, beijing.short_name) == ("北京市", "110000", "北京")
    assert len(beijing.districts) == 16
    assert 330 <= beijing.street_count <= 350  # jionlp 1.5.31: 339
    assert 6_900 <= beijing.community_count <= 7_300  # jionlp 1.5.31: 7,152 (duplicates dropped)
    assert {"东城区", "西城区", "朝阳区", "海淀区", "延庆区"} <= {d.name for d in beijing.districts}


@pytest.mark.parametrize("name", ["北京", "北京市", " 北京市 ", "北京市/北京市"])
def test_a_municipality_is_found_by_its_name_with_or_without_市(name: str) -> None:
    assert load_city_divisions(name).code == "110000"


@pytest.mark.parametrize(
    ("name", "code", "province"),
    [
        ("呼和浩特", "150100", "内蒙古自治区"),
        ("呼和浩特市", "150100", "内蒙古自治区"),
        ("杭州市", "330100", "浙江省"),
        ("浙江/杭州", "330100", "浙江省"),
        ("上海", "310000", "上海市"),
        ("吉林", "220200", "吉林省"),  # the city, not the province
        ("延边", "222400", "吉林省"),  # an autonomous prefecture by its alias
    ],
)
def test_other_cities_are_found(name: str, code: str, province: str) -> None:
    city = load_city_divisions(name)
    assert (city.code, city.province) == (code, province)
    assert city.districts and city.street_count and city.community_count


def test_duplicate_entries_in_the_data_are_dropped() -> None:
    for district in load_city_divisions("北京").districts:
        assert len({s.name for s in district.streets}) == len(district.streets)
        for street in district.streets:
            assert len(set(street.communities)) == len(street.communities)


def test_an_unknown_city_is_refused_with_close_matches() -> None:
    with pytest.raises(UnknownCityError) as caught:
        load_city_divisions("北惊")
    assert "北惊" in str(caught.value)
    assert "北京市" in caught.value.suggestions


def test_a_county_level_city_points_to_its_prefecture() -> None:
    with pytest.raises(UnknownCityError) as caught:
        load_city_divisions("义乌")
    assert any(s.startswith("金华市") for s in caught.value.suggestions)


@pytest.mark.parametrize("name", ["", "火星市", "省直辖行政区划", "广东/杭州"])
def test_names_that_are_no_city_are_refused(name: str) -> None:
    with pytest.raises(UnknownCityError, match="unknown city"):
        load_city_divisions(name)


@pytest.mark.parametrize(
    ("name", "level", "forms"),
    [
        ("东华门街道", "street", ("东华门",)),
        ("南口地区", "street", ("南口",)),
        ("长哨营满族乡", "street", ("长哨营",)),
        ("黄村镇", "street", ("黄村",)),
        ("东厂社区", "community", ("东厂",)),
        ("南口村", "community", ("南口",)),
        ("黄村", "community", ()),  # a one-character stem would match anything
        ("富燕新村", "community", ()),  # a housing estate named 新村
    ],
)
def test_short_forms_drop_the_level_suffix(name: str, level: str, forms: tuple[str, ...]) -> None:
    assert short_forms(name, level=level) == forms


def test_villages_are_told_from_communities() -> None:
    assert is_village("南口村") and is_village("某某嘎查")
    assert not is_village("东厂社区") and not is_village("富燕新村")


def test_the_zipped_copy_reads_the_same() -> None:
    """jionlp ships the data zipped too; an install with only the zip still works."""
    zipped = location_file().with_name("china_location.zip")
    if not zipped.is_file():
        pytest.skip("this jionlp has no zipped copy")
    assert load_city_divisions("呼和浩特", source=zipped) == load_city_divisions("呼和浩特")
