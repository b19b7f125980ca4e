"""Run every analysis once and gather the typed facts per asset, for the rules to read.

`AssetFacts` is the root of every `facts.*` path in a rule; `FACT_KINDS` says which asset kinds
each analysis describes, so the rule loader can refuse a path that can never have a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import date
from itertools import repeat, starmap
from operator import attrgetter
from typing import NamedTuple, TypeVar, cast

from auditor import forked
from auditor.graph.build import AssetGraph
from auditor.graph.capacity import CapacityFact, CatalogFact, analyse_capacity, analyse_catalog_coverage
from auditor.graph.controllers import ControllershipFact, analyse_controllership
from auditor.graph.dpia import DpiaDutyFact, DpiaFact, analyse_dpia, dpia_duty
from auditor.graph.exposure import ExposureFact, analyse_exposure
from auditor.graph.fact import described
from auditor.graph.flows import FlowFact, analyse_flows, any_flow
from auditor.graph.jurisdiction import JurisdictionFact, analyse_jurisdiction
from auditor.graph.lineage import Lineage, PersonalDataFact, personal_data_facts, trace_lineage
from auditor.graph.organization import CcpaFact, CppaFact, analyse_organization
from auditor.graph.power import PowerFact, analyse_power
from auditor.graph.scope import ScopeFact, analyse_scope
from auditor.graph.transfers import TRANSFER_KINDS, TransferFact, analyse_transfers
from auditor.inventory.models import MODEL_BY_KIND, Dataset, Flow

ALL_KINDS = frozenset(MODEL_BY_KIND)
# From this many assets the facts that read only the graph are derived by a child process on a spare
# CPU (forked.meanwhile): at 10k the fork and the pickled result cost what the child saves (bench/README.md)
MIN_ASSETS_FORKED = 50_000
T = TypeVar("T")


@dataclass(slots=True)
class AssetFacts:
    """Everything the analyses derived about one asset (None: the analysis does not describe it)."""

    jurisdiction: JurisdictionFact | None = described("Country and GDPR zone.")
    personal_data: PersonalDataFact | None = described("Personal data reaching the asset, by lineage.")
    transfer: TransferFact | None = described("GDPR Chapter V transfer made at the asset.")
    exposure: ExposureFact | None = described("Reachability from the internet.")
    capacity: CapacityFact | None = described("Hardware figures of a workload.")
    catalog: CatalogFact | None = described("Catalog coverage of a node's hardware.")
    flow: FlowFact | None = described("What a flow carries and to whom.")
    power: PowerFact | None = described("Rack power of a site.")
    ccpa: CcpaFact | None = described("CCPA applicability of the organisation.")
    scope: ScopeFact | None = described("Which privacy regimes apply to the asset's processing.")
    cppa: CppaFact | None = described("CPPA cybersecurity-audit duty of the organisation.")
    dpia: DpiaFact | None = described("DPIA triggers of a workload: Art. 35(3) and the WP248 rev.01 criteria.")
    controllership: ControllershipFact | None = described("Joint controllership and sub-processing of a vendor.")
    dpia_duty: DpiaDutyFact | None = described("The organisation's processing that needs a DPIA (BDSG s. 38(1)).")


# Which asset kinds each fact describes (a rule path to a fact on other kinds is a load error).
FACT_KINDS: dict[str, frozenset[str]] = {
    "jurisdiction": ALL_KINDS,
    "personal_data": ALL_KINDS,
    "transfer": TRANSFER_KINDS,
    "exposure": ALL_KINDS,
    "capacity": frozenset({"workload"}),
    "catalog": frozenset({"compute"}),
    "flow": frozenset({"flow"}),
    "power": frozenset({"site"}),
    "ccpa": frozenset({"organization"}),
    "cppa": frozenset({"organization"}),
    "scope": ALL_KINDS,
    "dpia": frozenset({"workload"}),
    "controllership": frozenset({"vendor"}),
    "dpia_duty": frozenset({"organization"}),
}


def _gpc_unhonoured(graph: AssetGraph, flow_ids: list[str]) -> list[str]:
    """The selling or sharing flows whose gpc_honored is not true (1798.135(b)(1) needs the signal honoured)."""
    return sorted({flow_id for flow_id in flow_ids if cast(Flow, graph.asset(flow_id)).gpc_honored is not True})


def _holds_spi(graph: AssetGraph, personal: Mapping[str, PersonalDataFact]) -> bool | None:
    """Whether a dataset of California consumers holds sensitive PI, for the SPI limb of 1798.135(b)(1)."""
    unknown = False
    for dataset in graph.of_kind(Dataset):
        fact = personal[dataset.id]
        if fact.ca_subjects is False:
            continue
        if fact.ccpa_sensitive is None or fact.ca_subjects is None:
            unknown = True
        elif fact.ccpa_sensitive:
            return True
    return None if unknown else False


@dataclass
class Facts:
    by_asset: dict[str, AssetFacts]
    lineage: Lineage


def derive_facts(graph: AssetGraph, as_of: date, thresholds: Mapping[str, float] | None = None) -> Facts:
    """Every fact at `as_of` (`thresholds`: the config's overrides of catalog figures)."""
    # Jurisdiction, capacity, exposure and power read only the graph and give small results: in a large
    # inventory a child on a spare CPU derives them while this process does the rest, up to the transfers.
    from_graph = forked.meanwhile(
        lambda: _from_graph(graph, as_of), worth_it=len(graph.inventory.assets) >= MIN_ASSETS_FORKED
    )
    lineage = trace_lineage(graph)
    personal = personal_data_facts(graph, lineage, as_of)
    organization = analyse_organization(graph, as_of, thresholds)
    org = graph.inventory.organization
    scope = analyse_scope(graph, personal, organization[org.id][0] if org else None, as_of)
    catalog = analyse_catalog_coverage(graph)
    flows = analyse_flows(graph, personal)
    dpia = analyse_dpia(graph, personal)
    controllership = analyse_controllership(graph, personal, flows)
    places, exposure, sized, power = from_graph()
    capacity = _sized(graph, sized)
    transfers = analyse_transfers(graph, lineage, places, personal, scope, as_of)
    if org is not None:  # the organisation sells (shares) if a flow of California consumers' PI does
        californian = {k: v for k, v in flows.items() if personal[k].ca_subjects is not False}
        ccpa_fact = organization[org.id][0]
        ccpa_fact.sells, ccpa_fact.selling_flows = any_flow(californian, "sale")
        ccpa_fact.shares, ccpa_fact.sharing_flows = any_flow(californian, "share")
        ccpa_fact.gpc_unhonoured_flows = _gpc_unhonoured(graph, [*ccpa_fact.selling_flows, *ccpa_fact.sharing_flows])
        ccpa_fact.holds_spi = _holds_spi(graph, personal)
    # The facts of every asset come in inventory order: built by walking them side by side, without a
    # lookup per asset (lookups in dicts of 100k entries cost more than the facts' own construction).
    ids = graph.inventory.assets
    by_asset = dict(
        zip(
            ids,
            map(
                AssetFacts,
                places,
                _in_order(personal, ids),
                repeat(None),  # transfer, set below
                exposure,
                repeat(None),  # capacity, catalog, flow, power, ccpa: set below
                repeat(None),
                repeat(None),
                repeat(None),
                repeat(None),
                _in_order(scope, ids),
            ),
            strict=True,
        )
    )
    described_kinds: tuple[tuple[str, Mapping[str, object]], ...] = (
        ("transfer", transfers),
        ("capacity", capacity),
        ("catalog", catalog),
        ("flow", flows),
        ("power", power),
        ("dpia", dpia),
        ("controllership", controllership),
    )
    for name, facts_of in described_kinds:  # the facts that describe some kinds, set on their assets only
        for asset_id, fact in facts_of.items():
            setattr(by_asset[asset_id], name, fact)
    for asset_id, (ccpa, cppa) in organization.items():
        by_asset[asset_id].ccpa, by_asset[asset_id].cppa = ccpa, cppa
    if org is not None:
        by_asset[org.id].dpia_duty = dpia_duty(graph, dpia, personal)
    return Facts(by_asset, lineage)


class _FromGraph(NamedTuple):
    """The facts that read only the graph, in the form a child sends back cheaply: keyed by id, its
    answer held new copies of every asset id, and a slotted dataclass pickles through a Python call per
    field (at 1M assets, jurisdiction and capacity: the child's pickling 1.1-1.2 -> 0.08 s, the parent's
    reading back 0.9-1.0 -> 0.18 s; bench/README.md). Facts shared by many assets are pickled once."""

    places: list[JurisdictionFact]  # every asset's, in inventory order
    exposure: list[ExposureFact]  # every asset's, in inventory order
    capacity: list[tuple[object, ...]]  # each workload's fact as its field values, in inventory order
    power: dict[str, PowerFact]  # each site's with racks (a few per thousand assets)


def _from_graph(graph: AssetGraph, as_of: date) -> _FromGraph:
    """What the child derives (or this process, when no child runs)."""
    ids = graph.inventory.assets
    fields = attrgetter(*(field.name for field in dataclass_fields(CapacityFact)))
    return _FromGraph(
        list(_in_order(analyse_jurisdiction(graph, as_of), ids)),
        list(_in_order(analyse_exposure(graph), ids)),
        [fields(fact) for fact in analyse_capacity(graph).values()],
        analyse_power(graph),
    )


def _sized(graph: AssetGraph, sized: list[tuple[object, ...]]) -> dict[str, CapacityFact]:
    """The capacity facts of `_from_graph`, keyed by this process's workload ids again."""
    workloads = (workload.id for workload in graph.inventory.by_kind.get("workload", ()))
    return dict(zip(workloads, starmap(CapacityFact, sized), strict=True))


def _in_order(facts: dict[str, T], ids: Mapping[str, object]) -> Iterable[T]:
    """The facts of an analysis that describes every asset, in inventory order (as it builds them)."""
    if list(facts) != list(ids):  # a cheap check (a few ms at 100k) of what the merge relies on
        raise ValueError("an analysis did not describe every asset in inventory order")
    return facts.values()
