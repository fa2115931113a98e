"""Automotive: APQP/PPAP gates that hold an item's release until approved."""

from core.plugins import PluginInfo

PLUGIN_INFO = PluginInfo(
    name="automotive_apqp",
    description="Automotive: APQP/PPAP gates that hold an item's release until approved",
)
