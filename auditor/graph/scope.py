"""Territorial and material scope: does the GDPR, does the CCPA apply to this asset's processing?

GDPR (Art. 3): it applies to the processing of an organisation established in the EEA, whatever
the data subjects' location (Art. 3(1), Recital 22); without an EEA establishment, only to the
processing of personal data of people in the EEA to whom it offers goods or services (3(2)(a)) or
whose behaviour there it monitors (3(2)(b)), which the dataset declares. CCPA: the organisation
is a "business" at the audit date (auditor.graph.organization) and the data is personal
information of California consumers.

A dataset is judged on its own declarations; every other asset by the personal datasets whose
data reaches it (lineage): in scope if any of them is, unknown if any is unknown. Rules of a pack
whose regime does not apply give NOT_APPLICABLE with the reason below, never FAIL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from auditor.catalog import jurisdictions
from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.graph.lineage import NO_PERSONAL_DATA, PersonalDataFact
from auditor.graph.organization import CcpaFact
from auditor.inventory.models import Dataset, Organization


@dataclass(slots=True)
class RegimeScope:
    """Whether one law applies to the processing at an asset, and why."""

    applies: bool | None = described("The law applies at the audit date (None: an input needed to tell is missing).")
    reason: str = described("Why, in words, naming the article or section and the facts relied on.", "")
    basis: str | None = described("The provision that brings the processing in scope, e.g. 'GDPR Art. 3(1)'.")


@dataclass(slots=True)
class ScopeFact:
    """Which privacy regimes apply to the asset's processing at the audit date."""

    gdpr: RegimeScope = described("GDPR territorial scope (Art. 3).", factory=RegimeScope)
    ccpa: RegimeScope = described("CCPA scope: a business processing California consumers' PI.", factory=RegimeScope)
    ccpa_service_provider: RegimeScope = described(
        "The organisation processes California consumers' PI for a business client as its service provider or "
        "contractor (1798.140(ag), (j)): the service provider's own duties apply, not the business's.",
        factory=RegimeScope,
    )


def _eea_establishments(org: Organization | None, as_of: date) -> tuple[bool | None, list[str]]:
    """Whether the organisation has an EEA establishment at `as_of`, and which countries."""
    if org is None:
        return None, []
    catalog = jurisdictions()
    places = sorted({c for c in [org.country, *org.establishments] if c})
    in_eea = [c for c in places if catalog.zone(c, as_of) == "eea"]
    if in_eea:
        return True, in_eea
    return (None if org.country is None and not places else False), places


def _gdpr_of_dataset(dataset: Dataset, established: bool | None, places: list[str], as_of: date) -> RegimeScope:
    if established:
        return RegimeScope(
            True,
            f"the organisation is established in the EEA ({', '.join(places)}): the GDPR applies to its "
            "processing whatever the data subjects' location (Art. 3(1))",
            "GDPR Art. 3(1)",
        )
    if dataset.eea_offering:
        return RegimeScope(
            True, "goods or services are offered to people in the EEA (Art. 3(2)(a))", "GDPR Art. 3(2)(a)"
        )
    if dataset.eea_monitoring:
        return RegimeScope(True, "the behaviour of people in the EEA is monitored (Art. 3(2)(b))", "GDPR Art. 3(2)(b)")
    if established is None:
        return RegimeScope(None, "the organisation's country is not declared, so Art. 3(1) cannot be decided")
    catalog = jurisdictions()
    regions = dataset.subject_jurisdictions
    if not regions:
        return RegimeScope(
            None,
            f"no EEA establishment ({', '.join(places)}) and subject_jurisdictions is not declared, so "
            "Art. 3(2) cannot be decided",
        )
    eea_subjects = any(catalog.zone(r.split("-")[0], as_of) == "eea" for r in regions)
    if eea_subjects and (dataset.eea_offering is None or dataset.eea_monitoring is None):
        return RegimeScope(
            None,
            "people in the EEA are among the data subjects, but whether goods or services are offered to them "
            "(eea_offering) or their behaviour is monitored (eea_monitoring) is not declared (Art. 3(2))",
        )
    return RegimeScope(
        False,
        f"no establishment in the EEA ({', '.join(places)}) and no offering to or monitoring of people in the "
        "EEA (Art. 3(1)-(2))",
    )


