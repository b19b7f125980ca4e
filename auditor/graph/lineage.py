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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, cast

from auditor.catalog import category_marks, jurisdictions
from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.inventory.models import AssetBase, Dataset, Flow, Storage, Workload


@dataclass
class Lineage:
    """Origins reaching each asset, with the parent links that rebuild the path.

    `raw` holds the origins that reach an asset without passing through pseudonymisation; `parents`
    holds each origin's links (asset -> the asset its data came from), one small dict per origin's
    search rather than one dict keyed by (asset, origin) pairs: no pair is made per link, and each
    search writes a table of its own size (bench/README.md, 7 December: 6-9% off the facts at 100k).
    """

    reached: dict[str, set[str]] = field(default_factory=dict)
    unknown: dict[str, set[str]] = field(default_factory=dict)
    raw: dict[str, set[str]] = field(default_factory=dict)
    parents: dict[str, dict[str, str]] = field(default_factory=dict)

    def path(self, asset_id: str, origin: str) -> list[str]:
        """Asset ids from `origin` to `asset_id` (both included)."""
        path, links = [asset_id], self.parents[origin]
        while path[-1] != origin:
            path.append(links[path[-1]])
        return path[::-1]


def anonymised(asset: AssetBase) -> bool:
    """Is the asset's data anonymous, as claimed *and* backed by an anonymisation assessment?

    Kinds compared, not `isinstance` (a loaded asset is a struct, matched by a metaclass hook)."""
    kind = asset.kind
    if kind == "dataset":
        claimed = bool(cast(Dataset, asset).anonymised)
    elif kind == "flow":
        claimed = cast(Flow, asset).transformation == "anonymise"
    elif kind == "workload":
        claimed = bool(cast(Workload, asset).output_anonymised)
    else:
        return False
    return claimed and getattr(asset, "anonymisation_assessment_ref", None) is not None


def unsupported_anonymisation(dataset: Dataset) -> bool:
    """Claimed anonymous without the assessment that shows it: still personal data."""
    return bool(dataset.anonymised) and not anonymised(dataset)


def trace_lineage(graph: AssetGraph) -> Lineage:
    lineage = Lineage()
    gates = _Gates(graph)
    for dataset, personal, origin_carriers, declared_by in origin_datasets(graph):
        into = lineage.reached if personal else lineage.unknown
        _spread(graph, gates, dataset, origin_carriers, into, lineage, declared_by)
    return lineage


def origin_datasets(graph: AssetGraph) -> Iterator[tuple[Dataset, bool, set[str], list[str]]]:
    """Each dataset lineage starts from: whether it is known to be personal (else undeclared), the
    datasets carrying its data (itself and what derives from it) and the flows declaring any of them."""
    carriers = _carriers(graph)
    declaring: dict[str, list[str]] = {}  # dataset -> flows that declare it
    for flow in graph.of_kind(Flow):
        for carried in flow.datasets:
            declaring.setdefault(carried, []).append(flow.id)
    for dataset in graph.of_kind(Dataset):
        personal = dataset.personal_data or unsupported_anonymisation(dataset)
        if anonymised(dataset) or (dataset.personal_data is False and not personal):
            continue
        origin_carriers = carriers.get(dataset.id, {dataset.id})
        declared_by = sorted({f for carrier in origin_carriers for f in declaring.get(carrier, [])})
        yield dataset, bool(personal), origin_carriers, declared_by


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


class _Gates:
    """What each asset does to data passing it, read once from the inventory for every origin's search.

    `blocked`: anonymised assets, which data does not enter; `masking`: data leaves pseudonymised or
    aggregated; `filters`: flows that carry only the datasets they declare; `anonymising_writers`:
    workloads whose output (their `writes` edges) is anonymised.
    """

    __slots__ = ("anonymising_writers", "blocked", "filters", "masking")

    def __init__(self, graph: AssetGraph) -> None:
        datasets, flows = graph.of_kind(Dataset), graph.of_kind(Flow)
        self.anonymising_writers = {w.id for w in graph.of_kind(Workload) if anonymised(w)}
        self.blocked = {a.id for a in (*datasets, *flows) if anonymised(a)} | self.anonymising_writers
        # Data leaves these pseudonymised (or aggregated).
        self.masking = {d.id for d in datasets if d.pseudonymised}
        self.masking.update(f.id for f in flows if f.transformation in ("pseudonymise", "aggregate"))
        self.filters = {f.id: f.datasets for f in flows if f.datasets}


