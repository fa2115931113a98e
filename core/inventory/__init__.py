"""Inventory: the append-only stock ledger, balances, lots and serials, reservations and valuation.

Entry points for other features: :func:`core.inventory.posting.post_move` (post inside
your transaction) and :mod:`core.inventory.supply` (what planning reads).
"""
