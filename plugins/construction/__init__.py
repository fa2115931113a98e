"""Construction: site deliveries, call-offs and material on site."""

from core.plugins import PluginInfo

PLUGIN_INFO = PluginInfo(
    name="construction",
    description="Construction: site deliveries, call-offs and material on site",
)
