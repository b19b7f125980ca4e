"""Whether a workload's processing needs a DPIA: the Art. 35(3)(a) and (c) cases with their
qualifiers, and the nine criteria of WP248 rev.01 (endorsed by the EDPB), each derived from facts
already in the graph.

Art. 35(3)(a) needs a systematic and extensive evaluation of personal aspects based on automated
processing, profiling included, on which decisions with legal or similarly significant effects are
based: profiling alone is not enough. Art. 35(3)(c) needs systematic monitoring of a publicly
accessible area on a large scale. Under WP248 rev.01 (section III.B.a) processing that meets two
or more of the nine criteria is likely to need a DPIA. A criterion counts as met only from declared
inputs; it is undetermined (not met, not ruled out) where a declared trigger leaves its qualifier
open, or where scale alone would decide and is declared nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.graph.lineage import PersonalDataFact
from auditor.inventory.models import Dataset, Organization, Workload

# WP248 rev.01 criterion 7: children, employees, patients, the elderly, asylum seekers, ...
VULNERABLE_SUBJECTS = frozenset(
    {"child", "children", "minor", "student", "pupil", "employee", "patient", "elderly", "asylum_seeker"}
)
# Criterion 4 beyond Art. 9 and 10: financial data, precise location, private communications.
HIGHLY_PERSONAL = ("user.financial", "user.location.precise", "user.content.private")
# Criterion 8: the DSK "Muss-Liste" names AI steering the interaction with data subjects or evaluating
# their personal aspects (chatbots); counting AI training and general-purpose models is our policy reading.
INNOVATIVE_TRAINING = ("training", "fine_tuning")
AI_TYPES = ("training", "fine_tuning", "inference")
BIOMETRIC_TRAINING = ("facial_recognition", "emotion_recognition", "biometric_identification")
CRITERIA = (
    "evaluation_scoring",
    "automated_decision_legal_effect",
    "systematic_monitoring",
    "sensitive_or_highly_personal",
    "large_scale",
    "matching_or_combining",
    "vulnerable_subjects",
    "innovative_technology",
    "prevents_right_or_service",
)


@dataclass(slots=True)
class DpiaFact:
    """DPIA triggers of a workload: Art. 35(3)(a)/(c) and the WP248 rev.01 criteria it meets."""

    art35_3a: bool | None = described(
        "Art. 35(3)(a): automated evaluation or profiling on which decisions with legal or similarly "
        "significant effects are based (None: significance undeclared).",
        False,
    )
    art35_3c: bool | None = described(
        "Art. 35(3)(c): systematic monitoring of a publicly accessible area on a large scale (None: scale undeclared).",
        False,
    )
    art35_3_reason: str = described("Which Art. 35(3) case applies, or why none does.", "")
    criteria: list[str] = described("WP248 rev.01 criteria met, each with the facts that meet it.", factory=list)
    undetermined: list[str] = described("Criteria a declared input leaves open, naming what to declare.", factory=list)
    criteria_met: int = described("How many of the nine criteria are met.", 0)
    likely_required: bool | None = described(
        "Two or more criteria are met, so a DPIA is likely required (None: the undetermined ones decide).", False
    )
    unknown_because: str | None = described("What to declare to decide the open criteria.")
    national_list_entry: str | None = described(
        "The Art. 35(4) list entry the processing matches: the German DSK list's AI entry (None: none matches)."
    )
    national_list: bool | None = described(
        "The matched entry binds the organisation: it is established in Germany (None: its country is undeclared).",
        False,
    )


@dataclass(slots=True)
class DpiaDutyFact:
    """The organisation's processing that needs a DPIA: in Germany it needs a DPO as well (BDSG s. 38(1))."""

    assets: list[str] = described(
        "Workloads and datasets whose processing needs a DPIA: Art. 35(3)(a) or (c) met, large-scale Art. 9 or "
        "10 data (35(3)(b)), or two or more WP248 rev.01 criteria with no screening on record (dpia_screening_ref).",
        factory=list,
    )


