"""China's administrative divisions for one city, read from the data ``jionlp`` ships (O1).

``jiesu city init`` needs the four-level tree (city, districts,
streets/townships, communities/villages) of whatever city deploys jiesu. The
``jionlp`` package carries that tree as ``dictionary/china_location.txt``, a
tab-indented outline::

    北京市<TAB>110000<TAB>北京              province (no tab): name, code, alias
    <TAB>北京市<TAB>110000<TAB>北京         city (1 tab)
    <TAB><TAB>东城区<TAB>110101<TAB>东城    district/county (2 tabs)
    <TAB><TAB><TAB>东华门街道               street/township (3 tabs), name only
    <TAB><TAB><TAB><TAB>东厂社区            community/village (4 tabs), name only

The file has ~700,000 lines; a deployment needs one city, so it is streamed
and reading stops when the city's block ends (Beijing: well under a second).
The file is located without importing ``jionlp``, whose import prints to
stdout and loads far more than this needs.

The four municipalities (北京, 上海, 天津, 重庆) repeat their name at the
province and city level, so they are found like any other city.
"""

from __future__ import annotations

import difflib
import importlib.util
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "CityDivisions",
    "District",
    "Street",
    "UnknownCityError",
    "load_city_divisions",
    "is_village",
    "location_file",
    "pinyin_initials",
    "short_forms",
]

_DATA_NAME = "china_location.txt"

#: City-level placeholders grouping county-level cities directly under a
#: province (e.g. 仙桃, 济源): not a city anyone deploys for, and not unique.
_PLACEHOLDERS = frozenset({"省直辖行政区划"})


@dataclass(frozen=True)
class Street:
    """A street (街道) or township (乡镇) with its communities/villages, in file order."""

    name: str
    communities: tuple[str, ...]


@dataclass(frozen=True)
class District:
    """A district, county, banner or county-level city (区/县/旗/县级市)."""

    name: str
    code: str
    alias: str
    streets: tuple[Street, ...]


@dataclass(frozen=True)
class CityDivisions:
    """One city's division tree as jionlp ships it (duplicate entries dropped)."""

    name: str
    code: str
    alias: str
    province: str
    districts: tuple[District, ...]

    @property
    def short_name(self) -> str:
        """The name people say: 北京 for 北京市, 延边 for 延边朝鲜族自治州."""
        if self.name.endswith("市"):  # jionlp's alias of 吉林市 is 吉林市 (the province is 吉林)
            return self.name.removesuffix("市")
        return _first_alias(self.alias) or self.name

    @property
    def street_count(self) -> int:
        return sum(len(d.streets) for d in self.districts)

    @property
    def community_count(self) -> int:
        return sum(len(s.communities) for d in self.districts for s in d.streets)


