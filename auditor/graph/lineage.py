"""Personal-data lineage: which personal datasets reach each asset, and along which path.

Data moves along the `data` view of the graph: from a dataset to where it is stored and to the
collection points (websites, apps, SDKs, call centres, devices) that collect it, to its copies
and backups, through flows to their destinations, into the workloads that read it and from a
training job into the model it writes. A flow that declares a dataset carries it whatever its
source, so lineage also starts at every such flow the search did not reach from the dataset.
Anonymisation stops the spread: an anonymised dataset, an anonymising flow and a workload whose
output is anonymised pass nothing on, but only when the claim references an anonymisation
assessment (Recital 26; EDPB Opinion 28/2024 for AI models): a bare `anonymised: true` leaves the
data personal for every rule.
One breadth-first search per personal dataset, so the cost is the reached subgraph per origin.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from auditor.catalog import category_marks, jurisdictions
from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.inventory.models import Dataset, Flow, Storage, Workload


@dataclass
class Lineage:
    """Origins reaching each asset, with the parent links that rebuild the path.

    `raw` holds the origins that reach an asset without passing through pseudonymisation.
    """

    reached: dict[str, set[str]] = field(default_factory=dict)
    unknown: dict[str, set[str]] = field(default_factory=dict)
    raw: dict[str, set[str]] = field(default_factory=dict)
    parents: dict[tuple[str, str], str] = field(default_factory=dict)

    def path(self, asset_id: str, origin: str) -> list[str]:
        """Asset ids from `origin` to `asset_id` (both included)."""
        path = [asset_id]
        while path[-1] != origin:
            path.append(self.parents[(path[-1], origin)])
        return path[::-1]


def anonymised(asset: object) -> bool:
    """Is the asset's data anonymous, as claimed *and* backed by an anonymisation assessment?"""
    if isinstance(asset, Dataset):
        claimed = bool(asset.anonymised)
    elif isinstance(asset, Flow):
        claimed = asset.transformation == "anonymise"
    elif isinstance(asset, Workload):
        claimed = bool(asset.output_anonymised)
    else:
        return False
    return claimed and getattr(asset, "anonymisation_assessment_ref", None) is not None


def unsupported_anonymisation(dataset: Dataset) -> bool:
    """Claimed anonymous without the assessment that shows it: still personal data."""
    return bool(dataset.anonymised) and not anonymised(dataset)


def trace_lineage(graph: AssetGraph) -> Lineage:
    lineage = Lineage()
    carriers = _carriers(graph)
    declaring: dict[str, list[str]] = {}  # dataset -> flows that declare it
    for flow in graph.inventory.by_kind.get("flow", []):
        assert isinstance(flow, Flow)
        for carried in flow.datasets:
            declaring.setdefault(carried, []).append(flow.id)
    for dataset in graph.inventory.by_kind.get("dataset", []):
        assert isinstance(dataset, Dataset)
        personal = dataset.personal_data or unsupported_anonymisation(dataset)
        if anonymised(dataset) or (dataset.personal_data is False and not personal):
            continue
        into = lineage.reached if personal else lineage.unknown
        origin_carriers = carriers.get(dataset.id, {dataset.id})
        declared_by = sorted({f for carrier in origin_carriers for f in declaring.get(carrier, [])})
        _spread(graph, dataset, origin_carriers, into, lineage, declared_by)
    return lineage


def _carriers(graph: AssetGraph) -> dict[str, set[str]]:
    """Each dataset and the datasets derived from it (directly or not) that still carry it."""
    result: dict[str, set[str]] = {}
    for dataset in graph.inventory.by_kind.get("dataset", []):
        seen = {dataset.id}
        queue = deque([dataset.id])
        while queue:
            current = queue.popleft()
            for derived in graph.sources(current, "derived_from"):
                child = graph.asset(derived)
                if derived not in seen and not anonymised(child):
                    seen.add(derived)
                    queue.append(derived)
        result[dataset.id] = seen
    return result


