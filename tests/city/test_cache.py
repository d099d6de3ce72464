"""The parsed city file is kept as JSON, keyed by the file's bytes (O1): a start reads the
entry instead of parsing the YAML, any edit parses the file again, a damaged or
unwritable cache never stops a start, and validation runs every time."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiesu.city import cache
from jiesu.city.builder import build_city
from jiesu.city.loader import CityConfigError, load_city
from jiesu.city.writer import write_city


@pytest.fixture(scope="module")
def small() -> dict[str, Any]:
    return build_city("嘉峪关")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(where))
    return where


@pytest.fixture
def city_file(small: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "city.yaml"
    write_city(small, path)
    return path


def _entry(folder: Path, path: Path) -> Path:
    return folder / f"city-{cache.digest(path.read_bytes())}.json"


def _rename_in_entry(entry: Path, name: str) -> None:
    tree = json.loads(entry.read_text(encoding="utf-8"))
    tree["city"]["name"] = name
    entry.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")


def test_a_second_load_reads_the_entry_not_the_yaml(folder: Path, city_file: Path) -> None:
    first = load_city(city_file)
    entry = _entry(folder, city_file)
    assert entry.exists()
    assert load_city(city_file) == first
    _rename_in_entry(entry, "缓存市")  # only a load that reads the entry can see this
    assert load_city(city_file).city.name == "缓存市"


def test_an_edit_of_the_file_parses_it_again(folder: Path, city_file: Path) -> None:
    load_city(city_file)
    _rename_in_entry(_entry(folder, city_file), "缓存市")
    text = city_file.read_text(encoding="utf-8").replace("name: 嘉峪关市", "name: 雄关市", 1)
    city_file.write_text(text, encoding="utf-8")
    assert load_city(city_file).city.name == "雄关市"
    assert _entry(folder, city_file).exists()


def test_the_same_content_elsewhere_finds_the_entry(folder: Path, city_file: Path) -> None:
    load_city(city_file)
    _rename_in_entry(_entry(folder, city_file), "缓存市")
    copy = city_file.with_name("copy.yaml")
    copy.write_bytes(city_file.read_bytes())
    assert load_city(copy).city.name == "缓存市"


def test_a_damaged_entry_is_parsed_again_and_replaced(folder: Path, city_file: Path) -> None:
    expected = load_city(city_file)
    entry = _entry(folder, city_file)
    entry.write_text('{"city": {"na', encoding="utf-8")
    assert load_city(city_file) == expected
    assert json.loads(entry.read_text(encoding="utf-8"))["city"]["code"] == "620200"


def test_an_entry_is_validated_like_the_file(folder: Path, city_file: Path) -> None:
    load_city(city_file)
    entry = _entry(folder, city_file)
    tree = json.loads(entry.read_text(encoding="utf-8"))
    tree["city"]["ticket_prefix"] = "lower"
    entry.write_text(json.dumps(tree), encoding="utf-8")
    with pytest.raises(CityConfigError, match="ticket_prefix") as caught:
        load_city(city_file)
    assert caught.value.path == city_file


def test_an_unwritable_cache_does_not_stop_a_start(
    tmp_path: Path, city_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocked / "cache"))
    assert load_city(city_file).city.code == "620200"
    assert load_city(city_file).city.code == "620200"


def test_off_keeps_nothing(tmp_path: Path, city_file: Path, monkeypatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    load_city(city_file)
    assert cache.folder() is None and not (tmp_path / "xdg").exists()


def test_without_the_setting_the_entry_goes_to_the_xdg_cache(
    tmp_path: Path, city_file: Path, monkeypatch
) -> None:
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    load_city(city_file)
    assert _entry(tmp_path / "xdg" / "jiesu", city_file).exists()


def test_only_the_most_recently_used_entries_are_kept(
    folder: Path, small: dict[str, Any], tmp_path: Path
) -> None:
    paths = []
    for i in range(cache.KEEP + 3):
        path = tmp_path / f"city{i}.yaml"
        write_city(small, path)
        path.write_text(path.read_text(encoding="utf-8") + f"# version {i}\n", encoding="utf-8")
        load_city(path)
        paths.append(path)
    kept = sorted(folder.glob("city-*.json"))
    assert len(kept) == cache.KEEP
    assert _entry(folder, paths[-1]) in kept and _entry(folder, paths[0]) not in kept
    assert not list(folder.glob(".partial-*"))


def test_a_file_that_is_not_utf8_is_refused_by_name(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("city:\n  name: 北京市\n".encode("gbk"))
    with pytest.raises(CityConfigError, match="not UTF-8") as caught:
        load_city(path)
    assert caught.value.path == path and not list(folder.glob("city-*.json"))


@pytest.mark.parametrize(
    "tree",
    [{"day": date(2026, 1, 1)}, {1: "int key"}, {"set": {1, 2}}, {"t": (1, 2)}, [b"bytes"]],
)
def test_trees_json_would_change_are_not_exact(tree) -> None:
    assert not cache.exact_in_json(tree)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_json)
def test_what_is_exact_comes_back_from_json_equal_and_of_the_same_types(tree) -> None:
    assert cache.exact_in_json(tree)
    back = json.loads(json.dumps(tree, ensure_ascii=False))
    assert back == tree and repr(back) == repr(tree)