class UnknownCityError(LookupError):
    """No city of that name in the data; ``suggestions`` holds close matches."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean: {'、'.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"unknown city {name!r}: not a prefecture-level city or municipality in "
            f"jionlp's division data{hint}"
        )


def location_file() -> Path:
    """The ``china_location.txt`` shipped with jionlp (the ``.zip`` when the text is absent)."""
    spec = importlib.util.find_spec("jionlp")  # finds the package without running its import
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the jionlp package is not installed; it carries the division data")
    for location in spec.submodule_search_locations:
        folder = Path(location) / "dictionary"
        for candidate in (folder / _DATA_NAME, folder / "china_location.zip"):
            if candidate.is_file():
                return candidate
    raise FileNotFoundError(f"jionlp is installed but its dictionary/{_DATA_NAME} is missing")


def load_city_divisions(name: str, *, source: Path | None = None) -> CityDivisions:
    """Read the division tree of the city called ``name`` (北京, 北京市, 呼和浩特, 杭州市 ...).

    A province may be given first to be explicit: ``浙江省/杭州市``. Raises
    :class:`UnknownCityError` naming close matches when there is no such city.
    """
    province_wanted, city_wanted = _split_query(name)
    if not city_wanted:
        raise UnknownCityError(name, [])
    cities: list[tuple[str, str, str]] = []  # (province, city, alias) seen, for suggestions
    counties: list[tuple[str, str]] = []  # (county, its city): a common mistake is naming one
    province = ""
    with _open_lines(source or location_file()) as lines:
        for line in lines:
            if not line.strip():
                continue
            if line[:1] != "\t":  # province
                province = line.split("\t", 1)[0].strip()
                continue
            if line[1:2] != "\t":  # city
                fields = [f.strip() for f in line[1:].split("\t")]
                fields += [""] * (3 - len(fields))
                cities.append((province, fields[0], fields[2]))
                if _matches(province_wanted, city_wanted, province, fields[0], fields[2]):
                    return _read_city(province, fields[0], fields[1], fields[2], lines)
                continue
            if line[2:3] != "\t":  # district of a city we skip: remember it for the hint
                counties.append(
                    (line[2:].split("\t", 1)[0].strip(), cities[-1][1] if cities else "")
                )
    raise UnknownCityError(name, _suggest(city_wanted, cities, counties))


#: The ethnic groups that name townships (满族乡, 蒙古族乡, 鄂温克民族乡 ...).
_ETHNIC = (
    "满|回|蒙古|朝鲜|土家|苗|彝|瑶|壮|藏|侗|布依|白|傣|哈尼|黎|畲|水|仫佬|毛南|仡佬|羌|土|"
    "达斡尔|鄂温克|鄂伦春|锡伯|哈萨克|柯尔克孜|塔吉克|维吾尔|纳西|拉祜|佤|傈僳|景颇|怒|独龙|"
    "普米|阿昌|基诺|德昂|布朗|京|东乡|保安|撒拉|裕固|赫哲|门巴|珞巴|俄罗斯|乌孜别克|塔塔尔"
)
_STREET_SUFFIX = re.compile(
    rf"(?:(?:{_ETHNIC})族)*(?:(?:{_ETHNIC})民族)?(?:街道办事处|街道|地区办事处|地区|镇|乡|苏木)$"
)
_COMMUNITY_SUFFIX = re.compile(
    r"(?:社区居民委员会|社区居委会|居民委员会|居委会|村民委员会|村委会|社区|嘎查|村)$"
)
_VILLAGE = re.compile(r"(?:村|村委会|村民委员会|嘎查)$")


def short_forms(name: str, *, level: str) -> tuple[str, ...]:
    """The names people use for a division in an address: 东华门街道 → 东华门, 东厂社区 → 东厂.

    ``level`` is ``"street"`` or ``"community"``. A one-character stem (黄村 → 黄)
    would match almost any address, so none is offered then.
    """
    if level != "street" and name.endswith("新村"):  # 富燕新村: a housing estate, not a village
        return ()
    pattern = _STREET_SUFFIX if level == "street" else _COMMUNITY_SUFFIX
    stem = pattern.sub("", name)
    return (stem,) if len(stem) >= 2 and stem != name else ()


def is_village(name: str) -> bool:
    """A village (村, 嘎查) rather than an urban community: villages are far smaller."""
    return bool(_VILLAGE.search(name)) and not name.endswith("新村")


@cache
def pinyin_initials(text: str, limit: int = 8) -> str | None:
    """Uppercase pinyin initials (北京 → BJ, 呼和浩特 → HHHT), None when any character has none.

    jionlp's pinyin works offline from its own dictionary and picks the reading
    of place names (重庆 → CQ). It is imported only here, and its import banner
    is swallowed so the CLI's output stays its own.
    """
    try:
        with redirect_stdout(io.StringIO()):
            import jionlp

            syllables = jionlp.pinyin(text, formater="simple")
    except Exception:  # an optional nicety: the caller has a fallback
        return None
    initials = "".join(s[0] for s in syllables if s and s[0].isascii() and s[0].isalpha())
    if not initials or len(initials) != len(text):
        return None
    return initials.upper()[:limit]


# --- reading -------------------------------------------------------------------------


@contextmanager
def _open_lines(path: Path) -> Iterator[Iterator[str]]:
    """Lines without their ending (the file uses CRLF), from the text file or its zip."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive, archive.open(_DATA_NAME) as raw:
            yield (line.rstrip("\r\n") for line in io.TextIOWrapper(raw, encoding="utf-8"))
    else:
        with path.open(encoding="utf-8") as handle:
            yield (line.rstrip("\r\n") for line in handle)


