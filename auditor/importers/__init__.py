"""Importers: inventories generated from what organisations already have (Terraform, Kubernetes, CycloneDX)."""
