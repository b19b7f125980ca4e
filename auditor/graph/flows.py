"""Per-flow facts: the purposes its data was collected for, unjustified fields, the recipient, and
whether the flow sells or shares personal information under the CCPA (derived, not only declared).

Sale and sharing (Cal. Civ. Code 1798.140(ad), (ah)): a disclosure of personal information to a
third party for money or other valuable consideration is a sale; a disclosure to anyone for
cross-context behavioural advertising is sharing (a person providing that service cannot be a
service provider, 11 CCR 7050(b)). A recipient is a service provider or contractor only under a
contract with the 1798.100(d) / 11 CCR 7051 terms and for a business purpose (1798.140(e), (ag),
(j)); any other recipient is a third party. A declared `sale: true` or `share: true` is taken as
an admission; a declared `false` never stands in for the facts it denies.

The exceptions of 1798.140(ad)(2) and, in the same terms, (ah)(2), declared on the flow
(`sale_share_exception`), make a disclosure neither a sale nor sharing whatever the consideration
or the advertising use: (A) the consumer directs the disclosure or the interaction with the third
party, (B) an identifier is disclosed only to alert others that the consumer opted out or limited
the use of sensitive information, (C) the information is transferred as an asset in a merger,
acquisition or bankruptcy. An opt-out signal that the recipient also uses for cross-context
behavioural advertising is not within (B).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.graph.lineage import PersonalDataFact
from auditor.inventory.models import Dataset, Flow, Vendor

# Vendor roles that can be a CCPA service provider or contractor (with the contract).
SERVICE_PROVIDER_ROLES = ("processor", "sub_processor", "service_provider", "contractor")

# Why each 1798.140(ad)(2) / (ah)(2) exception makes a disclosure neither a sale nor sharing.
EXCEPTIONS = {
    "consumer_directed": (
        "(A)",
        "the consumer directs the disclosure or uses the business to intentionally interact with {recipient}",
    ),
    "opt_out_signal": (
        "(B)",
        "an identifier is disclosed to {recipient} only to alert it that the consumer opted out of sale or sharing "
        "or limited the use of sensitive personal information",
    ),
    "merger_acquisition": (
        "(C)",
        "the personal information is transferred to {recipient} as an asset in a merger, acquisition or bankruptcy "
        "(a material change in its use needs prior notice)",
    ),
}


@dataclass(slots=True)
class FlowFact:
    """What a flow carries, for which purposes it was collected, to whom, and whether it sells or shares."""

    datasets: list[str] = described("Datasets the flow carries (declared, or else reached by lineage).", factory=list)
    collection_purposes: list[str] = described("Purposes those datasets were collected for.", factory=list)
    unjustified_fields: list[str] | None = described("Fields sent without a justification (None: fields undeclared).")
    to_vendor: bool = described("The recipient is a vendor (the destination, or the vendor operating it).", False)
    vendor_has_ccpa_contract: bool | None = described("That vendor has a CCPA contract (None: not to a vendor).")
    recipient: str | None = described("The vendor receiving the data: the destination or the vendor operating it.")
    service_provider: bool | None = described(
        "The recipient is a CCPA service provider or contractor: a contract with the 1798.100(d) terms and a "
        "business purpose (None: no recipient)."
    )
    discloses: bool | None = described("Personal information leaves the business for another person.", False)
    sale: bool | None = described("The flow sells personal information (1798.140(ad)), derived.", False)
    share: bool | None = described("The flow shares it for cross-context behavioural ads (1798.140(ah)).", False)
    sale_share_reason: str = described("Why the flow sells, shares, or does neither, citing the law.", "")
    declaration_conflicts: list[str] | None = described(
        "Declared sale/share flags that contradict the derived ones (None: the derived ones are unknown).",
        factory=list,
    )
    recipient_third_party_contract: bool | None = described(
        "The recipient has a third-party contract with the 1798.100(d) / 7053 terms (None: no recipient)."
    )
    unknown_because: str | None = described("Why sale or share is unknown, naming the input to declare.")


def recipient_of(graph: AssetGraph, asset_id: str) -> Vendor | None:
    """The vendor that receives data arriving at `asset_id`: the asset itself, or the vendor operating it.

    A site's operator (a cloud region) hosts the business's own systems and is not counted.
    """
    asset = graph.asset(asset_id)
    if asset.kind == "vendor":
        return cast(Vendor, asset)
    for target in graph.targets(asset_id, "operated_by"):
        vendor = graph.asset(target)
        return cast(Vendor, vendor) if vendor.kind == "vendor" else None
    return None


def is_service_provider(vendor: Vendor, flow: Flow) -> bool:
    """A service provider or contractor for this flow: a role that can be one, the contract, a business purpose."""
    return (
        vendor.role in (*SERVICE_PROVIDER_ROLES, None)
        and vendor.ccpa_contract_ref is not None
        and flow.business_purpose is not False
    )


@dataclass(slots=True)
class _Derived:
    discloses: bool | None
    sale: bool | None
    share: bool | None
    reason: str
    unknown_because: str | None = None


def _derive(graph: AssetGraph, flow: Flow, personal: PersonalDataFact, recipient: Vendor | None) -> _Derived:
    if personal.present is False:
        return _Derived(False, False, False, "no personal information is carried")
    if recipient is None:
        return _Derived(False, False, False, "the data stays with the business: no recipient vendor")
    if recipient_of(graph, flow.source) is recipient:
        return _Derived(False, False, False, f"the data stays with {recipient.id}: no new disclosure")
    if personal.present is None:
        return _Derived(None, None, None, "", personal.unknown_because)
    # An identifier the recipient also uses for cross-context advertising is no mere opt-out signal.
    signal_misused = flow.sale_share_exception == "opt_out_signal" and flow.cross_context_advertising
    if flow.sale_share_exception is not None and not signal_misused:
        letter, why = EXCEPTIONS[flow.sale_share_exception]
        return _Derived(
            True,
            False,
            False,
            f"{why.format(recipient=recipient.id)}: neither a sale nor sharing (1798.140(ad)(2){letter}, "
            f"(ah)(2){letter})",
        )
    provider = is_service_provider(recipient, flow)
    share, share_reason = _share(flow, recipient, provider)
    sale, sale_reason = _sale(flow, recipient, provider)
    unknown = [why for value, why in ((share, share_reason), (sale, sale_reason)) if value is None]
    reasons = [why for value, why in ((share, share_reason), (sale, sale_reason)) if value is not None]
    return _Derived(True, sale, share, "; ".join(reasons), "; ".join(unknown) or None)


def _share(flow: Flow, recipient: Vendor, provider: bool) -> tuple[bool | None, str]:
    if flow.cross_context_advertising:
        return True, (
            f"disclosed to {recipient.id} for cross-context behavioural advertising: sharing (1798.140(ah)), "
            "whatever the recipient's contract (11 CCR 7050(b))"
        )
    if flow.cross_context_advertising is False:
        return False, "not used for cross-context behavioural advertising"
    if provider:
        return False, (
            f"{recipient.id} is a service provider under contract, which may not use it for cross-context "
            "behavioural advertising (11 CCR 7050(b), 7051(a))"
        )
    if flow.share:
        return True, f"declared as sharing with third party {recipient.id}"
    return None, (
        f"whether third party {recipient.id} uses the data for cross-context behavioural advertising is not "
        "declared (cross_context_advertising on the flow)"
    )


def _sale(flow: Flow, recipient: Vendor, provider: bool) -> tuple[bool | None, str]:
    if provider:
        return False, (
            f"{recipient.id} is a service provider or contractor under a 1798.100(d) contract for a business "
            "purpose, not a third party: not a sale (1798.140(ad)(1), (ag), (ai), (j))"
        )
    why = _third_party_because(recipient, flow)
    if flow.consideration:
        return True, f"{recipient.id} is a third party ({why}) giving valuable consideration: a sale (1798.140(ad)(1))"
    if flow.consideration is False:
        return False, f"{recipient.id} is a third party ({why}) but gives no valuable consideration: not a sale"
    if flow.sale:
        return True, f"declared as a sale to third party {recipient.id}"
    return None, (
        f"{recipient.id} is a third party ({why}) and whether it gives money or other valuable consideration is "
        "not declared (consideration on the flow)"
    )


def _third_party_because(vendor: Vendor, flow: Flow) -> str:
    if vendor.role not in (*SERVICE_PROVIDER_ROLES, None):
        return f"role {vendor.role}"
    if vendor.ccpa_contract_ref is None:
        return "no service-provider contract"
    return "not for a business purpose"


def _conflicts(flow: Flow, derived: _Derived) -> list[str] | None:
    found = []
    for name, declared, value in (("sale", flow.sale, derived.sale), ("share", flow.share, derived.share)):
        if declared is not None and value is not None and declared != value:
            found.append(f"declared {name}: {str(declared).lower()}, derived {name}: {str(value).lower()}")
    if found:
        return found
    return None if derived.sale is None or derived.share is None else []


def analyse_flows(graph: AssetGraph, personal: dict[str, PersonalDataFact]) -> dict[str, FlowFact]:
    """Fact `flow` for every flow."""
    facts: dict[str, FlowFact] = {}
    for flow in graph.of_kind(Flow):
        carried = flow.datasets or personal[flow.id].origins
        datasets = [graph.asset(d) for d in carried]
        purposes = sorted({p for d in datasets if d.kind == "dataset" for p in cast(Dataset, d).purposes})
        vendor = recipient_of(graph, flow.destination)
        derived = _derive(graph, flow, personal[flow.id], vendor)
        facts[flow.id] = FlowFact(
            datasets=sorted(carried),
            collection_purposes=purposes,
            unjustified_fields=None
            if flow.fields is None
            else sorted(f.name for f in flow.fields if not f.justification),
            to_vendor=vendor is not None,
            vendor_has_ccpa_contract=None if vendor is None else vendor.ccpa_contract_ref is not None,
            recipient=None if vendor is None else vendor.id,
            service_provider=None if vendor is None else is_service_provider(vendor, flow),
            discloses=derived.discloses,
            sale=derived.sale,
            share=derived.share,
            sale_share_reason=derived.reason,
            declaration_conflicts=_conflicts(flow, derived),
            recipient_third_party_contract=None if vendor is None else vendor.third_party_contract_ref is not None,
            unknown_because=derived.unknown_because,
        )
    return facts


def any_flow(facts: dict[str, FlowFact], field: str) -> tuple[bool | None, list[str]]:
    """Whether any flow has `field` (sale or share) true (None: none for sure, some unknown), and which."""
    found = sorted(flow_id for flow_id, fact in facts.items() if getattr(fact, field))
    if found:
        return True, found
    return (None if any(getattr(fact, field) is None for fact in facts.values()) else False), []
