"""GDPR Chapter V: where personal data under the GDPR is transferred, and on what basis.

A transfer, as EDPB Guidelines 05/2021 define it, needs three things: an exporter subject to the
GDPR for the processing (our organisation, for the datasets whose scope fact says the GDPR
applies: Art. 3(1) or 3(2), whatever the data subjects' residence); a separate importer it
discloses the data to or gives access to (a vendor: the operator of a store or node, the vendor
itself, its sub-processors); and that importer in a third country or an international
organisation. The organisation's own processing, wherever it happens, is not a transfer, and
neither is a non-EEA controller's direct collection from people in the EEA. Assets of one importer
in one country with the same outcome are one transfer: judged once, at the importer (or at its
first asset in that country), never once per downstream asset.

The destination (the EEA as it is at the audit date: the UK counts until 2020-12-31) is classified: EEA (no transfer),
adequate (a decision in force at the audit date whose scope the recipient meets: for the US a
certification under the framework then in force, covering HR data when HR data is sent; for
Canada, Japan and Korea a recipient inside the decision's sector; for the UK in the first half of
2021 the TCA bridge), an Art. 46 safeguard (SCCs, BCRs ...) declared on the flow that carried the
data across or on the recipient vendor, an Art. 49 derogation, or none. A recipient that is an
international organisation makes a transfer wherever it sits (Art. 44). A vendor whose staff
reach the data from third countries (remote access, EDPB Guidelines 05/2021) makes a transfer
too, as does an onward transfer to a sub-processor (lineage follows sub-processor edges). A
recipient that does not say whether it meets a decision's scope leaves the basis unknown.

An importer that surveillance law lets public authorities reach (FISA s. 702, EO 12333: declared
as `surveillance_exposure` on the vendor) gets data protected by an Art. 46 tool only when the
supplementary measures declared with that tool keep the data unintelligible to it (EDPB
Recommendations 01/2020, use cases 1, 2 and 5; contractual and organisational measures alone do
not), or when the TIA documents that the law is not applied in practice to the data and importer
(para 43.3). A recipient certified under the DPF relies on adequacy and needs none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import cast

from auditor.catalog import AdequacyDecision, jurisdictions
from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.graph.jurisdiction import JurisdictionFact
from auditor.graph.lineage import NO_PERSONAL_DATA, Lineage, PersonalDataFact
from auditor.graph.scope import ScopeFact
from auditor.inventory.models import AssetBase, Certification, Dataset, Flow, Vendor

TRANSFER_KINDS = frozenset({"storage", "compute", "cluster", "workload", "vendor"})
SAFEGUARDS = frozenset({"scc", "bcr", "code_of_conduct", "certification", "ad_hoc_clauses"})
HR_SUBJECTS = frozenset({"employee", "applicant", "contractor_staff"})
US_FRAMEWORKS = frozenset({"safe_harbor", "privacy_shield", "dpf"})
# Measures that keep the data unintelligible to the importer (EDPB Recommendations 01/2020, use cases 1, 2, 5).
UNINTELLIGIBLE = ("encryption_exporter_keys", "pseudonymisation_exporter_key", "split_processing")


@dataclass(slots=True)
class TransferFact:
    """Whether EEA personal data reaching the asset makes a Chapter V transfer, and on what basis."""

    required: bool | None = described(
        "EEA personal data reaches a place outside the EEA or an international organisation here"
        " (None: the asset's country is unknown).",
        False,
    )
    basis: str | None = described(
        "adequacy, safeguard, derogation or none (None when no transfer is made, or when the recipient"
        " does not say whether it meets the decision's scope)."
    )
    remote_access_third_countries: list[str] = described(
        "Third countries from which a vendor's staff reach the data, not (or not known to be) covered by adequacy.",
        factory=list,
    )
    origin: str | None = described("The first EEA personal dataset reaching the asset.")
    path: list[str] = described("Asset ids from that dataset to this asset.", factory=list)
    country: str | None = described("The asset's country.")
    zone: str | None = described(
        "The asset's GDPR zone (eea, adequate, third_country; international_organisation for a recipient"
        " that is one with no decision in force)."
    )
    hr_data: bool = described("HR data (employees, applicants, contractor staff) is transferred.", False)
    recipient: str | None = described("The vendor receiving the data here, if any.")
    international_organisation: str | None = described("The international organisation the recipient is, if any.")
    flow: str | None = described("The last flow on the path: the one that carried the data across.")
    flow_datasets: list[str] = described(
        "Datasets under the GDPR, not declared free of personal data, that this flow declares it carries"
        " (empty: it declares none, or there is no flow).",
        factory=list,
    )
    carried_from: str | None = described(
        "The origin, when the flow declares such datasets and the origin is not one of them (None otherwise)."
    )
    adequacy_decision: str | None = described("The adequacy decision (or TCA bridge) in force for the destination.")
    framework: str | None = described(
        "The US framework in force at the audit date that the recipient must be certified under"
        " (Safe Harbor, Privacy Shield, DPF)."
    )
    certified: bool | None = described("The recipient holds a certification under it valid at the audit date.")
    certification_covers_hr: bool | None = described("That certification covers HR data (None: not declared).")
    mechanism: str | None = described(
        "The transfer mechanism relied on (adequacy, tca_bridge, safe_harbor, privacy_shield, dpf, scc, bcr,"
        " derogation ...)."
    )
    mechanism_declared_on: str | None = described("The flow or vendor that declares the mechanism.")
    scc_version: str | None = described("The SCC version declared with an SCC mechanism.")
    tia_ref: str | None = described("Transfer impact assessment declared with an Art. 46 safeguard.")
    tia_outcome: str | None = described(
        "What the TIA concluded: sufficient or insufficient (with supplementary measures)."
    )
    tia_practical_application_assessed: bool | None = described(
        "The TIA documents that the surveillance law the importer is exposed to is not applied in practice to"
        " the transferred data and importer (EDPB Recommendations 01/2020 v2.0, para 43.3)."
    )
    surveillance_exposure: list[str] | None = described(
        "For an Art. 46 transfer: surveillance law the importer is exposed to (fisa_702, eo_12333, other;"
        " None: not declared or no such transfer)."
    )
    supplementary_measures: list[str] = described(
        "Supplementary measures declared with the Art. 46 tool, on the same flow or vendor.", factory=list
    )
    unintelligible_by: list[str] = described(
        "Those of them that keep the data unintelligible to the importer (EDPB Recommendations 01/2020,"
        " use cases 1, 2, 5).",
        factory=list,
    )
    derogation_ground: str | None = described(
        "The Art. 49(1) ground, for a derogation: a to g or compelling_legitimate_interests."
    )
    occasional: bool | None = described("The flow or vendor declares the transfer occasional (not repetitive).")
    transfer_consent_ref: str | None = described(
        "For ground a: the record of explicit consent given after being informed of the risks (Art. 49(1)(a))."
    )
    public_interest_law_ref: str | None = described(
        "For ground d: the Union or Member State law recognising the public interest (Art. 49(4))."
    )
    sa_informed_ref: str | None = described(
        "For compelling legitimate interests: the record that the supervisory authority was informed."
    )
    derogation_assessment_ref: str | None = described(
        "For compelling legitimate interests: the assessment and safeguards in the Art. 30 records (Art. 49(6))."
    )
    limited_data_subjects: bool | None = described(
        "For compelling legitimate interests: the transfer concerns only a limited number of data subjects."
    )
    datasets: list[str] = described("Datasets under the GDPR whose data this transfer carries.", factory=list)
    importer: str | None = described(
        "The separate entity receiving the data (None: the organisation's own processing)."
    )
    judged_at: str | None = described(
        "For an asset of a transfer judged elsewhere (one finding per transfer): the asset where it is judged."
    )
    members: list[str] = described(
        "The other assets of the importer in that country carried by this transfer.", factory=list
    )
    gap: str | None = described("Why no basis was found, when the basis is none.")
    unknown_because: str | None = described("Why the basis is unknown, naming the input to declare.")


NO_TRANSFER = TransferFact()


@dataclass(frozen=True, slots=True)
class _Cover:
    """Whether a decision covers a recipient (None: unknown), and why not."""

    covered: bool | None
    gap: str | None = None
    unknown_because: str | None = None
    certified: bool | None = None
    covers_hr: bool | None = None


def analyse_transfers(
    graph: AssetGraph,
    lineage: Lineage,
    places: Sequence[JurisdictionFact],
    personal: dict[str, PersonalDataFact],
    scope: dict[str, ScopeFact],
    as_of: date,
) -> dict[str, TransferFact]:
    """Fact `transfer` for assets of TRANSFER_KINDS (a transfer made there or not); `places`: each
    asset's jurisdiction fact by its number (inventory order)."""
    index = graph.data.index
    under_gdpr = {d.id: scope[d.id].gdpr.applies is not False for d in graph.of_kind(Dataset)}
    # What a crossing flow may name as carried: datasets under the GDPR not declared free of personal data.
    carriable = {d for d, gdpr in under_gdpr.items() if gdpr and personal[d].present is not False}
    # Per list of origins (one list is shared by the personal-data facts of one origin set, as are its
    # data subjects): those under the GDPR and whether HR data is among them, the list kept alive for its id.
    per_origins: dict[int, tuple[list[str], list[str], bool]] = {}
    own: dict[int, TransferFact] = {}  # the organisation's own processing, per list of origins
    recipient_of = _Recipients(graph)
    facts: dict[str, TransferFact] = {}
    for kind in sorted(TRANSFER_KINDS):
        for asset in graph.inventory.by_kind.get(kind, ()):
            asset_id = asset.id
            reaching = personal[asset_id]
            if reaching is NO_PERSONAL_DATA:
                facts[asset_id] = NO_TRANSFER
                continue
            known = per_origins.get(id(reaching.origins))
            if known is None:
                known = per_origins[id(reaching.origins)] = (
                    reaching.origins,
                    [origin for origin in reaching.origins if under_gdpr[origin]],
                    bool(HR_SUBJECTS.intersection(reaching.data_subjects or ())),
                )
            _, origins, hr_data = known
            if not origins:  # nothing under the GDPR here
                facts[asset_id] = NO_TRANSFER
                continue
            recipient = recipient_of(asset_id, asset)
            if recipient is None:  # our own processing
                fact = own.get(id(origins))
                if fact is None:
                    fact = own[id(origins)] = TransferFact(required=False, datasets=origins)
                facts[asset_id] = fact
                continue
            facts[asset_id] = _made_at(
                graph, lineage, asset, recipient, origins, places[index[asset_id]], hr_data, as_of, carriable
            )
    return _one_per_transfer(graph, facts)


