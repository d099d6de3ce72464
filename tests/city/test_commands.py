"""``jiesu city init``: writes a checked file, never clobbers one, reports counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiesu.city.commands import DEFAULT_FILENAME, CityExistsError, CityInitError, init_city
from jiesu.city.divisions import UnknownCityError
from jiesu.city.loader import load_city


def test_init_writes_a_loadable_file_and_reports_counts(tmp_path: Path) -> None:
    out = tmp_path / "conf" / "hohhot.yaml"
    result = init_city("呼和浩特", out, estimate_population=True, seed=3, force=False)
    assert result.path == out and out.is_file()
    assert (result.city, result.code, result.ticket_prefix) == ("呼和浩特市", "150100", "HHHT")
    assert result.units_by_kind["district"] == 11 and result.units_by_kind["utility"] == 4
    assert result.units == len(load_city(out).units)
    assert result.population_estimated and result.lines()[0] == f"wrote {out}"
    assert Path(result) == out and str(result).startswith(f"{out}: 呼和浩特市 (150100), ")
    assert issubclass(CityExistsError, FileExistsError)
    assert [p.name for p in out.parent.iterdir()] == ["hohhot.yaml"]  # no temporary left


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "city.yaml"
    out.write_text("# the operator's edits\n", "utf-8")
    with pytest.raises(CityExistsError, match="--force"):
        init_city("呼和浩特", out, estimate_population=False, seed=0, force=False)
    assert out.read_text("utf-8") == "# the operator's edits\n"
    init_city("呼和浩特", out, estimate_population=False, seed=0, force=True)
    assert load_city(out).city.code == "150100"


def test_init_into_a_directory_uses_the_default_name(tmp_path: Path) -> None:
    result = init_city("呼和浩特", tmp_path, estimate_population=False, seed=0, force=False)
    assert result.path == tmp_path / DEFAULT_FILENAME


def test_init_of_an_unknown_city_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(CityInitError, match="unknown city '北惊'.*北京市") as caught:
        init_city("北惊", tmp_path / "city.yaml", estimate_population=False, seed=0, force=False)
    assert isinstance(caught.value.__cause__, UnknownCityError)
    assert not any(tmp_path.iterdir())


def test_init_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_city("呼和浩特", tmp_path / "c.yaml", estimate_population=False, seed=0, force=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