def _ccpa_of(ccpa: CcpaFact | None, personal: PersonalDataFact | None, regions_declared: bool) -> RegimeScope:
    if ccpa is None:
        return RegimeScope(None, "no organisation is declared, so the CCPA business test cannot be applied")
    if ccpa.business is False:
        return RegimeScope(
            False, f"the organisation is not a business under Cal. Civ. Code 1798.140(d) ({ccpa.threshold_source})"
        )
    if personal is not None and personal.ca_subjects is True:
        if ccpa.business is None:
            return RegimeScope(None, "a figure of the 1798.140(d)(1) business test is not declared")
        return RegimeScope(
            True, "a business processing personal information of California consumers", "CCPA 1798.140(d), (i)"
        )
    if personal is None or personal.ca_subjects is None or not regions_declared:
        return RegimeScope(None, "whether California consumers are among the data subjects is not declared")
    return RegimeScope(False, "no personal information of California consumers (Cal. Civ. Code 1798.140(i))")


def analyse_scope(
    graph: AssetGraph,
    personal: dict[str, PersonalDataFact],
    ccpa: CcpaFact | None,
    as_of: date,
) -> dict[str, ScopeFact]:
    """Fact `scope` for every asset."""
    org = graph.inventory.organization
    established, places = _eea_establishments(org, as_of)
    per_dataset: dict[str, ScopeFact] = {}
    for dataset in graph.of_kind(Dataset):
        per_dataset[dataset.id] = _with_ccpa_role(
            dataset,
            ScopeFact(
                gdpr=_gdpr_of_dataset(dataset, established, places, as_of),
                ccpa=_ccpa_of(ccpa, personal[dataset.id], bool(dataset.subject_jurisdictions)),
                ccpa_service_provider=_NOT_SERVICE_PROVIDER,
            ),
        )
    without_data = ScopeFact(  # no personal data reaches the asset: only an EEA establishment brings it in
        gdpr=RegimeScope(True, "the organisation is established in the EEA (Art. 3(1))", "GDPR Art. 3(1)")
        if established
        else RegimeScope(established, "no personal data in the GDPR's scope reaches it"),
        ccpa=RegimeScope(False, "no personal information of California consumers reaches it"),
        ccpa_service_provider=RegimeScope(False, "no personal information of California consumers reaches it"),
    )
    facts: dict[str, ScopeFact] = {}
    combined: dict[frozenset[str], ScopeFact] = {}  # assets reached by the same datasets share one fact
    # The datasets reaching an asset (lineage's reached and unknown) are its personal-data fact's
    # origins and unknown_origins, lists shared by the facts of one origin set (personal_data_facts):
    # the answer is found once per pair of lists (each pair kept alive with its fact, for its ids).
    by_lists: dict[tuple[int, int], tuple[PersonalDataFact, ScopeFact]] = {}
    # `personal` is in inventory order (personal_data_facts): walked beside the assets, not looked up.
    for (asset_id, asset), reaching in zip(graph.inventory.assets.items(), personal.values(), strict=True):
        if asset.kind == "dataset":
            facts[asset_id] = per_dataset[asset_id]
            continue
        if org is not None and asset_id == org.id:
            facts[asset_id] = _organisation(list(per_dataset.values()), without_data, ccpa, org)
            continue
        if reaching is NO_PERSONAL_DATA:
            facts[asset_id] = without_data
            continue
        key = (id(reaching.origins), id(reaching.unknown_origins))
        known = by_lists.get(key)
        if known is None:
            known = by_lists[key] = (reaching, _reached_by(reaching, per_dataset, combined, without_data))
        facts[asset_id] = known[1]
    return facts


