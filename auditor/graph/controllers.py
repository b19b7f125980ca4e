"""Each vendor's place among the controllers: joint controller with the organisation (Art. 26), or
sub-processor engaged by one of its processors (Art. 28(2), (4)).

Joint control: whoever jointly determines purposes and means with the organisation is a joint
controller and needs an Art. 26 arrangement. A site that embeds a third party's tag, pixel or SDK
collecting for that party's own advertising is a joint controller for the collection and the
disclosure (CJEU C-40/17 Fashion ID, para. 76-85), as a fan-page operator is with the platform for
its audience statistics (C-210/16 Wirtschaftsakademie); so is an advertiser uploading customer lists
to a platform for targeting (EDPB Guidelines 8/2020, section 5.3). Hence: a vendor declared
`joint_controller`, or one receiving personal data by a flow used for (cross-context behavioural)
advertising (`cross_context_advertising`, or a declared `share`). A tag, pixel or SDK flow to a
vendor that is not a processor, with that use undeclared, leaves the question open.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.graph.flows import SERVICE_PROVIDER_ROLES, recipient_of
from auditor.graph.lineage import PersonalDataFact
from auditor.inventory.models import CollectionPoint, Flow, Vendor

THIRD_PARTY_CODE = ("pixel", "tag", "sdk")


@dataclass(slots=True)
class ControllershipFact:
    """Whether a vendor is a joint controller with the organisation, and who engaged it as sub-processor."""

    advertising_recipient: bool = described(
        "Declared joint controller, or receives personal data by an advertising flow or a third-party tag.", False
    )
    joint_controller: bool | None = described(
        "Jointly determines purposes and means with the organisation (Art. 26), declared or derived.", False
    )
    joint_reason: str = described("Why it is, or is not, a joint controller, citing the case law.", "")
    joint_flows: list[str] = described("Flows that make it a joint controller (or leave it open).", factory=list)
    engaged_by: list[str] = described(
        "Processors that engaged it as a sub-processor (their subprocessors list).", factory=list
    )
    unknown_because: str | None = described("What to declare to decide joint controllership.")


def analyse_controllership(graph: AssetGraph, personal: dict[str, PersonalDataFact]) -> dict[str, ControllershipFact]:
    """Fact `controllership` for every vendor."""
    incoming: dict[str, list[Flow]] = {}
    for flow in graph.inventory.by_kind.get("flow", []):
        assert isinstance(flow, Flow)
        recipient = recipient_of(graph, flow.destination)
        if recipient is not None and personal[flow.id].present is not False:
            incoming.setdefault(recipient.id, []).append(flow)
    engaged: dict[str, list[str]] = {}
    for processor in graph.inventory.by_kind.get("vendor", []):
        assert isinstance(processor, Vendor)
        for sub in processor.subprocessors:
            engaged.setdefault(sub, []).append(processor.id)
    facts = {}
    for vendor in graph.inventory.by_kind.get("vendor", []):
        assert isinstance(vendor, Vendor)
        fact = _joint(graph, vendor, incoming.get(vendor.id, []))
        fact.engaged_by = sorted(engaged.get(vendor.id, []))
        facts[vendor.id] = fact
    return facts


def _third_party_code(graph: AssetGraph, flow: Flow) -> bool:
    source = graph.asset(flow.source)
    return isinstance(source, CollectionPoint) and source.type in THIRD_PARTY_CODE


def _joint(graph: AssetGraph, vendor: Vendor, flows: list[Flow]) -> ControllershipFact:
    if vendor.role == "joint_controller":
        return ControllershipFact(True, True, "declared joint controller (Art. 26)")
    advertising = sorted(f.id for f in flows if f.cross_context_advertising or f.share)  # share: admitted
    if advertising:
        return ControllershipFact(
            True,
            True,
            f"receives personal data for advertising by {', '.join(advertising)}: purposes and means are "
            "determined jointly (Art. 26; CJEU C-40/17 Fashion ID, C-210/16 Wirtschaftsakademie)",
            advertising,
        )
    open_tags = sorted(
        f.id
        for f in flows
        if _third_party_code(graph, f)
        and f.cross_context_advertising is None
        and vendor.role not in SERVICE_PROVIDER_ROLES
    )
    if open_tags:
        why = f"whether {vendor.id} uses what its tag collects by {', '.join(open_tags)} for its own advertising"
        return ControllershipFact(
            True, None, "", open_tags, unknown_because=f"{why} is not declared (cross_context_advertising on the flow)"
        )
    return ControllershipFact(
        False, False, "no advertising flow (cross_context_advertising or share) and not declared a joint controller"
    )
