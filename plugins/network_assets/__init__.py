"""Network teams: IT assets, serials and software licences."""

from core.plugins import PluginInfo

PLUGIN_INFO = PluginInfo(
    name="network_assets",
    description="Network teams: IT assets, serials and software licences",
)