def _reached_by(
    reaching: PersonalDataFact,
    per_dataset: dict[str, ScopeFact],
    combined: dict[frozenset[str], ScopeFact],
    without_data: ScopeFact,
) -> ScopeFact:
    origins = frozenset((*reaching.origins, *reaching.unknown_origins))
    if not origins:
        return without_data
    fact = combined.get(origins)
    if fact is None:
        fact = combined[origins] = _combined([per_dataset[o] for o in sorted(origins)])
    return fact


def _organisation(
    datasets: list[ScopeFact], without_data: ScopeFact, ccpa: CcpaFact | None, org: Organization
) -> ScopeFact:
    """The organisation's own duties: under the GDPR if any of its processing is (or it is
    established in the EEA); under the CCPA if it is a business, a test of its own figures, that
    collects personal information of California consumers: a company over the revenue threshold
    with no California consumer (declared `ca_consumers: 0`, or no dataset in the CCPA's scope)
    does no business in California that the Act reaches (1798.140(d), (i))."""
    gdpr = _any([s.gdpr for s in datasets]) if datasets and not without_data.gdpr.applies else without_data.gdpr
    assert ccpa is not None  # the organisation exists, so its CCPA fact does
    no_californians = org.ca_consumers == 0 or (bool(datasets) and all(s.ccpa.applies is False for s in datasets))
    if ccpa.business is True and no_californians:
        business = RegimeScope(
            False,
            "a business by its figures, but it collects no personal information of California consumers "
            "(Cal. Civ. Code 1798.140(d), (i))",
        )
    elif ccpa.business is True:
        business = RegimeScope(
            True, f"a business under Cal. Civ. Code 1798.140(d) ({ccpa.threshold_source})", "CCPA 1798.140(d)"
        )
    elif ccpa.business is False:
        business = RegimeScope(False, f"not a business under Cal. Civ. Code 1798.140(d) ({ccpa.threshold_source})")
    else:
        business = RegimeScope(None, "a figure of the 1798.140(d)(1) business test is not declared")
    provider = _any([s.ccpa_service_provider for s in datasets]) if datasets else without_data.ccpa_service_provider
    return ScopeFact(gdpr=gdpr, ccpa=business, ccpa_service_provider=provider)


def _combined(scopes: list[ScopeFact]) -> ScopeFact:
    """An asset reached by several datasets: in scope if any is, unknown if any is unknown."""
    return ScopeFact(
        gdpr=_any([s.gdpr for s in scopes]),
        ccpa=_any([s.ccpa for s in scopes]),
        ccpa_service_provider=_any([s.ccpa_service_provider for s in scopes]),
    )


_NOT_SERVICE_PROVIDER = RegimeScope(False, "the organisation's own personal information, as a business")


def _with_ccpa_role(dataset: Dataset, scope: ScopeFact) -> ScopeFact:
    """Data processed for a business client: the client's duties are not ours, the service provider's are."""
    if dataset.ccpa_role not in ("service_provider", "contractor"):
        return scope
    role = dataset.ccpa_role.replace("_", " ")
    californians = dataset.subject_jurisdictions and any(r == "US-CA" for r in dataset.subject_jurisdictions)
    provider = RegimeScope(
        True if californians else (None if not dataset.subject_jurisdictions else False),
        f"processed for a business client as its {role} (Cal. Civ. Code 1798.140(ag), (j))"
        if californians
        else "no personal information of California consumers is processed for the client",
        "CCPA 1798.140(ag)" if californians else None,
    )
    business = RegimeScope(
        False,
        f"processed for a business client as its {role} (1798.140(ag), (j)): the consumer-facing duties are the "
        "client business's; the service provider's own are judged by the service-provider rules",
    )
    return ScopeFact(gdpr=scope.gdpr, ccpa=business, ccpa_service_provider=provider)


def _any(scopes: list[RegimeScope]) -> RegimeScope:
    for wanted in (True, None):
        for scope in scopes:
            if scope.applies is wanted:
                return scope
    return scopes[0]