def _passes(asset: object, origin_carriers: set[str]) -> bool:
    """May data of this origin enter `asset`?"""
    if anonymised(asset):
        return False
    if isinstance(asset, Flow):
        return not asset.datasets or bool(origin_carriers.intersection(asset.datasets))
    return True


def _masks(asset: object) -> bool:
    """Does data leave `asset` pseudonymised (or aggregated)?"""
    if isinstance(asset, Dataset):
        return bool(asset.pseudonymised)
    if isinstance(asset, Flow):
        return asset.transformation in ("pseudonymise", "aggregate")
    return False


def _spread(
    graph: AssetGraph,
    origin: Dataset,
    origin_carriers: set[str],
    into: dict[str, set[str]],
    lineage: Lineage,
    declared_by: list[str],
) -> None:
    """Breadth-first from `origin`, then from each flow declaring it that was not reached (its
    parent is the origin); a node is visited again only to upgrade it to a raw arrival."""
    start_raw = not origin.pseudonymised
    seen = {origin.id}
    seen_raw = {origin.id} if start_raw else set()
    into.setdefault(origin.id, set()).add(origin.id)
    if start_raw and into is lineage.reached:
        lineage.raw.setdefault(origin.id, set()).add(origin.id)
    data = graph.data

    def visit(nxt: str, parent: str, raw: bool) -> None:
        asset = graph.asset(nxt)
        if not _passes(asset, origin_carriers):
            return
        arrives_raw = raw and not _masks(asset)
        seen.add(nxt)
        lineage.parents[(nxt, origin.id)] = parent
        into.setdefault(nxt, set()).add(origin.id)
        if arrives_raw:
            seen_raw.add(nxt)
            if into is lineage.reached:
                lineage.raw.setdefault(nxt, set()).add(origin.id)
        queue.append((nxt, arrives_raw))

    def drain() -> None:
        while queue:
            current, raw = queue.popleft()
            current_asset = graph.asset(current)
            blocked_writes = isinstance(current_asset, Workload) and anonymised(current_asset)
            for nxt, attrs in data.adj[current].items():
                if blocked_writes and attrs["rel"] == "writes":
                    continue
                if nxt in seen_raw or (nxt in seen and not raw):
                    continue
                visit(nxt, current, raw)

    queue = deque([(origin.id, start_raw)])
    drain()
    for flow_id in declared_by:
        flow = graph.asset(flow_id)
        if flow_id not in seen and isinstance(flow, Flow):
            visit(flow_id, origin.id, start_raw and _declares_raw(graph, flow, origin.id, origin_carriers))
    drain()


def _declares_raw(graph: AssetGraph, flow: Flow, origin: str, origin_carriers: set[str]) -> bool:
    """The flow declares the origin itself, or a derived carrier of it that is not pseudonymised."""
    for carried in origin_carriers.intersection(flow.datasets):
        dataset = graph.asset(carried)
        if carried == origin or (isinstance(dataset, Dataset) and not dataset.pseudonymised):
            return True
    return False


