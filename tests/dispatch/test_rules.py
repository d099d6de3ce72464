"""D8: the catalogue's rules that protect communities and streets (BJ Art. 17, HH Art. 19),
as pure functions."""

from __future__ import annotations

import pytest

from jiesu.city.catalogue import CatalogueEntry, entry_for
from jiesu.city.units import Unit, UnitKind
from jiesu.dispatch import rules

COMMUNITY = Unit(code="c1", name="东华社区", kind=UnitKind.COMMUNITY, parent="s1")
STREET = Unit(code="s1", name="东华街道", kind=UnitKind.STREET, parent="d1")
DISTRICT = Unit(code="d1", name="东区人民政府", kind=UnitKind.DISTRICT, parent="city")
DISTRICT_DEPT = Unit(
    code="d1.urban",
    name="东区城管委",
    kind=UnitKind.DISTRICT_DEPARTMENT,
    parent="d1",
    department="urban",
)
CITY_DEPT = Unit(
    code="city.t", name="市交通委", kind=UnitKind.CITY_DEPARTMENT, parent="city", department="t"
)


def entry(**kw) -> CatalogueEntry:
    return CatalogueEntry(category="x", **{"lead_kind": UnitKind.STREET, **kw})


def codes(*args, **kw) -> list[str]:
    return [b.code for b in rules.violations(*args, **kw)]


@pytest.mark.parametrize(
    ("community_part", "as_lead", "as_co"),
    [
        (None, ["dispatch.rule.community_duty_list"], ["dispatch.rule.community_duty_list"]),
        ("assist", ["dispatch.rule.community_assist_only"], []),
        ("duty", [], []),
    ],
)
def test_community_duty_list_and_assist_only(community_part, as_lead, as_co):
    e = entry(community=community_part)
    assert codes(e, COMMUNITY) == as_lead
    assert codes(e, STREET, [COMMUNITY]) == as_co


def test_a_community_led_entry_is_on_the_duty_list():
    assert codes(entry(lead_kind=UnitKind.COMMUNITY), COMMUNITY) == []


def test_without_an_entry_nothing_goes_to_a_community_and_nothing_else_is_refused():
    assert codes(None, COMMUNITY) == ["dispatch.rule.community_duty_list"]
    assert codes(None, STREET) == [] and codes(None, DISTRICT_DEPT) == []


@pytest.mark.parametrize("kind", [UnitKind.DISTRICT_DEPARTMENT, UnitKind.CITY_DEPARTMENT])
def test_a_street_never_leads_a_departments_matter_unless_the_entry_says_so(kind):
    assert codes(entry(lead_kind=kind, department="urban"), STREET) == [
        "dispatch.rule.department_matter"
    ]
    assert codes(entry(lead_kind=kind, department="urban", street="assist"), STREET) == [
        "dispatch.rule.department_matter"
    ]
    assert codes(entry(lead_kind=kind, department="urban", street="duty"), STREET) == []
    # A street may always help.
    assert codes(entry(lead_kind=kind, department="urban"), DISTRICT_DEPT, [STREET]) == []


def test_in_a_city_district_dispute_the_city_department_leads():
    e = entry(lead_kind=UnitKind.CITY_DEPARTMENT, department="t")
    disputants = [CITY_DEPT, DISTRICT]
    for lead in (DISTRICT, DISTRICT_DEPT):
        assert codes(e, lead, disputants=disputants) == ["dispatch.rule.city_department_leads"]
    assert codes(e, CITY_DEPT, disputants=disputants) == []
    # No dispute without both sides.
    assert codes(e, DISTRICT, disputants=[DISTRICT]) == []
    assert codes(e, DISTRICT, disputants=[CITY_DEPT]) == []


def test_a_broken_rule_names_itself_in_both_languages():
    with pytest.raises(rules.RuleBroken) as caught:
        rules.check(entry(community="assist"), COMMUNITY)
    err = caught.value
    assert err.status == 422 and err.details["rule"] == "community_assist_only"
    assert "东华社区" in err.message_zh and "BJ Art. 17" in err.message_zh
    assert "c1" in err.message_en and "lead" in err.message_en


def test_the_most_specific_entry_applies():
    general = CatalogueEntry(category="城市管理", lead_kind=UnitKind.STREET)
    special = CatalogueEntry(
        category="城市管理/噪声扰民", lead_kind=UnitKind.DISTRICT_DEPARTMENT, department="urban"
    )
    typed = CatalogueEntry(
        category="城市管理/噪声扰民", request_types=("report",), lead_kind=UnitKind.STREET
    )
    entries = [general, special, typed]
    assert entry_for(entries, "城市管理/噪声扰民", "complaint") is special
    assert entry_for(entries, "城市管理/噪声扰民", "report") is typed
    assert entry_for(entries, "城市管理/占道经营", "report") is general
    assert (
        entry_for(entries, "城市管理噪声", "report") is None
    )  # a prefix of the name is not a parent
