"""Webhook delivery: vetted HTTP POSTs, and a per-receiver bound on deliveries in flight."""