def _spread(
    graph: AssetGraph,
    gates: _Gates,
    origin: Dataset,
    origin_carriers: set[str],
    into: dict[str, set[str]],
    lineage: Lineage,
    declared_by: list[str],
) -> None:
    """Breadth-first from `origin`, then from each flow declaring it that was not reached (its
    parent is the origin); a node is visited again only to upgrade it to a raw arrival."""
    start_raw = not origin.pseudonymised
    origin_id = origin.id
    seen = {origin_id}
    seen_raw = {origin_id} if start_raw else set()
    into.setdefault(origin_id, set()).add(origin_id)
    keeps_raw = into is lineage.reached
    if start_raw and keeps_raw:
        lineage.raw.setdefault(origin_id, set()).add(origin_id)
    adj, raw_of = graph.data.adj, lineage.raw
    parents = lineage.parents[origin_id] = {}
    into_get, raw_get = into.get, raw_of.get
    blocked, masking, filters, writers = gates.blocked, gates.masking, gates.filters, gates.anonymising_writers

    def visit(nxt: str, parent: str, raw: bool) -> None:
        """Data of the origin enters `nxt` unless it is anonymised or a flow declaring other datasets."""
        if nxt in blocked:
            return
        carried = filters.get(nxt)
        if carried is not None and origin_carriers.isdisjoint(carried):
            return
        arrives_raw = raw and nxt not in masking
        seen.add(nxt)
        parents[nxt] = parent
        origins = into_get(nxt)  # get, then a new set only when missing (setdefault would make one per call)
        if origins is None:
            into[nxt] = {origin_id}
        else:
            origins.add(origin_id)
        if arrives_raw:
            seen_raw.add(nxt)
            if keeps_raw:
                raw_origins = raw_get(nxt)
                if raw_origins is None:
                    raw_of[nxt] = {origin_id}
                else:
                    raw_origins.add(origin_id)
        queue.append((nxt, arrives_raw))

    def drain() -> None:
        while queue:
            current, raw = queue.popleft()
            blocked_writes = current in writers
            for nxt, attrs in adj[current].items():
                if blocked_writes and attrs["rel"] == "writes":
                    continue
                if nxt in seen_raw or (nxt in seen and not raw):
                    continue
                visit(nxt, current, raw)

    queue = deque([(origin_id, start_raw)])
    drain()
    for flow_id in declared_by:  # flows only (trace_lineage's `declaring`)
        if flow_id not in seen:
            flow = cast(Flow, graph.asset(flow_id))
            visit(flow_id, origin_id, start_raw and _declares_raw(graph, flow, origin_id, origin_carriers))
    drain()


def _declares_raw(graph: AssetGraph, flow: Flow, origin: str, origin_carriers: set[str]) -> bool:
    """The flow declares the origin itself, or a derived carrier of it that is not pseudonymised."""
    for carried in origin_carriers.intersection(flow.datasets):
        dataset = graph.asset(carried)
        if carried == origin or (dataset.kind == "dataset" and not cast(Dataset, dataset).pseudonymised):
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
    ccpa_sensitive: list[str] | None = described(
        "CCPA 1798.140(ae) sensitive PI categories at the audit date (one an amendment added counts from its date).",
        factory=list,
    )
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
        "Longest retention of the origins that reach the asset as data, not inside a model (None if any is undeclared)."
    )
    retention_exceeded: list[str] | None = described(
        "Storage: origins it keeps longer than their own retention, each kept for its entry in "
        "retention_by_dataset or else the store's retention_days (None: a period is undeclared, or not storage).",
        factory=list,
    )


NO_PERSONAL_DATA = PersonalDataFact(present=False)


@cache
def _category_marks(categories: tuple[str, ...], access_codes: bool) -> dict[str, Any]:
    """Marks of `categories`; an account or card number counts as sensitive PI and a 1798.81.5
    element only with the code or password giving access (declared, or a credential category).
    Sensitive PI comes with the date an amendment made the category so (None: from the start).
    Memoised (as tuples, so no fact holds the cached lists): many origin sets share one list of categories."""
    marks = {key: category_marks(key) or {} for key in categories}
    with_code = access_codes or any(m.get("ccpa_8115") == "B" for m in marks.values())
    uncovered = {"ccpa_sensitive": False, "ccpa_8115": None}
    marks = {k: m | uncovered if m.get("ccpa_needs_access_code") and not with_code else m for k, m in marks.items()}
    return {
        "special_categories": tuple(k for k, m in marks.items() if m.get("gdpr_art9")),
        "criminal_data": tuple(k for k, m in marks.items() if m.get("gdpr_art10")),
        "ccpa_sensitive": tuple((k, m.get("ccpa_sensitive_from")) for k, m in marks.items() if m.get("ccpa_sensitive")),
        "ccpa_8115_categories": tuple(k for k, m in marks.items() if m.get("ccpa_8115")),
        "ccpa_8115_kinds": frozenset(m["ccpa_8115"] for m in marks.values() if m.get("ccpa_8115")),  # (d)(1)(A), (B)
    }


