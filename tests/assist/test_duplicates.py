"""Merge candidates (并单, BJ Art. 11 (3), G1): the same matter at the same place within the
window is found with its reasons; another matter, an old ticket, a finished one and a merged
one are not."""

from __future__ import annotations

from sqlalchemy import select, update

from jiesu.intake.duplicates import DuplicateQuery, find_candidates, scope_of, units_in_address
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork
from tests.api.helpers import act, create

DONGHUA = "990101001001"  # 东华社区 of 东华街道
NANCHI = "990101001002"  # 南池社区, the other community of 东华街道
FUYOU = "990102001001"  # 府右街社区, another district

LIFT = {
    "title": "小区电梯长期故障",
    "content": "东华社区3号楼电梯坏了两周，物业一直不修，老人上下楼困难。",
    "address": "东区东华街道东华社区3号楼",
    "location_unit_code": DONGHUA,
}
LIFT_AGAIN = DuplicateQuery(
    title="3号楼电梯还是坏的",
    content="市民来电反映：东华社区3号楼的电梯已经停运半个多月了，物业说在等配件，一直不修，"
    "家里老人没法上下楼，希望尽快处理。",
    address="东区东华街道东华社区3号楼2单元",
    location_unit_code=DONGHUA,
    category="城乡建设/物业管理",
)


def _find(ctx, query: DuplicateQuery = LIFT_AGAIN, **kw):
    with UnitOfWork(ctx.engine, write=False) as uow:
        return find_candidates(uow.session, ctx.city, query, ctx.now(), **kw)


def test_a_paraphrase_at_the_same_community_is_found_with_reasons(client, auth, ctx):
    first = create(client, auth, **LIFT)
    create(
        client,
        auth,
        title="楼下餐馆油烟扰民",
        category="城市管理/噪声扰民",
        content="东华社区5号楼楼下餐馆油烟直排，晚上还很吵。",
        address="东区东华街道东华社区5号楼",
        location_unit_code=DONGHUA,
    )
    ctx.clock.advance(days=3)
    found = _find(ctx)
    assert [c.number for c in found] == [first["number"]]
    reasons = {r.code: r for r in found[0].reasons}
    assert {"similar_words", "same_community", "same_address", "same_category"} <= set(reasons)
    assert "电梯" in reasons["similar_words"].detail
    assert reasons["same_address"].detail == "3号楼"
    assert 0.4 <= found[0].score <= 1 and found[0].status == "received"


def test_the_same_requester_is_a_reason(client, auth, ctx):
    first = create(client, auth, **LIFT)
    with UnitOfWork(ctx.engine, write=False) as uow:
        t = tables.tickets.c
        requester = uow.session.execute(
            select(t.requester_id).where(t.number == first["number"])
        ).scalar_one()
    found = _find(ctx, DuplicateQuery(**{**LIFT_AGAIN.__dict__, "requester_id": requester}))
    assert "same_requester" in {r.code for r in found[0].reasons}


def test_another_matter_at_the_same_place_is_not_a_candidate(client, auth, ctx):
    create(client, auth, **LIFT)
    noise = DuplicateQuery(
        title="广场舞噪音扰民",
        content="东华社区中心广场每天晚上广场舞音响声音太大，一直跳到十点，影响休息。",
        address="东区东华街道东华社区",
        location_unit_code=DONGHUA,
    )
    assert _find(ctx, noise) == []


def test_the_same_matter_elsewhere_is_not_a_candidate(client, auth, ctx):
    create(
        client,
        auth,
        **{
            **LIFT,
            "content": LIFT["content"].replace("东华", "府右街"),
            "address": "西区西长安街道府右街社区3号楼",
            "location_unit_code": FUYOU,
        },
    )
    assert _find(ctx) == []


def test_a_ticket_outside_the_window_is_not_a_candidate(client, auth, ctx):
    create(client, auth, **LIFT)
    window = ctx.city.intake_policy.duplicate_window_days
    ctx.clock.advance(days=window - 1)
    assert len(_find(ctx)) == 1
    ctx.clock.advance(days=2)
    assert _find(ctx) == []
    assert len(_find(ctx, window_days=window + 5)) == 1


