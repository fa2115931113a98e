"""Food: FIFO/FEFO picking, expiry dates, spoilage and recall trace."""

from core.plugins import PluginInfo

PLUGIN_INFO = PluginInfo(
    name="food_fifo",
    description="Food: FIFO/FEFO picking, expiry dates, spoilage and recall trace",
)
