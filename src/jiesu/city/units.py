"""Units of a city (O1): their kinds, and the strict base of every configuration model."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class UnitKind(StrEnum):
    CITY_GOVERNMENT = "city_government"  # 市政府
    HOTLINE = "hotline"  # 市民热线服务中心
    DISTRICT = "district"  # 区/县/旗政府
    STREET = "street"  # 街道/乡镇
    COMMUNITY = "community"  # 社区/村
    CITY_DEPARTMENT = "city_department"  # 市级部门
    DISTRICT_DEPARTMENT = "district_department"  # 区级部门
    UTILITY = "utility"  # 公共服务企业（水电气热）


UNIT_KIND_LABELS_ZH = {
    UnitKind.CITY_GOVERNMENT: "市政府",
    UnitKind.HOTLINE: "热线中心",
    UnitKind.DISTRICT: "区政府",
    UnitKind.STREET: "街道乡镇",
    UnitKind.COMMUNITY: "社区村",
    UnitKind.CITY_DEPARTMENT: "市级部门",
    UnitKind.DISTRICT_DEPARTMENT: "区级部门",
    UnitKind.UTILITY: "公共服务企业",
}


class Strict(BaseModel):
    # Numbers written without quotes (parent: 110101) are taken as the codes they look like.
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Unit(Strict):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=128)
    kind: UnitKind
    parent: str | None = None
    department: str | None = None  # department type key shared by city and district level
    population: int | None = Field(default=None, ge=0)
    around_the_clock: bool = False  # 7×24 service (H6)
    aliases: tuple[str, ...] = ()


#: Kinds that lead by duty (职权法定) rather than by territory.
DEPARTMENT_KINDS = frozenset(
    {UnitKind.CITY_DEPARTMENT, UnitKind.DISTRICT_DEPARTMENT, UnitKind.UTILITY}
)
#: Kinds that belong to one district's territory (属地).
DISTRICT_LEVEL_KINDS = frozenset(
    {UnitKind.DISTRICT, UnitKind.DISTRICT_DEPARTMENT, UnitKind.STREET, UnitKind.COMMUNITY}
)