def test_finished_tickets_are_candidates_for_a_day_only(client, auth, ctx):
    answered = create(client, auth, **LIFT)
    act(
        client,
        auth,
        "operator",
        answered["number"],
        "answer_directly",
        answer="已告知来电人电梯维修的办理途径。",
    )
    referred = create(client, auth, **LIFT)
    act(
        client,
        auth,
        "operator",
        referred["number"],
        "refer",
        referral_reason="out_of_scope",
        destination="已告知来电人可通过业主大会协商解决。",
    )
    ctx.clock.advance(hours=20)
    assert {c.number for c in _find(ctx)} == {answered["number"], referred["number"]}
    ctx.clock.advance(hours=5)
    assert _find(ctx) == []


def test_merged_tickets_are_not_offered_again(client, auth, ctx):
    first = create(client, auth, **LIFT)
    second = create(client, auth, **{**LIFT, "title": "电梯又坏了"})
    act(client, auth, "operator", second["number"], "merge", into_number=first["number"])
    assert [c.number for c in _find(ctx)] == [first["number"]]


def test_a_ticket_pointing_at_another_is_not_offered_and_a_ticket_can_be_excluded(
    client, auth, ctx
):
    first = create(client, auth, **LIFT)
    second = create(client, auth, **LIFT)
    with ctx.engine.begin() as conn:  # a merge link, whatever the status says
        t = tables.tickets.c
        first_id = conn.execute(select(t.id).where(t.number == first["number"])).scalar_one()
        conn.execute(
            update(tables.tickets)
            .where(t.number == second["number"])
            .values(merged_into_id=first_id)
        )
    assert [c.number for c in _find(ctx)] == [first["number"]]
    itself = DuplicateQuery(**{**LIFT_AGAIN.__dict__, "exclude_ticket_id": first_id})
    assert _find(ctx, itself) == []


def test_the_place_is_read_from_the_address_when_no_unit_is_given(client, auth, ctx, city):
    first = create(client, auth, **LIFT)
    assert [u.code for u in units_in_address(city, "东区东华街道东华社区3号楼")] == [
        DONGHUA,
        "990101001",
    ]
    scope = scope_of(city, None, "东华街道东华社区3号楼")
    assert scope.community.code == DONGHUA and NANCHI in scope.neighbours
    query = DuplicateQuery(**{**LIFT_AGAIN.__dict__, "location_unit_code": None})
    assert [c.number for c in _find(ctx, query)] == [first["number"]]
    # a district as the location: the address still narrows it down to the community
    query = DuplicateQuery(**{**LIFT_AGAIN.__dict__, "location_unit_code": "990101"})
    assert [c.number for c in _find(ctx, query)] == [first["number"]]


def test_a_neighbouring_community_needs_nearly_the_same_words(client, auth, ctx):
    create(
        client,
        auth,
        **{**LIFT, "location_unit_code": NANCHI, "address": "东区东华街道南池社区3号楼"},
    )
    assert _find(ctx) == []  # a paraphrase next door is another lift
    same_words = DuplicateQuery(LIFT["title"], LIFT["content"], LIFT["address"], DONGHUA)
    found = _find(ctx, same_words)
    assert len(found) == 1 and "same_street" in {r.code for r in found[0].reasons}


def test_the_same_requester_elsewhere_is_found_without_a_place_reason(client, auth, ctx):
    first = create(client, auth, **{**LIFT, "address": "西区西长安街道府右街社区3号楼",
                                    "location_unit_code": FUYOU})  # fmt: skip
    t = tables.tickets.c
    with ctx.engine.connect() as conn:
        requester = conn.execute(
            select(t.requester_id).where(t.number == first["number"])
        ).scalar_one()
    again = DuplicateQuery(LIFT["title"], LIFT["content"], LIFT["address"], DONGHUA)
    assert _find(ctx, again) == []  # another district, and nobody says it is the same person
    found = _find(ctx, DuplicateQuery(**{**again.__dict__, "requester_id": requester}))
    assert [c.number for c in found] == [first["number"]]
    assert {r.code for r in found[0].reasons} >= {"same_requester", "similar_words"}
    assert not {"same_community", "same_street"} & {r.code for r in found[0].reasons}