def dpia_duty(graph: AssetGraph, dpia: dict[str, DpiaFact], personal: dict[str, PersonalDataFact]) -> DpiaDutyFact:
    """Only what is certain counts (an undetermined trigger is not a duty), as in the GDPR-35 rules."""
    workloads = [
        workload.id
        for workload in graph.of_kind(Workload)
        if (fact := dpia[workload.id]).art35_3a is True
        or fact.art35_3c is True
        or (fact.likely_required is True and workload.dpia_screening_ref is None)
        or fact.national_list is True
    ]
    datasets = [
        dataset.id
        for dataset in graph.of_kind(Dataset)
        if dataset.large_scale is True
        and ((data := personal[dataset.id]).special_categories or data.criminal_data)
    ]
    return DpiaDutyFact(sorted(workloads + datasets))


def analyse_dpia(graph: AssetGraph, personal: dict[str, PersonalDataFact]) -> dict[str, DpiaFact]:
    """Fact `dpia` for every workload that personal data reaches."""
    org = graph.inventory.organization
    german = org.country == "DE" if isinstance(org, Organization) and org.country else None
    facts: dict[str, DpiaFact] = {}
    for workload in graph.of_kind(Workload):
        data = personal[workload.id]
        if data.present:
            fact = facts[workload.id] = _screen(graph, workload, data)
            fact.national_list_entry = _dsk_ai_entry(workload)
            fact.national_list = german if fact.national_list_entry else False
        else:
            facts[workload.id] = DpiaFact(art35_3_reason="no personal data reaches it")
    return facts


def _large_scale(graph: AssetGraph, workload: Workload, data: PersonalDataFact) -> tuple[bool | None, str]:
    """Declared on the workload, or else large-scale when a dataset it processes is."""
    if workload.large_scale is not None:
        return workload.large_scale, "declared on the workload"
    datasets = [graph.asset(o) for o in data.origins]
    large = sorted(d.id for d in datasets if isinstance(d, Dataset) and d.large_scale)
    if large:
        return True, f"dataset(s) {', '.join(large)} are large-scale"
    if datasets and all(isinstance(d, Dataset) and d.large_scale is False for d in datasets):
        return False, "none of its datasets is large-scale"
    return None, "large_scale is declared neither on the workload nor on its datasets"


def _roots(graph: AssetGraph, origins: list[str]) -> list[Dataset]:
    """The origins that are not derived (directly or not) from another origin: separate sources."""
    reaching = set(origins)
    roots = []
    for origin in origins:
        dataset = graph.asset(origin)
        assert isinstance(dataset, Dataset)
        ancestors, queue = set(), list(dataset.derived_from)
        while queue:
            parent = queue.pop()
            if parent not in ancestors:
                ancestors.add(parent)
                queue.extend(graph.asset(parent).derived_from)  # type: ignore[attr-defined]
        if not ancestors & reaching:
            roots.append(dataset)
    return roots


def _combined(graph: AssetGraph, data: PersonalDataFact) -> str | None:
    """WP248 criterion 6: datasets of processing operations for different purposes, or of different
    controllers (obtained from a third party), brought together; mere different sources of one
    controller for one purpose do not count."""
    roots = _roots(graph, data.origins)
    purposes = {tuple(sorted(d.purposes)) for d in roots}
    controllers = {d.source == "third_party" for d in roots}
    if len(roots) < 2 or (len(purposes) < 2 and len(controllers) < 2):
        return None
    why = " and ".join(
        reason
        for reason, differs in (
            ("for different purposes", len(purposes) >= 2),
            ("by different controllers", len(controllers) >= 2),
        )
        if differs
    )
    return f"combines {', '.join(d.id for d in roots)}, collected {why}"


