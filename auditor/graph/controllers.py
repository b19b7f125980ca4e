"""Each vendor's place among the controllers: joint controller with the organisation (Art. 26), or
sub-processor engaged by one of its processors (Art. 28(2), (4)).

Joint control needs purposes AND means determined jointly (Art. 26(1); CJEU C-210/16
Wirtschaftsakademie for joint control in general). It is derived only from: a vendor declared
`joint_controller`; a third-party tag, pixel or SDK on a collection point sending personal data to
a vendor that is not a processor, for that vendor's advertising: the site operator is a joint
controller for the collection and transmission (CJEU C-40/17 Fashion ID, paras. 76-85); or a flow
declared `joint_purpose: true`, e.g. a customer list uploaded for targeting the organisation's own
campaigns (EDPB Guidelines 8/2020, section 5.2.2). A server-side disclosure to an ad network that
uses the data for its own purposes is controller-to-controller (Art. 6, 13(1)(e)), not Art. 26:
an advertising flow (`cross_context_advertising` or `share`) that is not a tag leaves the question
open until `joint_purpose` is declared, as does a tag flow whose advertising use is undeclared.

Sub-processors: only the processors (or sub-processors) of the organisation engage them. The
controller's own duty is that each such processor's DPA requires the flow-down (Art. 28(3)(d),
28(4)) and that it can obtain the information on it (28(3)(h); SCC 2021/914 Clause 9(c)):
`dpa_flow_down_clause` on the processor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.graph.flows import SERVICE_PROVIDER_ROLES, FlowFact, recipient_of
from auditor.graph.lineage import PersonalDataFact
from auditor.inventory.models import CollectionPoint, Flow, Vendor

THIRD_PARTY_CODE = ("pixel", "tag", "sdk")
PROCESSOR_ROLES = ("processor", "sub_processor")


@dataclass(slots=True)
class ControllershipFact:
    """Whether a vendor is a joint controller with the organisation, and who engaged it as sub-processor."""

    advertising_recipient: bool = described(
        "Declared joint controller, or receives personal data by a joint-purpose flow, an advertising flow or a "
        "third-party tag.",
        False,
    )
    joint_controller: bool | None = described(
        "Jointly determines purposes and means with the organisation (Art. 26), declared or derived.", False
    )
    joint_reason: str = described("Why it is, or is not, a joint controller, citing the case law.", "")
    joint_flows: list[str] = described("Flows that make it a joint controller (or leave it open).", factory=list)
    engaged_by: list[str] = described(
        "Processors of the organisation that engaged it as a sub-processor (their subprocessors list).", factory=list
    )
    flow_down_required: bool | None = described(
        "Every processor that engaged it has a DPA requiring the same obligations of its sub-processors "
        "(dpa_flow_down_clause; None: undeclared, or no engaging processor named).",
        None,
    )
    unknown_because: str | None = described(
        "What to declare to decide joint controllership, the flow-down or a CCPA sale or sharing to it."
    )
    ccpa_service_provider_flows: list[str] = described(
        "Flows of California consumers' PI it receives as the business's CCPA service provider or contractor.",
        factory=list,
    )
    sold_or_shared_flows: list[str] = described(
        "Flows by which the business sells or shares California consumers' PI to it.", factory=list
    )
    sold_or_shared: bool | None = described(
        "The business sold or shared California consumers' PI to it (None: a flow to it is undecided).", False
    )


def analyse_controllership(
    graph: AssetGraph, personal: dict[str, PersonalDataFact], flows: dict[str, FlowFact]
) -> dict[str, ControllershipFact]:
    """Fact `controllership` for every vendor."""
    incoming: dict[str, list[Flow]] = {}
    for flow in graph.of_kind(Flow):
        recipient = recipient_of(graph, flow.destination)
        if recipient is not None and personal[flow.id].present is not False:
            incoming.setdefault(recipient.id, []).append(flow)
    engaged: dict[str, list[Vendor]] = {}
    for processor in graph.of_kind(Vendor):
        if processor.role in PROCESSOR_ROLES:
            for sub in processor.subprocessors:
                engaged.setdefault(sub, []).append(processor)
    facts = {}
    for vendor in graph.of_kind(Vendor):
        fact = _joint(graph, vendor, incoming.get(vendor.id, []))
        processors = sorted(engaged.get(vendor.id, []), key=lambda p: p.id)
        fact.engaged_by = [p.id for p in processors]
        fact.flow_down_required, open_flow_down = _flow_down(vendor, processors)
        if open_flow_down:
            fact.unknown_because = "; ".join(filter(None, (fact.unknown_because, open_flow_down)))
        californian = [f.id for f in incoming.get(vendor.id, []) if personal[f.id].ca_subjects is not False]
        _ccpa_recipient(fact, californian, flows)
        facts[vendor.id] = fact
    return facts


def _ccpa_recipient(fact: ControllershipFact, californian: list[str], flows: dict[str, FlowFact]) -> None:
    """What the business owes this recipient of California consumers' PI under 1798.105(c)(1): deletion
    notices go to service providers and contractors, and to third parties it sold or shared the PI to."""
    fact.ccpa_service_provider_flows = sorted(f for f in californian if flows[f].service_provider)
    fact.sold_or_shared_flows = sorted(f for f in californian if flows[f].sale or flows[f].share)
    undecided = [f for f in californian if flows[f].sale is None or flows[f].share is None]
    fact.sold_or_shared = True if fact.sold_or_shared_flows else (None if undecided else False)
    if fact.sold_or_shared is None:
        why = "; ".join(f"{f}: {flows[f].unknown_because}" for f in undecided)
        fact.unknown_because = "; ".join(filter(None, (fact.unknown_because, why)))


def _flow_down(vendor: Vendor, processors: list[Vendor]) -> tuple[bool | None, str | None]:
    """Whether every engaging processor's DPA requires the flow-down, and what to declare if open."""
    if any(p.dpa_flow_down_clause is False for p in processors):
        return False, None
    undeclared = [p.id for p in processors if p.dpa_flow_down_clause is None]
    if undeclared:
        return None, f"dpa_flow_down_clause is not declared on {', '.join(undeclared)}"
    if processors:
        return True, None
    return None, "no processor names it in its subprocessors" if vendor.role == "sub_processor" else None


