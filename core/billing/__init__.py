"""Plans, entitlements and (later) Stripe subscriptions."""
