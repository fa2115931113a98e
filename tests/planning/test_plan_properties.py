"""Properties of every plan, on random bundles (hypothesis)."""

from __future__ import annotations

import os
import random
from decimal import Decimal
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.planning.bundle import parse_bundle
from core.planning.item_record import plan_item
from core.planning.plan_json import dumps_plan, plan_json
from core.planning.plan_output import render_plan
from core.planning.planner import Plan, plan

# PLAN_EXAMPLES=1000 for a deeper search; the default keeps the suite quick.
SETTINGS = settings(max_examples=int(os.environ.get("PLAN_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def lot_sizings(draw: st.DrawFn, periods: int, step: float) -> dict[str, Any]:
    rule = draw(st.sampled_from(["lot_for_lot", "fixed", "eoq", "poq", "least_unit_cost",
                                 "least_total_cost", "silver_meal", "wagner_whitin"]))
    lot: dict[str, Any] = {"rule": rule}
    if rule == "fixed":
        lot["quantity"] = draw(st.integers(1, 30)) * step
    elif rule == "eoq":
        lot |= {"annual_demand": draw(st.integers(100, 5000)),
                "setup_cost": draw(st.integers(10, 200)),
                "holding_cost_per_unit_year": draw(st.integers(1, 50))}
    elif rule == "poq":
        lot["periods"] = draw(st.integers(1, 4))
    elif rule != "lot_for_lot":
        costs = st.integers(0, 100)
        lot["setup_cost"] = draw(costs | st.lists(costs, min_size=periods, max_size=periods))
        hold = st.sampled_from([0, 0.5, 1, 2, 3])
        lot["holding_cost"] = draw(hold | st.lists(hold, min_size=periods, max_size=periods))
    if draw(st.booleans()):
        lot |= draw(_modifiers(step))
    return lot


@st.composite
def _modifiers(draw: st.DrawFn, step: float) -> dict[str, Any]:
    multiple = draw(st.integers(0, 6))
    minimum = draw(st.integers(0, 30))
    mods: dict[str, Any] = {}
    if multiple:
        mods["multiple"] = multiple * step
    if minimum:
        mods["minimum"] = minimum * step
    if draw(st.booleans()):
        m = max(multiple, 1)
        floor = -(-max(minimum, m) // m) * m  # a multiple at or above the minimum
        mods["maximum"] = (floor + m * draw(st.integers(0, 5))) * step
    return mods


@st.composite
def bundles(draw: st.DrawFn) -> dict[str, Any]:
    periods = draw(st.integers(1, 7))
    count = draw(st.integers(1, 6))
    step = draw(st.sampled_from([1, 1, 0.5, 0.25]))
    qty = st.integers(0, 40).map(lambda k: k * step)
    some = st.dictionaries(st.integers(1, periods).map(str), qty, max_size=periods)
    items = []
    for k in range(count):
        item: dict[str, Any] = {"sku": f"i{k}", "on_hand": draw(qty), "lead_time":
                                draw(st.integers(0, 3)), "lot_sizing": draw(lot_sizings(periods, step))}
        for key in ("allocated", "safety_stock"):
            if draw(st.booleans()):
                item[key] = draw(st.integers(0, 15)) * step
        if draw(st.integers(0, 3)) == 0:
            item |= {"forecast": draw(some), "customer_orders": draw(some),
                     "demand_time_fence": draw(st.integers(0, periods))}
        elif draw(st.booleans()):
            item["demand"] = draw(some)
        for key in ("scheduled_receipts", "firm_planned_receipts"):
            if draw(st.integers(0, 2)) == 0:
                item[key] = draw(some)
        items.append(item)
    bom = []
    for parent in range(count):
        for child in range(parent + 1, count):
            if draw(st.integers(0, 2)) == 0:
                line: dict[str, Any] = {"parent": f"i{parent}", "component": f"i{child}",
                                        "qty": draw(st.sampled_from([1, 2, 3, 0.5]))}
                if draw(st.integers(0, 3)) == 0:
                    line["scrap_pct"] = draw(st.sampled_from([5, 10, 2.5]))
                bom.append(line)
    order = draw(st.permutations(range(count)))  # items need not come parents first
    return {"periods": periods, "items": [items[k] for k in order], "bom": bom}


def exact(value: Any) -> Decimal:
    return Decimal(str(value))


def run(bundle: dict[str, Any]) -> tuple[Plan, dict[str, Any]]:
    result = plan(parse_bundle(bundle))
    return result, orjson.loads(plan_json(result))


def by_sku(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["sku"]: item for item in bundle["items"]}


@SETTINGS
@given(bundles())
def test_projected_on_hand_never_below_safety_stock(bundle: dict[str, Any]) -> None:
    """After planning no balance is below safety stock (a late need is covered by a
    past-due release, reported as an exception, not by a shortage)."""
    _, out = run(bundle)
    items = by_sku(bundle)
    for sku, record in out["items"].items():
        safety = exact(items[sku].get("safety_stock", 0))
        assert all(exact(v) >= safety for v in record["projected_on_hand"]), sku


@SETTINGS
@given(bundles())
def test_lot_for_lot_receipts_equal_net_requirements(bundle: dict[str, Any]) -> None:
    """Lot-for-lot without modifiers plans exactly the net requirement of each period."""
    result, out = run(bundle)
    items = by_sku(bundle)
    for sku, record in out["items"].items():
        if items[sku]["lot_sizing"] != {"rule": "lot_for_lot"}:
            continue
        firm = items[sku].get("firm_planned_receipts", {})
        new = [exact(r) - exact(firm.get(str(t + 1), 0))
               for t, r in enumerate(record["planned_order_receipts"])]
        assert new == [exact(n) for n in record["net_requirements"]], sku


@SETTINGS
@given(bundles())
def test_pegging_is_consistent(bundle: dict[str, Any]) -> None:
    """Each order is pegged to at most its quantity (exactly, for lot-for-lot with no
    safety stock), to requirements no earlier than its receipt, and never beyond
    what a requirement asked for."""
    _, out = run(bundle)
    items = by_sku(bundle)
    served: dict[tuple[str, str, str, int], Decimal] = {}
    for order in out["planned_orders"]:
        pegs = order["pegging"]
        total = sum((exact(p["quantity"]) for p in pegs), Decimal(0))
        assert total <= exact(order["quantity"])
        assert all(p["period"] >= order["receipt_period"] for p in pegs)
        item = items[order["sku"]]
        plain = (item["lot_sizing"] == {"rule": "lot_for_lot"} and not item.get("safety_stock")
                 and exact(item.get("allocated", 0)) <= exact(item["on_hand"]))
        if plain:
            assert total == exact(order["quantity"])
        for p in pegs:
            key = (order["sku"], p["source"], p["sku"], p["period"])
            served[key] = served.get(key, Decimal(0)) + exact(p["quantity"])
    for (sku, source, origin, period), quantity in served.items():
        if source == "demand":
            assert origin == sku
            asked = exact(out["items"][sku]["gross_requirements"][period - 1])
        else:
            release = exact(out["items"][origin]["planned_order_releases"][period - 1])
            line = [b for b in bundle["bom"] if (b["parent"], b["component"]) == (origin, sku)]
            asked = sum((release * exact(b["qty"]) * (1 + exact(b.get("scrap_pct", 0)) / 100)
                         for b in line), Decimal(0))
            asked += Decimal("0.000001")  # beyond 6 decimal places requirements round up
        assert quantity <= asked


@SETTINGS
@given(bundles())
def test_gross_requirements_are_demand_plus_exploded_releases(bundle: dict[str, Any]) -> None:
    """GR[c][t] = independent demand + Σ parent release × qty × (1 + scrap/100): exact,
    or rounded up by less than a millionth per BOM line when that needs more than
    6 decimal places (core.planning.quantities)."""
    _, out = run(bundle)
    items = by_sku(bundle)
    for sku, record in out["items"].items():
        lines = [b for b in bundle["bom"] if b["component"] == sku]
        for t, gross in enumerate(record["gross_requirements"]):
            from_parents = sum(
                (exact(out["items"][b["parent"]]["planned_order_releases"][t]) * exact(b["qty"])
                 * (1 + exact(b.get("scrap_pct", 0)) / 100) for b in lines), Decimal(0))
            assert exact(gross) >= from_parents
            if not any(k in items[sku] for k in ("demand", "forecast", "customer_orders")):
                assert exact(gross) - from_parents < Decimal("0.000001") * max(len(lines), 1)


@SETTINGS
@given(bundles(), st.randoms())
def test_plan_does_not_depend_on_bundle_order(bundle: dict[str, Any], rnd: random.Random) -> None:
    """Permuting items, BOM lines and period keys gives the same bytes."""
    shuffled = orjson.loads(orjson.dumps(bundle))
    rnd.shuffle(shuffled["items"])
    rnd.shuffle(shuffled["bom"])
    for item in shuffled["items"]:
        for key, value in list(item.items()):
            if isinstance(value, dict) and key != "lot_sizing":
                pairs = list(value.items())
                rnd.shuffle(pairs)
                item[key] = dict(pairs)
    assert plan_json(plan(parse_bundle(shuffled))) == plan_json(plan(parse_bundle(bundle)))


@SETTINGS
@given(bundles())
def test_vectorised_engine_matches_the_item_planner(bundle: dict[str, Any]) -> None:
    """The level-at-a-time NumPy engine gives each item the record that the plain
    period-by-period planner gives it."""
    result, _ = run(bundle)
    b, rec = result.bundle, result.records
    for row in range(len(b.skus)):
        one = plan_item(rec.gross[row].tolist(), b.scheduled_receipts[row].tolist(),
                        b.firm_planned_receipts[row].tolist(),
                        int(b.on_hand[row] - b.allocated[row]), int(b.safety_stock[row]),
                        b.lots.item(row), b.scale)
        assert one.net == rec.net[row].tolist(), b.skus[row]
        assert one.planned == rec.planned[row].tolist(), b.skus[row]
        assert one.on_hand == rec.on_hand[row].tolist(), b.skus[row]


@SETTINGS
@given(bundles())
def test_fast_json_is_the_rendered_dict(bundle: dict[str, Any]) -> None:
    """The bulk JSON writer produces the bytes of orjson.dumps(render_plan(...))."""
    result = plan(parse_bundle(bundle))
    assert plan_json(result) == dumps_plan(render_plan(result))


@SETTINGS
@given(bundles())
def test_atp_accounts_for_all_supply_and_orders(bundle: dict[str, Any]) -> None:
    """Borrowing moves ATP between periods: its total is on hand + MPS - orders."""
    _, out = run(bundle)
    for sku, item in by_sku(bundle).items():
        record = out["items"][sku]
        if "customer_orders" not in item:
            assert "available_to_promise" not in record
            continue
        supply = sum(exact(r) + exact(s) for r, s in zip(
            record["planned_order_receipts"], record["scheduled_receipts"], strict=True))
        orders = sum((exact(q) for q in item["customer_orders"].values()), Decimal(0))
        start = exact(item["on_hand"]) - exact(item.get("allocated", 0))
        total = sum((exact(a) for a in record["available_to_promise"]), Decimal(0))
        assert total == start + supply - orders


@SETTINGS
@given(bundles())
def test_fast_json_in_small_chunks(bundle: dict[str, Any]) -> None:
    """Chunk boundaries (between items, between orders) do not change the bytes."""
    from unittest import mock

    from core.planning import plan_json as writer

    result = plan(parse_bundle(bundle))
    with mock.patch.object(writer, "ITEM_CHUNK", 2), mock.patch.object(writer, "ORDER_CHUNK", 3):
        chunked = plan_json(result)
    assert chunked == dumps_plan(render_plan(result))


@SETTINGS
@given(bundles())
def test_pegging_in_small_chunks(bundle: dict[str, Any]) -> None:
    """Pegging a few items at a time gives the pegs of pegging them all at once."""
    from unittest import mock

    from core.planning import pegging

    result = plan(parse_bundle(bundle))
    whole = result.pegging
    with mock.patch.object(pegging, "PEG_CHUNK", 2):
        chunked = pegging.peg(result.bundle, result.records, result.orders, result.rank)
    for field in ("from_parent", "sku_row", "period", "quantity", "starts"):
        assert getattr(chunked, field).tolist() == getattr(whole, field).tolist(), field


@SETTINGS
@given(bundles())
def test_explosion_without_slots(bundle: dict[str, Any]) -> None:
    """Exploding every edge by the sparse aggregation gives the records of the slots."""
    from unittest import mock

    from core.planning import mrp

    parsed = parse_bundle(bundle)
    slotted = mrp.plan_records(parsed)
    with mock.patch.object(mrp, "EDGE_SLOTS", 0):
        aggregated = mrp.plan_records(parsed)
    for field in ("gross", "net", "planned", "releases"):
        assert getattr(aggregated, field).tolist() == getattr(slotted, field).tolist(), field


@SETTINGS
@given(bundles())
def test_levels_in_parts(bundle: dict[str, Any]) -> None:
    """Planning and exploding each level in parts (one item or edge is enough to cut)
    gives the records of planning it whole, and the same planned cells."""
    from unittest import mock

    from core.planning import mrp
    from core.planning.orders import output_rank

    parsed = parse_bundle(bundle)
    whole = mrp.plan_levels(parsed, lambda: output_rank(parsed))
    with mock.patch.object(mrp, "PART_MIN", 1):
        parts = mrp.plan_levels(parsed, lambda: output_rank(parsed))
    for field in ("gross", "net", "on_hand", "planned", "receipts", "releases"):
        assert getattr(parts[0], field).tolist() == getattr(whole[0], field).tolist(), field
    by_rank = sorted(range(len(parsed.skus)), key=output_rank(parsed).tolist().__getitem__)
    for cells, matrix in (("release_cells", "releases"), ("demand_cells", "independent")):
        listed = getattr(whole[0], cells)
        found = [(row, t, value) for row in by_rank
                 for t, value in enumerate(getattr(whole[0], matrix)[row].tolist()) if value]
        assert list(zip(listed.row.tolist(), listed.period.tolist(), listed.value.tolist(),
                        strict=True)) == found, cells
        for field in ("row", "period", "value"):
            assert (getattr(getattr(parts[0], cells), field).tolist()
                    == getattr(getattr(whole[0], cells), field).tolist()), (cells, field)
    for field in ("row", "period", "value"):
        assert getattr(parts[1], field).tolist() == getattr(whole[1], field).tolist(), field
