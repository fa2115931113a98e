"""The daily scan and plugin alerts reach only the tenants that enabled a plugin."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from core.alerts import Alert
from core.daily_scan import queue_daily_scan, queue_due_scans, tenants_to_scan
from core.hooks import hookimpl
from core.plugins import PluginInfo, get_plugin_manager
from tests.support import TenantHandle, wait_for_job


class ScanProbe:
    PLUGIN_INFO = PluginInfo("scan_probe", "test plugin", title="Probe", nav=(("Probe", "/app/probe"),))

    def __init__(self) -> None:
        self.scanned: list[tuple[uuid.UUID, date]] = []

    @hookimpl
    def daily_scan(self, tenant_id: uuid.UUID, today: date, session: Any) -> dict[str, Any]:
        self.scanned.append((tenant_id, today))
        count = session.scalar(text("SELECT count(*) FROM item"))
        return {"plugin": "scan_probe", "items_seen": int(count)}

    @hookimpl
    def dashboard_alerts(self, tenant_id: uuid.UUID, session: Any) -> list[Alert]:
        return [Alert("warning", "Probe lot L-1 expires in 2 days", "move it to the front", "/app/probe"),
                Alert("critical", "Probe reagent short", "needs 3 more")]


@pytest.fixture
def probe(owner_engine: Any) -> Iterator[tuple[ScanProbe, Any]]:
    manager = get_plugin_manager()
    instance = ScanProbe()
    manager.register(instance, name="scan_probe")

    def enable(tenant: TenantHandle) -> None:
        with owner_engine.begin() as conn:
            conn.execute(text("INSERT INTO tenant_plugin (tenant_id, name) VALUES (:t, 'scan_probe')"),
                         {"t": tenant.tenant_id})

    yield instance, enable
    manager.unregister(instance)


def _scan_jobs(owner_engine: Any, tenant: TenantHandle) -> list[str]:
    with owner_engine.begin() as conn:
        rows = conn.execute(text("SELECT id FROM job WHERE tenant_id = :t AND kind = 'daily_scan'"),
                            {"t": tenant.tenant_id})
        return [str(r[0]) for r in rows]


def test_scan_is_queued_once_a_day_for_enabled_tenants_only(
    probe: tuple[ScanProbe, Any], tenant: TenantHandle, other_tenant: TenantHandle, owner_engine: Any
) -> None:
    instance, enable = probe
    enable(tenant)
    assert tenants_to_scan() == [tenant.tenant_id]
    day = date(2031, 5, 4)  # a day no other test claims in Redis
    assert queue_due_scans(day) == 1
    assert queue_due_scans(day) == 0  # the day is claimed: a second worker queues nothing
    [scan_id] = _scan_jobs(owner_engine, tenant)
    done = wait_for_job(tenant, scan_id)
    assert done["status"] == "succeeded", done
    assert done["result"] == {"date": "2031-05-04", "plugins": [{"plugin": "scan_probe", "items_seen": 0}]}
    assert instance.scanned == [(tenant.tenant_id, day)]
    assert _scan_jobs(owner_engine, other_tenant) == []


def test_a_scan_for_a_tenant_without_the_plugin_calls_nothing(
    probe: tuple[ScanProbe, Any], other_tenant: TenantHandle
) -> None:
    instance, _ = probe
    job_id = queue_daily_scan(other_tenant.tenant_id, date(2031, 5, 5))
    done = wait_for_job(other_tenant, str(job_id))
    assert done["status"] == "succeeded" and done["result"]["plugins"] == []
    assert instance.scanned == []


def test_alerts_and_menu_show_for_enabled_tenants_only(
    probe: tuple[ScanProbe, Any], tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    _, enable = probe
    enable(tenant)
    alerts = tenant.get("/api/v1/alerts").json()["items"]
    assert [a["severity"] for a in alerts] == ["critical", "warning"]
    assert alerts[1]["link"] == "/app/probe" and alerts[1]["source"] == "core"
    assert other_tenant.get("/api/v1/alerts").json()["items"] == []
