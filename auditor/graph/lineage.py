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
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, cast

from auditor.catalog import category_marks, jurisdictions
from auditor.graph.build import AssetGraph, DataGraph
from auditor.graph.fact import described
from auditor.inventory.models import AssetBase, Dataset, Flow, Storage, Workload

Origins = list[list[int] | None]


@dataclass
class Lineage:
    """Origins reaching each asset, by the assets' numbers in the data graph, with the parent links
    that rebuild the path.

    `reached[n]` lists the personal datasets whose data reaches asset n, `unknown[n]` those of
    undeclared status, `raw[n]` the origins arriving without passing through pseudonymisation
    (None: none). Each list is in the order the origins were searched, so assets reached by the same
    origins hold equal lists. `parents` holds each origin's links (asset -> the asset its data came
    from), one small dict per origin's search.
    """

    numbering: DataGraph  # the graph whose numbers these are: `ids[n]` and `index[asset_id]`
    reached: Origins
    unknown: Origins
    raw: Origins
    parents: dict[int, dict[int, int]] = field(default_factory=dict)

    def path(self, asset_id: str, origin: str) -> list[str]:
        """Asset ids from `origin` to `asset_id` (both included)."""
        index, ids = self.numbering.index, self.numbering.ids
        start = index[origin]
        path, links = [index[asset_id]], self.parents[start]
        while path[-1] != start:
            path.append(links[path[-1]])
        return [ids[number] for number in reversed(path)]


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
    size = len(graph.data.ids)
    lineage = Lineage(graph.data, [None] * size, [None] * size, [None] * size)
    gates = _Gates(graph)
    for dataset, personal, origin_carriers, declared_by in origin_datasets(graph):
        into = lineage.reached if personal else lineage.unknown
        _spread(graph, gates, dataset, origin_carriers, into, lineage.raw if personal else None, lineage, declared_by)
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
    """What each asset does to data passing it, as flags by asset number, read once from the inventory
    for every origin's search.

    `blocked`: anonymised assets, which data does not enter; `masking`: data leaves pseudonymised or
    aggregated; `filters`: flows that carry only the datasets they declare; `anonymising_writers`:
    workloads whose output (their `writes` edges) is anonymised.
    """

    __slots__ = ("anonymising_writers", "blocked", "filters", "masking")

    def __init__(self, graph: AssetGraph) -> None:
        index, size = graph.data.index, len(graph.data.ids)
        datasets, flows = graph.of_kind(Dataset), graph.of_kind(Flow)
        self.anonymising_writers, self.blocked, self.masking = bytearray(size), bytearray(size), bytearray(size)
        for workload in graph.of_kind(Workload):
            if anonymised(workload):
                self.anonymising_writers[index[workload.id]] = self.blocked[index[workload.id]] = 1
        for asset in (*datasets, *flows):
            if anonymised(asset):
                self.blocked[index[asset.id]] = 1
        # Data leaves these pseudonymised (or aggregated).
        for dataset in datasets:
            if dataset.pseudonymised:
                self.masking[index[dataset.id]] = 1
        for flow in flows:
            if flow.transformation in ("pseudonymise", "aggregate"):
                self.masking[index[flow.id]] = 1
        self.filters = {index[f.id]: f.datasets for f in flows if f.datasets}


def _spread(
    graph: AssetGraph,
    gates: _Gates,
    origin: Dataset,
    origin_carriers: set[str],
    into: Origins,
    raw_of: Origins | None,
    lineage: Lineage,
    declared_by: list[str],
) -> None:
    """Breadth-first from `origin`, then from each flow declaring it that was not reached (its
    parent is the origin); a node is visited again only to upgrade it to a raw arrival. `raw_of`
    is None for an origin of undeclared status (its raw arrivals are not kept)."""
    index, targets, rels = graph.data.index, graph.data.targets, graph.data.rels
    blocked, masking, filters, writers = gates.blocked, gates.masking, gates.filters, gates.anonymising_writers
    start_raw = not origin.pseudonymised
    start = index[origin.id]
    seen: dict[int, bool] = {start: start_raw}  # asset -> its data arrived raw
    parents: dict[int, int] = {}
    lineage.parents[start] = parents
    _add(into, start, start)
    if start_raw and raw_of is not None:
        _add(raw_of, start, start)
    queue: deque[tuple[int, bool]] = deque([(start, start_raw)])

    def visit(nxt: int, parent: int, raw: bool, earlier: bool | None) -> None:
        """Data of the origin enters `nxt` unless it is anonymised or a flow declaring other datasets."""
        if blocked[nxt]:
            return
        carried = filters.get(nxt)
        if carried is not None and origin_carriers.isdisjoint(carried):
            return
        arrives_raw = raw and not masking[nxt]
        if earlier is None:  # first arrival; a second one only upgrades it to raw
            _add(into, nxt, start)
        seen[nxt] = arrives_raw
        parents[nxt] = parent
        if arrives_raw and raw_of is not None:
            _add(raw_of, nxt, start)
        queue.append((nxt, arrives_raw))

    def drain() -> None:
        while queue:
            current, raw = queue.popleft()
            blocked_writes = writers[current]
            for nxt, rel in zip(targets[current], rels[current], strict=True):
                if blocked_writes and rel == "writes":
                    continue
                earlier = seen.get(nxt)
                if earlier is True or (earlier is False and not raw):
                    continue
                visit(nxt, current, raw, earlier)

    drain()
    for flow_id in declared_by:  # flows only (origin_datasets' `declaring`)
        number = index[flow_id]
        if number not in seen:
            flow = cast(Flow, graph.asset(flow_id))
            visit(number, start, start_raw and _declares_raw(graph, flow, origin.id, origin_carriers), None)
    drain()