@dataclass(slots=True)
class PersonalDataFact:
    """Which personal data reaches an asset, by lineage from the datasets that hold it.

    Every field but `present`, `origins` and `unknown_origins` is None when only datasets whose
    personal-data status is undeclared reach the asset.
    """

    present: bool | None = described("Personal data reaches the asset (None: only undeclared datasets do).")
    origins: list[str] = described("Personal datasets whose data reaches the asset.", factory=list)
    unknown_origins: list[str] = described("Reaching datasets that do not declare personal_data.", factory=list)
    unknown_because: str | None = described("Why the answers are unknown, naming the input to declare.")
    categories: list[str] | None = described("Data categories (fideslang keys) that reach the asset.", factory=list)
    subject_jurisdictions: list[str] | None = described("Where the data subjects live.", factory=list)
    data_subjects: list[str] | None = described("Kinds of data subjects.", factory=list)
    eea_subjects: bool | None = described("Some data subjects are in the EEA (as it is at the audit date).", False)
    ca_subjects: bool | None = described("Some data subjects are California residents (US-CA).", False)
    raw: bool | None = described("Some data arrives without passing through pseudonymisation.", False)
    special_categories: list[str] | None = described("GDPR Art. 9 special categories among them.", factory=list)
    criminal_data: list[str] | None = described("GDPR Art. 10 criminal-offence categories among them.", factory=list)
    ccpa_sensitive: list[str] | None = described("CCPA 1798.140(ae) sensitive PI categories.", factory=list)
    ccpa_8115: bool | None = described(
        "Cal. Civ. Code 1798.81.5(d)(1) personal information reaches the asset: a name with an (A) element in one "
        "dataset, or a username/email with its password (B).",
        False,
    )
    ccpa_8115_unredacted: bool | None = described("Such elements arrive from a dataset that is not redacted.", False)
    model_origins: list[str] | None = described(
        "Origins whose data reaches the asset only inside a trained model: in a model registry, or through a "
        "training job's output. A model is judged by its own assessment (EDPB Opinion 28/2024), not as a copy.",
        factory=list,
    )
    model_only: bool | None = described("Every origin reaches the asset only inside a trained model.", False)
    min_retention_days: int | None = described(
        "Shortest retention of the origins that reach the asset as data, not inside a model (None if any is "
        "undeclared)."
    )
    max_retention_days: int | None = described(
        "Longest retention of the origins that reach the asset as data, not inside a model (None if any is "
        "undeclared)."
    )
    retention_exceeded: list[str] | None = described(
        "Storage: origins it keeps longer than their own retention, each kept for its entry in "
        "retention_by_dataset or else the store's retention_days (None: a period is undeclared, or not storage).",
        factory=list,
    )


NO_PERSONAL_DATA = PersonalDataFact(present=False)


def _category_marks(categories: list[str], access_codes: bool | None = None) -> dict[str, Any]:
    """Marks of `categories`; an account or card number counts as sensitive PI and a 1798.81.5
    element only with the code or password giving access (declared, or a credential category)."""
    marks = {key: category_marks(key) or {} for key in categories}
    with_code = bool(access_codes) or any(m.get("ccpa_8115") == "B" for m in marks.values())
    uncovered = {"ccpa_sensitive": False, "ccpa_8115": None}
    marks = {k: m | uncovered if m.get("ccpa_needs_access_code") and not with_code else m for k, m in marks.items()}
    return {
        "special_categories": [k for k, m in marks.items() if m.get("gdpr_art9")],
        "criminal_data": [k for k, m in marks.items() if m.get("gdpr_art10")],
        "ccpa_sensitive": [k for k, m in marks.items() if m.get("ccpa_sensitive")],
        "ccpa_8115_categories": [k for k, m in marks.items() if m.get("ccpa_8115")],
        "ccpa_8115_kinds": {m["ccpa_8115"] for m in marks.values() if m.get("ccpa_8115")},  # (d)(1)(A), (B)
    }


def _holds_8115(dataset: Dataset) -> bool:
    """Cal. Civ. Code 1798.81.5(d)(1) personal information: (A) a first name or initial and last name
    in combination with an (A) element, or (B) a username or email address with its password or
    security answer; an element alone (a card vault, an SSN lookup table) is not (d)(1) information."""
    if dataset.contains_8115_elements:
        return True
    categories = set(dataset.data_categories)
    marks = _category_marks(dataset.data_categories, dataset.access_codes_included)["ccpa_8115_kinds"]
    named = "user.name" in categories or {"user.name.first", "user.name.last"} <= categories
    login = "user.account.username" in categories or any(c.startswith("user.contact.email") for c in categories)
    return (named and "A" in marks) or (login and "B" in marks)


def _unknown_personal_data(unknown: list[str]) -> PersonalDataFact:
    """Only datasets of undeclared status reach the asset: every derived answer is unknown."""
    return PersonalDataFact(
        present=None,
        unknown_origins=unknown,
        unknown_because=f"personal_data is not declared on dataset(s) {', '.join(unknown)}",
        categories=None,
        subject_jurisdictions=None,
        data_subjects=None,
        eea_subjects=None,
        ca_subjects=None,
        raw=None,
        special_categories=None,
        criminal_data=None,
        ccpa_sensitive=None,
        ccpa_8115=None,
        ccpa_8115_unredacted=None,
        model_origins=None,
        model_only=None,
        retention_exceeded=None,
    )