def _read_city(
    province: str, name: str, code: str, alias: str, lines: Iterator[str]
) -> CityDivisions:
    """Consume the city's block from ``lines``; stop at the next city or province."""
    districts: list[District] = []
    d_name = d_code = d_alias = ""
    streets: dict[str, list[str]] = {}  # street → communities, insertion-ordered
    current: list[str] | None = None

    def close_district() -> None:
        if d_name:
            districts.append(
                District(
                    d_name,
                    d_code,
                    d_alias,
                    tuple(Street(s, tuple(dict.fromkeys(c))) for s, c in streets.items()),
                )
            )

    for line in lines:
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip("\t"))
        if depth <= 1:
            break
        text = line[depth:]
        if depth == 2:
            close_district()
            fields = [f.strip() for f in text.split("\t")] + ["", ""]
            d_name, d_code, d_alias = fields[0], fields[1], fields[2]
            streets = {}
            current = None
        elif depth == 3:
            # jionlp lists a few streets twice (e.g. 盐田区 市保税区): merge them.
            current = streets.setdefault(text.strip(), [])
        elif current is not None and text.strip():
            current.append(text.strip())  # duplicates dropped in close_district
    close_district()
    return CityDivisions(name, code, alias, province, tuple(districts))


# --- matching --------------------------------------------------------------------------


def _split_query(name: str) -> tuple[str, str]:
    text = name.strip().replace(" ", "/")
    if "/" in text:
        province, _, city = text.rpartition("/")
        return province.strip("/"), city.strip()
    return "", text


def _first_alias(alias: str) -> str:
    return alias.split("/", 1)[0].strip()


def _keys(name: str, alias: str) -> set[str]:
    keys = {name, name.removesuffix("市")}
    keys.update(a.strip() for a in alias.split("/") if a.strip())
    return keys


def _matches(province_wanted: str, wanted: str, province: str, name: str, alias: str) -> bool:
    if name in _PLACEHOLDERS:
        return False
    if province_wanted and not province.startswith(
        province_wanted.removesuffix("省").removesuffix("市")
    ):
        return False
    return bool({wanted, wanted.removesuffix("市")} & _keys(name, alias))


def _suggest(
    wanted: str, cities: list[tuple[str, str, str]], counties: list[tuple[str, str]]
) -> list[str]:
    """Close city names, then county-level units of that name (with the city they belong to)."""
    by_key: dict[str, str] = {}
    for _province, name, alias in cities:
        if name in _PLACEHOLDERS:
            continue
        for key in _keys(name, alias):
            by_key.setdefault(key, name)
    stem = wanted.removesuffix("市")

    def score(key: str) -> float:
        # difflib's ratio alone ranks 淮北 as close to 北惊 as 北京; same-position
        # characters are what a typo or a missing character leaves intact.
        same = sum(a == b for a, b in zip(stem, key, strict=False))
        return difflib.SequenceMatcher(None, stem, key).ratio() + 0.25 * same / max(len(stem), 1)

    scored = sorted((-score(k), k) for k in by_key)
    found = [by_key[k] for s, k in scored if -s >= 0.6]
    found += [n for k, n in by_key.items() if len(stem) > 1 and (stem in k or k in stem)]
    hints = [
        f"{city}（{county} is one of its districts/counties）"
        for county, city in counties
        if stem and city and stem in {county, county.removesuffix("市"), county[:-1]}
    ]
    hints += list(dict.fromkeys(found))[:5]
    return hints[:8]
