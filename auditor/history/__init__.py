"""Audit history: recorded runs in SQLite, and what changed between two runs."""
