"""The inventory as a graph, and the analyses that derive facts on it."""