def _add(origins: Origins, number: int, origin: int) -> None:
    found = origins[number]
    if found is None:
        origins[number] = [origin]
    else:
        found.append(origin)


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
    assets, ids = graph.inventory.assets, lineage.numbering.ids
    facts = dict.fromkeys(assets, NO_PERSONAL_DATA)  # in asset order; the reached ones replaced below
    reached, unknown_of, raw_of = lineage.reached, lineage.unknown, lineage.raw
    # Origins come as lists in search order, equal for equal sets: each distinct one is named once.
    named: dict[tuple[int, ...], tuple[str, ...]] = {}

    def names(origins: tuple[int, ...]) -> tuple[str, ...]:
        found = named.get(origins)
        if found is None:
            found = named[origins] = tuple(sorted(ids[origin] for origin in origins))
        return found

    unknowns: dict[tuple[int, ...], PersonalDataFact] = {}
    for number, undeclared in enumerate(unknown_of):
        if undeclared and not reached[number]:  # only datasets of undeclared status reach it
            only = tuple(undeclared)
            fact = unknowns.get(only)
            if fact is None:
                fact = unknowns[only] = _unknown_personal_data(list(names(only)))
            facts[ids[number]] = fact
    sets: dict[tuple[int, ...], _OriginSet] = {}
    shared: dict[tuple[object, ...], PersonalDataFact] = {}
    marked: dict[tuple[tuple[str, ...], bool], _Marked] = {}
    unknown_lists: dict[tuple[int, ...], list[str]] = {}  # one list per distinct tuple, shared like `origins`
    in_model_of = _ModelOrigins(graph, lineage)
    for number, reaching in enumerate(reached):
        if not reaching:
            continue
        asset_id = ids[number]
        asset = assets[asset_id]
        also_unknown = unknown_of[number]
        unknown = tuple(also_unknown) if also_unknown else ()
        unknown_list = unknown_lists.get(unknown)
        if unknown_list is None:
            unknown_list = unknown_lists[unknown] = list(names(unknown))
        origins = tuple(reaching)
        found = sets.get(origins)
        if found is None:
            found = sets[origins] = _origin_set(graph, names(origins), as_of)
        kind = asset.kind
        own = None
        if kind == "dataset":
            kept_categories = cast(Dataset, asset).data_categories
            own = tuple(sorted(kept_categories)) if kept_categories else None
        in_model = in_model_of(number, kind, asset, reaching)
        model = tuple(sorted(ids[origin] for origin in in_model)) if in_model else ()
        kept = None
        if kind == "storage":
            in_model_ids = set(model)
            as_data = [d for d in found.datasets if d.id not in in_model_ids] if model else found.datasets
            exceeded = _retention_exceeded(cast(Storage, asset), as_data)
            kept = None if exceeded is None else tuple(exceeded)
        raw = bool(raw_of[number])
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
        trees: dict[int, dict[int, list[int]]] = {}  # origin -> its links reversed, for origins reaching a trainer
        below: dict[int, set[int]] = {}  # asset -> origins whose data reaches it below a training job
        index = lineage.numbering.index
        for trainer in (index[w.id] for w in graph.of_kind(Workload) if w.type in TRAINING_TYPES):
            for origin in (*(lineage.reached[trainer] or ()), *(lineage.unknown[trainer] or ())):
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

    def __call__(self, number: int, kind: str, asset: AssetBase, reaching: list[int]) -> Collection[int]:
        if kind == "storage" and cast(Storage, asset).type == "model_registry":
            return reaching
        below = self.below.get(number)
        return below.intersection(reaching) if below else _NO_ORIGINS


_NO_ORIGINS: set[int] = set()


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
