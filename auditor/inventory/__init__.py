"""Inventory: safe loading with source positions, typed models, JSON Schema."""
