"""Scanning: GS1 parsing alone, then POST /api/v1/scan against the tenant's data."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.errors import InvalidInput
from core.inventory.scan import clean_code, parse_gs1
from tests.inventory.counts_support import post, setup_plant
from tests.support import TenantHandle

GS = "\x1d"


def test_gs1_element_string_with_fnc1_and_symbology_identifier() -> None:
    fields = parse_gs1(f"]C1010950600013435217261231" f"10ABC123{GS}21SER-9")
    assert fields is not None
    assert (fields.gtin, fields.lot, fields.expiry_date, fields.serial) == (
        "09506000134352", "ABC123", date(2026, 12, 31), "SER-9")
    assert "9506000134352" in fields.gtin_forms  # the GTIN-13 form, to match a sku
    assert [e.ai for e in fields.elements] == ["01", "17", "10", "21"]


def test_human_readable_form_and_day_zero_expiry() -> None:
    fields = parse_gs1("(01)09506000134352(17)270200(10)L-7")
    assert fields is not None
    assert fields.expiry_date == date(2027, 2, 28)  # day 00: the last day of the month
    assert fields.lot == "L-7"


def test_bare_gtin_and_plain_codes() -> None:
    fields = parse_gs1("4006381333931")
    assert fields is not None and fields.gtin == "4006381333931" and fields.lot is None
    assert "04006381333931" in fields.gtin_forms
    assert parse_gs1("WH1-BIN-04") is None
    assert parse_gs1("12345678") is None  # a number with a wrong check digit is no GTIN


@pytest.mark.parametrize("code", [
    "0109506000134351",                # wrong GTIN check digit inside an element string
    "]C1" "0109506000134352" "17261332",  # month 13
    "(01)123",                        # parentheses but no valid GS1
])
def test_broken_gs1_is_refused_on_code(code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_gs1(code)
    assert caught.value.field == "code"


@pytest.mark.parametrize("code", ["", "   ", None, 42, "x" * 201, "AB\x07C"])
def test_unusable_code_is_refused(code: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_code(code)
    assert caught.value.field == "code"


# ---------------------------------------------------------------- POST /api/v1/scan

@pytest.fixture
def catalog(tenant: TenantHandle) -> dict[str, Any]:
    ids = setup_plant(tenant)
    for sku, tracking in (("09506000134352", "lot"), ("4006381333931", "none"), ("10LOT7", "none")):
        answer = tenant.post("/api/v1/items", json={"sku": sku, "name": f"GTIN item {sku}", "tracking": tracking})
        ids[sku] = answer.json()["id"]
    post(tenant, "receipt", "09506000134352", "5", to_location="B1", lot="ABC123",
         expiry_date=date(2026, 12, 31))
    post(tenant, "receipt", "GLUE", "5", to_location="B1", lot="GL-1")
    return ids


def _scan(tenant: TenantHandle, code: Any) -> Any:
    return tenant.post("/api/v1/scan", json={"code": code})


def test_plain_codes_match_item_location_and_lot(tenant: TenantHandle, catalog: dict[str, Any]) -> None:
    item = _scan(tenant, " BOLT ").json()
    assert (item["kind"], item["item"]["id"], item["item"]["sku"], item["location"]) == (
        "item", catalog["BOLT"], "BOLT", None)
    loc = _scan(tenant, "b1").json()  # location codes are upper-case
    assert (loc["kind"], loc["location"]["id"], loc["location"]["code"]) == ("location", catalog["B1"], "B1")
    lot = _scan(tenant, "GL-1").json()
    assert (lot["kind"], lot["lot"]["code"], lot["lot"]["sku"], lot["item"]["sku"]) == ("lot", "GL-1", "GLUE", "GLUE")
    assert lot["lot"]["status"] == "available"
    # A plant's own label wins over a GS1 reading of the same text (AI 10, lot "LOT7").
    own = _scan(tenant, "10LOT7").json()
    assert (own["kind"], own["item"]["sku"], own["gs1"]) == ("item", "10LOT7", None)
    unknown = _scan(tenant, "NOTHING-HERE").json()
    assert unknown["kind"] == "unknown" and unknown["item"] is None and unknown["notes"]


def test_gs1_codes_fill_sku_lot_expiry_and_serial(tenant: TenantHandle, catalog: dict[str, Any]) -> None:
    answer = _scan(tenant, "]C10109506000134352172612311" "0ABC123\x1d21SN-1")
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["kind"] == "gs1"
    assert (found["gs1"]["gtin"], found["gs1"]["lot"], found["gs1"]["expiry_date"], found["gs1"]["serial"]) == (
        "09506000134352", "ABC123", "2026-12-31", "SN-1")
    assert found["item"]["id"] == catalog["09506000134352"]       # the GTIN is the item's sku
    assert found["lot"]["code"] == "ABC123" and found["lot"]["expiry_date"] == "2026-12-31"
    assert any("matched against item skus" in n for n in found["notes"])
    hri = _scan(tenant, "(01)04006381333931(10)NEW-LOT").json()
    assert (hri["kind"], hri["item"]["sku"], hri["lot"]) == ("gs1", "4006381333931", None)  # GTIN-13 form
    assert any("NEW-LOT is new" in n for n in hri["notes"])
    stranger = _scan(tenant, "0100000000000017").json()   # a valid GTIN nobody has as sku
    assert stranger["kind"] == "gs1" and stranger["item"] is None
    bare = _scan(tenant, "4006381333931").json()
    assert (bare["kind"], bare["item"]["sku"]) == ("item", "4006381333931")  # exact sku match first


@pytest.mark.parametrize(("body", "status"), [
    ({"code": ""}, 422), ({"code": "   "}, 422), ({}, 422), ({"code": 5}, 400),
    ({"code": "0109506000134351"}, 422), ({"code": "]C1" + "x"}, 422), ({"code": "A" * 201}, 422),
    ({"code": "BOLT", "extra": 1}, 400),
])
def test_bad_scans_name_the_field(tenant: TenantHandle, catalog: dict[str, Any], body: dict[str, Any],
                                  status: int) -> None:
    answer = tenant.post("/api/v1/scan", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == ("extra" if "extra" in body else "code")
