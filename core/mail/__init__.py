"""Outgoing mail: an outbox table written in the business transaction, sent by a job."""
