"""Pharma lab: lot quarantine with QC release, e-signatures and reagent compliance.

The module is the plugin pluggy registers: its hook implementations live in
:mod:`plugins.pharma_lab.hooks` and are re-exported here.
"""

from core.plugins import PluginInfo
from plugins.pharma_lab.hooks import (
    adjust_supply,
    before_lot_status_change,
    before_post_move,
    choose_lots,
    daily_scan,
    dashboard_alerts,
    initial_lot_status,
    plugin_enabled,
    register_pages,
    register_routes,
    seed_demo,
)

PLUGIN_INFO = PluginInfo(
    name="pharma_lab",
    description="Pharma lab: lot quarantine with QC release, e-signatures and reagent compliance",
    title="Lab",
    nav=(("QC queue", "/app/pharma/qc"), ("Reagents", "/app/pharma/reagents"), ("Assays", "/app/pharma/assays")),
)

__all__ = [
    "PLUGIN_INFO", "adjust_supply", "before_lot_status_change", "before_post_move", "choose_lots", "daily_scan",
    "dashboard_alerts", "initial_lot_status", "plugin_enabled", "register_pages", "register_routes", "seed_demo",
]