def personal_data_facts(graph: AssetGraph, lineage: Lineage, as_of: date) -> dict[str, PersonalDataFact]:
    """Fact `personal_data` for every asset: present (True/False/None when unknown) and what (EEA at `as_of`)."""
    catalog = jurisdictions()
    facts: dict[str, PersonalDataFact] = {}
    for asset_id in graph.inventory.assets:
        if asset_id not in lineage.reached and asset_id not in lineage.unknown:
            facts[asset_id] = NO_PERSONAL_DATA
            continue
        origins = sorted(lineage.reached.get(asset_id, ()))
        unknown = sorted(lineage.unknown.get(asset_id, ()))
        if not origins:
            facts[asset_id] = _unknown_personal_data(unknown)
            continue
        datasets: list[Dataset] = [graph.asset(origin) for origin in origins]  # type: ignore[misc]
        asset = graph.asset(asset_id)
        if isinstance(asset, Dataset) and asset.data_categories:
            categories = sorted(asset.data_categories)  # a derived dataset says what it kept
        else:
            categories = sorted({c for d in datasets for c in d.data_categories})
        regions = sorted({r for d in datasets for r in d.subject_jurisdictions})
        marks = _category_marks(categories, any(d.access_codes_included for d in datasets))
        in_model = _model_origins(graph, lineage, asset_id, origins)
        as_data = [d for d in datasets if d.id not in in_model]
        retention = [d.retention_days for d in as_data if d.retention_days is not None]
        complete = bool(retention) and len(retention) == len(as_data)
        holds_8115 = {d.id: _holds_8115(d) for d in datasets}
        facts[asset_id] = PersonalDataFact(
            present=True,
            origins=origins,
            unknown_origins=unknown,
            categories=categories,
            subject_jurisdictions=regions,
            data_subjects=sorted({s for d in datasets for s in d.data_subjects}),
            eea_subjects=any(catalog.is_eea(r.split("-")[0], as_of) for r in regions),
            ca_subjects="US-CA" in regions,
            raw=bool(lineage.raw.get(asset_id)),
            special_categories=marks["special_categories"],
            criminal_data=marks["criminal_data"],
            ccpa_sensitive=marks["ccpa_sensitive"],
            ccpa_8115=any(holds_8115.values()),
            ccpa_8115_unredacted=any(holds_8115[d.id] and not d.redacted for d in datasets),
            model_origins=sorted(in_model),
            model_only=len(in_model) == len(origins),
            min_retention_days=min(retention) if complete else None,
            max_retention_days=max(retention) if complete else None,
            retention_exceeded=_retention_exceeded(asset, as_data),
        )
    return facts


TRAINING_TYPES = ("training", "fine_tuning")


def _model_origins(graph: AssetGraph, lineage: Lineage, asset_id: str, origins: list[str]) -> set[str]:
    """Origins that reach `asset_id` only inside a model: it is a model registry, or the path there
    passes a training job (its output is the model, not a copy of the training data)."""
    asset = graph.asset(asset_id)
    if isinstance(asset, Storage) and asset.type == "model_registry":
        return set(origins)
    found = set()
    for origin in origins:
        upstream = lineage.path(asset_id, origin)[:-1]
        if any(isinstance(w, Workload) and w.type in TRAINING_TYPES for w in map(graph.asset, upstream)):
            found.add(origin)
    return found


def _retention_exceeded(asset: object, datasets: list[Dataset]) -> list[str] | None:
    """Datasets a store keeps longer than their own retention, each by its own entry in
    retention_by_dataset (an archive expiring dataset by dataset) or else the store's period."""
    if not isinstance(asset, Storage):
        return None
    exceeded = []
    for dataset in datasets:
        kept = asset.retention_by_dataset.get(dataset.id, asset.retention_days)
        if kept is None or dataset.retention_days is None:
            return None
        if kept > dataset.retention_days:
            exceeded.append(dataset.id)
    return exceeded
