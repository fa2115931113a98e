"""Food: FIFO/FEFO picking, expiry dates, spoilage and recall trace.

The module is the plugin pluggy registers: the hook implementations live in
:mod:`plugins.food_fifo.hooks` and are imported here so that registration finds them.
"""

from core.plugins import PluginInfo
from plugins.food_fifo.hooks import (
    adjust_supply,
    before_post_move,
    choose_lots,
    daily_scan,
    dashboard_alerts,
    plugin_enabled,
    register_pages,
    register_routes,
    seed_demo,
)

PLUGIN_INFO = PluginInfo(
    name="food_fifo",
    description="Food: FIFO/FEFO picking, expiry dates, spoilage and recall trace",
    title="Food",
    nav=(("Food", "/app/food"),),
)

__all__ = ["PLUGIN_INFO", "adjust_supply", "before_post_move", "choose_lots", "daily_scan", "dashboard_alerts",
           "plugin_enabled", "register_pages", "register_routes",
           "seed_demo"]