def _made_at(
    graph: AssetGraph,
    lineage: Lineage,
    asset: AssetBase,
    recipient: Vendor,
    origins: list[str],
    place: JurisdictionFact,
    hr_data: bool,
    as_of: date,
    carriable: set[str],
) -> TransferFact:
    """The transfer fact of an asset whose data a vendor receives."""
    origin = origins[0]
    organisation = recipient.international_organisation
    remote = _remote_access(asset, hr_data, as_of)
    outside = None if place.country is None else place.zone != "eea"
    fact = TransferFact(
        required=True if remote or organisation else outside,
        remote_access_third_countries=sorted(remote),
        international_organisation=organisation,
        origin=origin,
        path=lineage.path(asset.id, origin),
        country=place.country,
        zone=place.zone,
        hr_data=hr_data,
        datasets=origins,
        importer=recipient.id,
    )
    return _with_basis(graph, fact, recipient, remote, as_of, carriable) if fact.required else fact


def _one_per_transfer(graph: AssetGraph, facts: dict[str, TransferFact]) -> dict[str, TransferFact]:
    """Group the assets of one importer in one country with one outcome: judged once.

    The transfer is judged at the importer itself when it sits in that country, else at the
    first of its assets there; the others point to it (`judged_at`).
    """
    groups: dict[tuple[object, ...], list[str]] = {}
    for asset_id, fact in facts.items():
        if fact.required is not False:
            key = (fact.importer, fact.country, fact.basis, fact.mechanism, fact.mechanism_declared_on, fact.gap)
            groups.setdefault(key, []).append(asset_id)
    for (importer, *_), members in groups.items():
        if len(members) == 1:
            continue
        judged = importer if importer in members else sorted(members)[0]
        others = sorted(m for m in members if m != judged)
        datasets = sorted({d for m in members for d in facts[m].datasets})
        facts[judged] = replace(facts[judged], members=others, datasets=datasets)
        for member in others:
            facts[member] = replace(facts[member], required=False, judged_at=judged)
    return facts