def _third_party_code(graph: AssetGraph, flow: Flow) -> bool:
    source = graph.asset(flow.source)
    return source.kind == "collection_point" and cast(CollectionPoint, source).type in THIRD_PARTY_CODE


def _advertising(flow: Flow) -> bool:
    return bool(flow.cross_context_advertising or flow.share)  # share: cross-context advertising admitted


def _joint(graph: AssetGraph, vendor: Vendor, flows: list[Flow]) -> ControllershipFact:
    if vendor.role == "joint_controller":
        return ControllershipFact(True, True, "declared joint controller (Art. 26)")
    processor = vendor.role in SERVICE_PROVIDER_ROLES
    joint_purpose = sorted(f.id for f in flows if f.joint_purpose)
    if joint_purpose:
        return ControllershipFact(
            True,
            True,
            f"{', '.join(joint_purpose)} declared joint_purpose: purposes and means are determined jointly "
            "(Art. 26(1); EDPB Guidelines 8/2020, section 5.2.2)",
            joint_purpose,
        )
    tags = [f for f in flows if _third_party_code(graph, f) and not processor]
    tag_ads = sorted(f.id for f in tags if _advertising(f))
    if tag_ads:
        return ControllershipFact(
            True,
            True,
            f"its tag collects personal data for its own advertising by {', '.join(tag_ads)}: joint controller for "
            "the collection and transmission (Art. 26(1); CJEU C-40/17 Fashion ID)",
            tag_ads,
        )
    open_tags = sorted(f.id for f in tags if f.cross_context_advertising is None and f.share is None)
    if open_tags:
        why = f"whether {vendor.id} uses what its tag collects by {', '.join(open_tags)} for its own advertising"
        return ControllershipFact(
            True, None, "", open_tags, unknown_because=f"{why} is not declared (cross_context_advertising on the flow)"
        )
    exports = sorted(f.id for f in flows if _advertising(f) and f.joint_purpose is None and not processor)
    if exports:
        why = (
            f"whether {', '.join(exports)} serves campaigns whose purposes {vendor.id} and the organisation decide "
            f"jointly, or {vendor.id}'s own advertising (controller to controller)"
        )
        return ControllershipFact(
            True, None, "", exports, unknown_because=f"{why}, is not declared (joint_purpose on the flow)"
        )
    return ControllershipFact(
        False,
        False,
        "not declared a joint controller, no third-party tag collecting for its advertising, no joint_purpose flow",
    )