def _screen(graph: AssetGraph, workload: Workload, data: PersonalDataFact) -> DpiaFact:
    met: dict[str, str] = {}
    open_: dict[str, str] = {}
    large, large_why = _large_scale(graph, workload, data)
    evaluates = bool(workload.profiling) or workload.ai_use_case in ("credit_scoring", "life_health_insurance_pricing")
    decides = bool(workload.automated_decisions)
    significant = workload.significant_decisions

    if evaluates:
        met["evaluation_scoring"] = "profiling" if workload.profiling else f"ai_use_case {workload.ai_use_case}"
    if decides and significant:
        met["automated_decision_legal_effect"] = "automated decisions with significant effects"
    elif decides and significant is None:
        open_["automated_decision_legal_effect"] = "declare significant_decisions on the workload"
    if workload.public_monitoring:
        met["systematic_monitoring"] = "public_monitoring"
    sensitive = (data.special_categories or []) + (data.criminal_data or [])
    highly = [c for c in data.categories or [] if c.startswith(HIGHLY_PERSONAL)]
    if sensitive or highly:
        met["sensitive_or_highly_personal"] = ", ".join(sorted(set(sensitive + highly)))
    if large:
        met["large_scale"] = large_why
    combined = _combined(graph, data)
    if combined:
        met["matching_or_combining"] = combined
    vulnerable = sorted(VULNERABLE_SUBJECTS.intersection(data.data_subjects or []))
    if vulnerable:
        met["vulnerable_subjects"] = ", ".join(vulnerable)
    innovative = _innovative(workload)
    if innovative:
        met["innovative_technology"] = innovative
    if significant:
        met["prevents_right_or_service"] = "decides on access to finance, housing, education, employment or healthcare"
    if large is None and len(met) + len(open_) == 1:  # scale alone would make it two
        open_["large_scale"] = "declare large_scale on the workload or its datasets"

    art35_3a: bool | None = (evaluates or decides) and bool(significant)
    if (evaluates or decides) and significant is None:
        art35_3a = None
    art35_3c: bool | None = bool(workload.public_monitoring) and bool(large)
    if workload.public_monitoring and large is None:
        art35_3c = None
    count = len(met)
    likely: bool | None = count >= 2 or (False if count + len(open_) < 2 else None)
    reasons = [f"{k} ({v})" for k, v in open_.items()]
    return DpiaFact(
        art35_3a=art35_3a,
        art35_3c=art35_3c,
        art35_3_reason=_art35_3_reason(art35_3a, art35_3c, evaluates or decides, bool(workload.public_monitoring)),
        criteria=[f"{k}: {met[k]}" for k in CRITERIA if k in met],
        undetermined=[f"{k}: {open_[k]}" for k in CRITERIA if k in open_],
        criteria_met=count,
        likely_required=likely,
        unknown_because="; ".join(reasons) if likely is None else None,
    )


def _innovative(workload: Workload) -> str | None:
    """WP248 criterion 8 for AI: chatbots and biometric recognition; training on personal data and
    general-purpose models by the project's policy reading, not by a DSK or EDPB classification."""
    if workload.type in INNOVATIVE_TRAINING:
        return f"AI {workload.type.replace('_', '-')} on personal data (policy reading)"
    if any(t in BIOMETRIC_TRAINING for t in workload.trains or []):
        return "biometric recognition"
    if workload.interacts_with_people:
        return "AI system interacting with people (chatbot; DSK Muss-Liste)"
    if workload.general_purpose_model:
        return "general-purpose AI model (policy reading)"
    return None


def _dsk_ai_entry(workload: Workload) -> str | None:
    """The DSK list's AI entry: AI steering the interaction with data subjects, or evaluating their
    personal aspects (profiling, scoring); batch and ETL jobs are not taken for AI."""
    if workload.type not in AI_TYPES:
        return None
    if workload.interacts_with_people:
        return "DSK list (Germany): AI steering the interaction with data subjects (interacts_with_people)"
    if workload.profiling or workload.ai_use_case in ("credit_scoring", "life_health_insurance_pricing"):
        what = "profiling" if workload.profiling else f"ai_use_case {workload.ai_use_case}"
        return f"DSK list (Germany): AI evaluating personal aspects of data subjects ({what})"
    return None


def _art35_3_reason(a: bool | None, c: bool | None, evaluates: bool, monitors: bool) -> str:
    parts = []
    if a:
        parts.append("Art. 35(3)(a): automated evaluation with decisions of legal or similarly significant effect")
    elif a is None:
        parts.append("profiling or automated decisions whose effects are undeclared (significant_decisions)")
    elif evaluates:
        parts.append("profiling or automated decisions without declared significant effects: not Art. 35(3)(a)")
    if c:
        parts.append("Art. 35(3)(c): large-scale monitoring of a publicly accessible area")
    elif c is None:
        parts.append("public monitoring of undeclared scale (large_scale)")
    elif monitors:
        parts.append("public monitoring not on a large scale: not Art. 35(3)(c)")
    return "; ".join(parts) or "no Art. 35(3) case"
