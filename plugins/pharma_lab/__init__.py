"""Pharma lab: lot quarantine with QC release, e-signatures and reagent compliance."""

from core.plugins import PluginInfo

PLUGIN_INFO = PluginInfo(
    name="pharma_lab",
    description="Pharma lab: lot quarantine with QC release, e-signatures and reagent compliance",
)