def _certification(vendor: Vendor | None, framework: str, day: date) -> Certification | None:
    """The recipient's certification under `framework` valid on `day` (dpf_certified: an undated DPF one)."""
    if vendor is None:
        return None
    for held in vendor.certifications:
        if held.framework == framework and held.from_ <= day and (held.until is None or day <= held.until):
            return held
    if framework == "dpf" and vendor.dpf_certified:
        return Certification.model_validate({"framework": "dpf", "from": day, "covers_hr": vendor.dpf_covers_hr})
    return None


def _coverage(decision: AdequacyDecision, recipient: Vendor | None, hr_data: bool, day: date) -> _Cover:
    """Whether `decision` covers `recipient` on `day`: its scope limits, enforced."""
    if decision.scope in US_FRAMEWORKS:
        held = _certification(recipient, decision.scope, day)
        if held is None or recipient is None:
            return _Cover(
                False,
                f"US recipient not certified under the framework in force ({decision.scope_name})",
                certified=False,
            )
        if hr_data and held.covers_hr is None:
            return _Cover(
                None,
                unknown_because=f"vendor {recipient.id} does not say whether its {decision.scope_name}"
                " certification covers HR data (covers_hr or dpf_covers_hr)",
                certified=True,
            )
        if hr_data and not held.covers_hr:
            gap = f"the recipient's {decision.scope_name} certification does not cover HR data"
            return _Cover(False, gap, certified=True, covers_hr=False)
        return _Cover(True, certified=True, covers_hr=held.covers_hr)
    if decision.scope is not None:
        within = recipient.within_adequacy_scope if recipient else None
        if within is None:
            says = f"vendor {recipient.id} does not declare" if recipient else "no operating vendor declares"
            return _Cover(
                None,
                unknown_because=f"{says} within_adequacy_scope, required by {decision.decision}: {decision.scope_note}",
            )
        if not within:
            return _Cover(False, f"recipient outside the scope of {decision.decision} ({decision.scope_name})")
    return _Cover(True)


