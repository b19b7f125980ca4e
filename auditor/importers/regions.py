"""Cloud region -> country, from the shipped catalog (auditor/catalog/cloud_regions.yaml)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _regions() -> dict[str, dict[str, str]]:
    text = resources.files("auditor.catalog").joinpath("cloud_regions.yaml").read_text(encoding="utf-8")
    regions: dict[str, dict[str, str]] = yaml.load(text, Loader=_Loader)["regions"]
    return regions


def normalised(provider: str, region: str) -> str:
    """Azure accepts display names ("West Europe") and GCS upper case ("EUROPE-WEST1"); the catalog does not."""
    return region.replace(" ", "").lower() if provider == "azure" else region.lower()


def country_of(provider: str, region: str | None) -> str | None:
    """ISO 3166 alpha-2 country of a region, or None when the region is unknown or a multi-region."""
    if not region:
        return None
    return _regions().get(provider, {}).get(normalised(provider, region))
