"""Compliance and governance auditor for AI infrastructure."""

__version__ = "0.1.0"