def _remote_access(asset: AssetBase, hr_data: bool, as_of: date) -> dict[str, _Cover]:
    """Countries a vendor's staff reach the data from that are neither EEA nor (known to be) adequate for it."""
    if asset.kind != "vendor":
        return {}
    asset = cast(Vendor, asset)
    catalog = jurisdictions()
    found = {}
    for country in asset.remote_access_countries:
        if catalog.is_eea(country, as_of):
            continue
        decision = catalog.decision(country, as_of)
        cover = _coverage(decision, asset, hr_data, as_of) if decision else _Cover(False)
        if not cover.covered:
            found[country] = cover
    return found


class _Recipients:
    """The vendor that receives the data at an asset, if any: the asset itself, its operator, or the
    operator of its site (relations read once, not per asset)."""

    __slots__ = ("assets", "located_at", "operated_by")

    def __init__(self, graph: AssetGraph) -> None:
        self.assets = graph.inventory.assets
        self.operated_by, self.located_at = graph.relation("operated_by"), graph.relation("located_at")

    def __call__(self, asset_id: str, asset: AssetBase) -> Vendor | None:
        if asset.kind == "vendor":
            return cast(Vendor, asset)
        operated_by = self.operated_by
        operators = operated_by.get(asset_id)
        if operators:
            return self.assets[operators[0]]  # type: ignore[return-value]
        for site in self.located_at.get(asset_id, ()):
            operators = operated_by.get(site)
            if operators:
                return self.assets[operators[0]]  # type: ignore[return-value]
        return None


def _crossing_flow(graph: AssetGraph, path: list[str]) -> Flow | None:
    """The last flow on the path: the one that carried the data to its destination."""
    for asset_id in reversed(path):
        asset = graph.asset(asset_id)
        if asset.kind == "flow":
            return cast(Flow, asset)
    return None