def _holds_8115(dataset: Dataset) -> bool:
    """Cal. Civ. Code 1798.81.5(d)(1) personal information: (A) a first name or initial and last name
    in combination with an (A) element, or (B) a username or email address with its password or
    security answer; an element alone (a card vault, an SSN lookup table) is not (d)(1) information."""
    if dataset.contains_8115_elements:
        return True
    categories = set(dataset.data_categories)
    marks = _category_marks(tuple(dataset.data_categories), bool(dataset.access_codes_included))["ccpa_8115_kinds"]
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


@dataclass(slots=True)
class _OriginSet:
    """What one set of origins brings wherever it arrives (computed once per distinct set)."""

    origins: list[str]
    datasets: list[Dataset]
    categories: tuple[str, ...]
    regions: list[str]
    data_subjects: list[str]
    eea_subjects: bool
    ca_subjects: bool
    access_codes: bool
    ccpa_8115: bool
    ccpa_8115_unredacted: bool
    retention: tuple[int | None, int | None]  # shortest and longest, when every origin reaches as data


def _origin_set(graph: AssetGraph, origins: tuple[str, ...], as_of: date) -> _OriginSet:
    catalog = jurisdictions()
    datasets: list[Dataset] = [graph.asset(origin) for origin in origins]  # type: ignore[misc]
    regions = sorted({r for d in datasets for r in d.subject_jurisdictions})
    holds_8115 = {d.id: _holds_8115(d) for d in datasets}
    return _OriginSet(
        origins=list(origins),
        datasets=datasets,
        categories=tuple(sorted({c for d in datasets for c in d.data_categories})),
        regions=regions,
        data_subjects=sorted({s for d in datasets for s in d.data_subjects}),
        eea_subjects=any(catalog.is_eea(r.split("-")[0], as_of) for r in regions),
        ca_subjects="US-CA" in regions,
        access_codes=any(d.access_codes_included for d in datasets),
        ccpa_8115=any(holds_8115.values()),
        ccpa_8115_unredacted=any(holds_8115[d.id] and not d.redacted for d in datasets),
        retention=_retention(datasets),
    )


def _retention(datasets: list[Dataset]) -> tuple[int | None, int | None]:
    """Shortest and longest retention of `datasets` (None, None if any is undeclared)."""
    retention = [d.retention_days for d in datasets if d.retention_days is not None]
    if retention and len(retention) == len(datasets):
        return min(retention), max(retention)
    return None, None


# Per (categories, access codes): the categories and their marks as lists, shared by the facts that have them.
_Marked = tuple[list[str], list[str], list[str], list[str]]


def personal_data_facts(graph: AssetGraph, lineage: Lineage, as_of: date) -> dict[str, PersonalDataFact]:
    """Fact `personal_data` for every asset: present (True/False/None when unknown) and what (EEA at `as_of`).

    What an origin set brings is computed once per distinct set, and assets that come to the same
    answer share one fact object (facts are only read once built, so they share lists too).
    """
    assets = graph.inventory.assets
    facts = dict.fromkeys(assets, NO_PERSONAL_DATA)  # in asset order; the reached ones replaced below
    unknowns: dict[tuple[str, ...], PersonalDataFact] = {}
    for asset_id, undeclared in lineage.unknown.items():
        if not lineage.reached.get(asset_id):  # only datasets of undeclared status reach it
            unknown = tuple(sorted(undeclared))
            fact = unknowns.get(unknown)
            if fact is None:
                fact = unknowns[unknown] = _unknown_personal_data(list(unknown))
            facts[asset_id] = fact
    sets: dict[tuple[str, ...], _OriginSet] = {}
    shared: dict[tuple[object, ...], PersonalDataFact] = {}
    marked: dict[tuple[tuple[str, ...], bool], _Marked] = {}
    unknown_lists: dict[tuple[str, ...], list[str]] = {}  # one list per distinct tuple, shared like `origins`
    in_model_of = _ModelOrigins(graph, lineage)
    unknown_of, raw_of = lineage.unknown.get, lineage.raw.get
    for asset_id, reaching in lineage.reached.items():
        if not reaching:
            continue
        asset = assets[asset_id]
        also_unknown = unknown_of(asset_id)
        unknown = tuple(sorted(also_unknown)) if also_unknown else ()
        unknown_list = unknown_lists.get(unknown)
        if unknown_list is None:
            unknown_list = unknown_lists[unknown] = list(unknown)
        origins = tuple(sorted(reaching)) if len(reaching) > 1 else tuple(reaching)
        found = sets.get(origins)
        if found is None:
            found = sets[origins] = _origin_set(graph, origins, as_of)
        kind = asset.kind
        own = None
        if kind == "dataset":
            kept_categories = cast(Dataset, asset).data_categories
            own = tuple(sorted(kept_categories)) if kept_categories else None
        in_model = in_model_of(asset_id, kind, asset, reaching)
        model = tuple(sorted(in_model)) if in_model else ()
        kept = None
        if kind == "storage":
            as_data = [d for d in found.datasets if d.id not in in_model] if in_model else found.datasets
            exceeded = _retention_exceeded(cast(Storage, asset), as_data)
            kept = None if exceeded is None else tuple(exceeded)
        raw = bool(raw_of(asset_id))
        key = (origins, unknown, raw, own, model, kept)
        fact = shared.get(key)
        if fact is None:
            categories = own if own is not None else found.categories  # a derived dataset says what it kept
            marks = marked.get((categories, found.access_codes))
            if marks is None:
                marks = marked[(categories, found.access_codes)] = _marked(categories, found.access_codes, as_of)
            fact = shared[key] = _personal_fact(found, unknown_list, raw, marks, model, kept)
        facts[asset_id] = fact
    return facts


