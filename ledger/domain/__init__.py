"""Aggregates of the ledger. Every event carries the signed statement that caused it."""
