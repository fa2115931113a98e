"""Items, units of measure and locations (BOMs, routings and work centers come later)."""