def _marked(categories: tuple[str, ...], access_codes: bool, as_of: date) -> _Marked:
    """The marks at `as_of`: a category an amendment made sensitive PI (AB 947: citizenship, 2024;
    SB 1223: neural data, 2025) counts from the amendment's date."""
    marks = _category_marks(categories, access_codes)
    day = as_of.isoformat()  # ISO dates compare as text
    return (
        list(categories),
        list(marks["special_categories"]),
        list(marks["criminal_data"]),
        [key for key, since in marks["ccpa_sensitive"] if since is None or since <= day],
    )


def _personal_fact(
    found: _OriginSet,
    unknown: list[str],
    raw: bool,
    marks: _Marked,
    model: tuple[str, ...],
    kept: tuple[str, ...] | None,
) -> PersonalDataFact:
    if model:
        shortest, longest = _retention([d for d in found.datasets if d.id not in model])
    else:
        shortest, longest = found.retention
    categories, special, criminal, sensitive = marks
    return PersonalDataFact(  # positional, in field order (43k distinct facts at 100k assets)
        True,
        found.origins,
        unknown,
        None,
        categories,
        found.regions,
        found.data_subjects,
        found.eea_subjects,
        found.ca_subjects,
        raw,
        special,
        criminal,
        sensitive,
        found.ccpa_8115,
        found.ccpa_8115_unredacted,
        list(model),
        len(model) == len(found.origins),
        shortest,
        longest,
        None if kept is None else list(kept),
    )


TRAINING_TYPES = ("training", "fine_tuning")


class _ModelOrigins:
    """Origins that reach an asset only inside a model: it is a model registry, or the path there
    passes a training job (its output is the model, not a copy of the training data).

    The origins below a training job are found once per asset, down each origin's tree of lineage
    links from the training jobs it reaches (each link followed once)."""

    def __init__(self, graph: AssetGraph, lineage: Lineage) -> None:
        trees: dict[str, dict[str, list[str]]] = {}  # origin -> its links reversed, for origins reaching a trainer
        below: dict[str, set[str]] = {}  # asset -> origins whose data reaches it below a training job
        for trainer in (w.id for w in graph.of_kind(Workload) if w.type in TRAINING_TYPES):
            for origin in (*lineage.reached.get(trainer, ()), *lineage.unknown.get(trainer, ())):
                children = trees.get(origin)
                if children is None:
                    children = trees[origin] = {}
                    for node, parent in lineage.parents[origin].items():
                        children.setdefault(parent, []).append(node)
                stack = list(children.get(trainer, ()))
                while stack:
                    node = stack.pop()
                    origins = below.setdefault(node, set())
                    if origin not in origins:
                        origins.add(origin)
                        stack.extend(children.get(node, ()))
        self.below = below

    def __call__(self, asset_id: str, kind: str, asset: AssetBase, reaching: set[str]) -> set[str]:
        if kind == "storage" and cast(Storage, asset).type == "model_registry":
            return reaching
        below = self.below.get(asset_id)
        return below & reaching if below else _NO_ORIGINS


_NO_ORIGINS: set[str] = set()


def _retention_exceeded(asset: Storage, datasets: list[Dataset]) -> list[str] | None:
    """Datasets a store keeps longer than their own retention, each by its own entry in
    retention_by_dataset (an archive expiring dataset by dataset) or else the store's period."""
    exceeded = []
    for dataset in datasets:
        kept = asset.retention_by_dataset.get(dataset.id, asset.retention_days)
        if kept is None or dataset.retention_days is None:
            return None
        if kept > dataset.retention_days:
            exceeded.append(dataset.id)
    return exceeded