def _with_basis(
    graph: AssetGraph,
    fact: TransferFact,
    recipient: Vendor | None,
    remote: dict[str, _Cover],
    day: date,
    carriable: set[str],
) -> TransferFact:
    """The transfer fact completed with its recipient, carrying flow (and the datasets it declares),
    decision relied on and basis."""
    catalog = jurisdictions()
    organisation = fact.international_organisation
    if organisation:
        decision = catalog.organisation_decision(organisation, day)
        fact = replace(fact, zone="adequate" if decision else "international_organisation")
    else:
        decision = catalog.decision(fact.country, day) if fact.country and fact.zone == "adequate" else None
    flow = _crossing_flow(graph, fact.path)
    cover = _coverage(decision, recipient, fact.hr_data, day) if decision else None
    carried = [d for d in flow.datasets if d in carriable] if flow else []
    fact = replace(
        fact,
        recipient=recipient.id if recipient else None,
        flow=flow.id if flow else None,
        flow_datasets=carried,
        carried_from=fact.origin if carried and fact.origin not in carried else None,
        adequacy_decision=decision.decision if decision else None,
        framework=decision.scope_name if decision and decision.scope in US_FRAMEWORKS else None,
        certified=cover.certified if cover else None,
        certification_covers_hr=cover.covers_hr if cover else None,
    )
    if decision and cover and cover.covered and not remote:
        relied_on = decision.scope if decision.scope in US_FRAMEWORKS else decision.mechanism
        return replace(fact, basis="adequacy", mechanism=relied_on)
    source: Flow | Vendor | None = flow if flow is not None and flow.transfer_mechanism else recipient
    mechanism = source.transfer_mechanism if source is not None else None
    fact = replace(
        fact,
        mechanism=mechanism,
        mechanism_declared_on=source.id if source is not None and mechanism else None,
        scc_version=source.scc_version if source is not None and mechanism == "scc" else None,
    )
    if mechanism in SAFEGUARDS and source is not None:
        measures: list[str] = list(source.supplementary_measures)
        exposure = recipient.surveillance_exposure if recipient is not None else None
        return replace(
            fact,
            basis="safeguard",
            tia_ref=source.tia_ref,
            tia_outcome=source.tia_outcome,
            tia_practical_application_assessed=source.tia_practical_application_assessed,
            surveillance_exposure=None if exposure is None else list(exposure),
            supplementary_measures=measures,
            unintelligible_by=[m for m in measures if m in UNINTELLIGIBLE],
        )
    if mechanism == "derogation" and source is not None:
        return replace(
            fact,
            basis="derogation",
            derogation_ground=source.derogation_ground,
            occasional=source.occasional,
            transfer_consent_ref=source.transfer_consent_ref,
            public_interest_law_ref=source.public_interest_law_ref,
            sa_informed_ref=source.sa_informed_ref,
            derogation_assessment_ref=source.derogation_assessment_ref,
            limited_data_subjects=source.limited_data_subjects,
        )
    gaps = _gaps(fact, decision, cover, remote, organisation)
    unknown = [c.unknown_because for c in (cover, *remote.values()) if c is not None and c.unknown_because]
    if not gaps and unknown:
        return replace(fact, basis=None, unknown_because="; ".join(unknown))
    tail = f"declared mechanism {mechanism} is no basis here" if mechanism else "no safeguard or derogation declared"
    return replace(fact, basis="none", gap="; ".join([*gaps, tail]))


def _gaps(
    fact: TransferFact,
    decision: AdequacyDecision | None,
    cover: _Cover | None,
    remote: dict[str, _Cover],
    organisation: str | None,
) -> list[str]:
    """Why adequacy does not carry the transfer, in words for the finding."""
    gaps = []
    if organisation and decision is None:
        gaps.append(f"no adequacy decision in force for the international organisation {organisation}")
    elif decision is None and fact.zone != "eea":
        gaps.append(f"no adequacy decision in force for {fact.country} at the audit date")
    elif cover is not None and cover.gap:
        gaps.append(cover.gap)
    uncovered = sorted(country for country, c in remote.items() if c.covered is False)
    if uncovered:
        gaps.append(f"staff reach the data from {', '.join(uncovered)}, not covered by adequacy")
    return gaps
