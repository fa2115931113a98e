"""plantops core: the tenant-aware heart. Nothing here imports plugins/ or web/."""
