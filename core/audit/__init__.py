"""The audit log: who changed which tenant row, when, before and after, in which request."""
