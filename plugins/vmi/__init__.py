"""Vendor-managed inventory: a portal where suppliers replenish the stock they own."""

from core.plugins import PluginInfo

PLUGIN_INFO = PluginInfo(
    name="vmi",
    description="Vendor-managed inventory: a portal where suppliers replenish the stock they own",
)
