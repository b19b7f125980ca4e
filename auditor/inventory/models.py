"""Typed inventory model: one pydantic class per asset kind.

Fields that name other assets are declared with `ref()`: the loader checks them (dangling
references are input errors) and the graph builder turns them into edges. `lineage` says which
way personal data moves along the edge: "forward" from this asset to the one it names,
"reverse" from the named asset to this one, None when no data moves.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic._internal._model_construction import ModelMetaclass

from auditor.dates import IsoDate

AssetId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/@-]*$", max_length=200)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")]
Number = Annotated[float, Field(ge=0)]
Count = Annotated[int, Field(ge=0)]
Port = Annotated[int, Field(ge=0, le=65535)]

Classification = Literal["public", "internal", "confidential", "restricted"]
Environment = Literal["production", "staging", "development", "test", "research"]
Lineage = Literal["forward", "reverse"]
Precision = Literal["fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4"]
GpuDirect = Literal["rdma", "tcpx", "none"]
TransferMechanism = Literal[
    "adequacy", "dpf", "scc", "bcr", "code_of_conduct", "certification", "ad_hoc_clauses", "derogation", "none"
]


# Transfer-tool details, declared on the flow that carries data across or on the recipient vendor.
TiaOutcome = Annotated[
    Literal["sufficient", "insufficient"] | None,
    Field(
        description="What the transfer impact assessment concluded, with the supplementary measures in place "
        "(EDPB Recommendations 01/2020)."
    ),
]
TiaPracticeAssessed = Annotated[
    bool | None,
    Field(
        description="The TIA documents, from relevant practical experience, that the importer has no reason to "
        "believe the problematic surveillance law is applied in practice to the transferred data and importer "
        "(EDPB Recommendations 01/2020 v2.0, para 43.3; SCC 2021/914 Clause 14(b)(i))."
    ),
]
DerogationGround = Annotated[
    Literal["a", "b", "c", "d", "e", "f", "g", "compelling_legitimate_interests"] | None,
    Field(description="The Art. 49(1) ground relied on, for transfer_mechanism: derogation."),
]
Occasional = Annotated[
    bool | None,
    Field(description="The transfer is occasional, not repetitive or systematic (EDPB Guidelines 2/2018)."),
]
TransferConsentRef = Annotated[
    str | None,
    Field(
        description="For derogation ground a: the record of the data subjects' explicit consent to the transfer, "
        "given after being informed of its possible risks without adequacy or safeguards (Art. 49(1)(a))."
    ),
]
PublicInterestLawRef = Annotated[
    str | None,
    Field(
        description="For derogation ground d: the Union or Member State law recognising the public interest "
        "(Art. 49(4))."
    ),
]
SaInformedRef = Annotated[
    str | None,
    Field(
        description="For the compelling legitimate interests ground: the record that the supervisory authority "
        "was informed of the transfer (Art. 49(1), second subparagraph)."
    ),
]
LimitedDataSubjects = Annotated[
    bool | None,
    Field(
        description="For the compelling legitimate interests ground: the transfer concerns only a limited number "
        "of data subjects (Art. 49(1), second subparagraph)."
    ),
]
DerogationAssessmentRef = Annotated[
    str | None,
    Field(
        description="For the compelling legitimate interests ground: where the Art. 30 records document the "
        "assessment of the transfer's circumstances and the safeguards it relies on (Art. 49(6))."
    ),
]
SupplementaryMeasure = Literal[
    "encryption_exporter_keys", "pseudonymisation_exporter_key", "split_processing", "contractual", "organisational"
]
SupplementaryMeasures = Annotated[
    list[SupplementaryMeasure],
    Field(
        default_factory=list,
        description="Supplementary measures with an Art. 46 tool (EDPB Recommendations 01/2020, Annex 2): "
        "encryption_exporter_keys (use case 1: encrypted before transfer, keys held by the exporter in the EEA), "
        "pseudonymisation_exporter_key (use case 2: the key kept in the EEA), split_processing (use case 5), "
        "contractual, organisational (alone they do not stop access by public authorities).",
    ),
]


def ref(
    *kinds: str,
    rel: str,
    lineage: Lineage | None = None,
    many: bool = False,
    required: bool = False,
    description: str = "",
) -> Any:
    """A field naming other assets of `kinds` ("*" for any kind), as graph edge `rel`."""
    extra: dict[str, Any] = {"x-ref": {"kinds": list(kinds), "rel": rel, "lineage": lineage}}
    if many:
        return Field(default_factory=list, description=description or None, json_schema_extra=extra)
    if required:
        return Field(..., description=description or None, json_schema_extra=extra)
    return Field(None, description=description or None, json_schema_extra=extra)


class _MirroredModel(ModelMetaclass):
    """A model class whose instances include the msgspec structs made from it (structs.py): loaded assets are
    structs, and the analyses ask `isinstance(asset, Dataset)`."""

    def __instancecheck__(cls, instance: Any) -> bool:
        key = (cls, type(instance))
        found = _MIRRORS.get(key)
        if found is None:  # once per (model, class) pair: the analyses ask millions of times
            model = getattr(key[1], "__model__", None)
            found = _MIRRORS[key] = type.__instancecheck__(cls, instance) or (
                model is not None and issubclass(model, cls)
            )
        return found


_MIRRORS: dict[tuple[type, type], bool] = {}


class Strict_(BaseModel, metaclass=_MirroredModel):
    # defer_build: an audit reads assets as msgspec structs (structs.py), so a model's validator is
    # built only when first used (an error's message, the JSON schema): 20 ms of the CI gate's 0.42 s.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class AssetBase(Strict_):
    """Attributes every asset has."""

    kind: ClassVar[str]
    section: ClassVar[str]

    id: AssetId = Field(description="Unique, stable identifier of the asset.")
    name: str | None = None
    description: str | None = None
    owner: str | None = Field(None, description="Accountable team or person.")
    classification: Classification | None = None
    environment: Environment | None = None
    tags: list[str] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)
    country: CountryCode | None = Field(
        None, description="ISO 3166 alpha-2 country; overrides the one derived from the site."
    )


class Organization(AssetBase):
    kind = "organization"
    section = "organization"

    is_public_authority: bool | None = None
    employees: Count | None = None
    dpo_contact: str | None = None
    dpo_notified_to_authority: bool | None = Field(
        None, description="The DPO's contact details were communicated to the supervisory authority (GDPR Art. 37(7))."
    )
    core_large_scale_monitoring: bool | None = None
    core_large_scale_special_categories: bool | None = None
    core_large_scale_criminal: bool | None = Field(
        None, description="Core activities include large-scale processing of Art. 10 criminal-offence data."
    )
    staff_processing_personal_data: Count | None = Field(
        None,
        description="People regularly involved in the automated processing of personal data (national DPO "
        "thresholds under Art. 37(4), e.g. BDSG s. 38: 20 in Germany).",
    )
    incident_response_plan_ref: str | None = None
    incident_response_tested: IsoDate | None = None
    breach_register_ref: str | None = Field(
        None, description="Where personal data breaches are documented, notified or not (GDPR Art. 33(5))."
    )
    ropa_ref: str | None = None
    privacy_notice_ref: str | None = None
    annual_revenue_usd: Number | None = None
    ca_consumers: Count | None = Field(
        None, description="California consumers or households whose PI is processed per year."
    )
    ca_consumers_sold_shared: Count | None = Field(
        None,
        description="California consumers or households whose PI the organisation buys, sells or shares per year "
        "(before 2023: consumers, households or devices whose PI it buys, receives, sells or shares).",
    )
    ca_spi_consumers: Count | None = None
    revenue_share_from_selling_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    mfa_remote_access: bool | None = None
    mfa_admin_access: bool | None = None
    central_log_sink: AssetId | None = ref("storage", rel="logs_to")
    log_retention_days: Count | None = None
    patch_sla_days: Count | None = None
    cybersecurity_audit_ref: str | None = Field(None, description="Latest CPPA 7120 cybersecurity audit report.")
    last_cybersecurity_audit: IsoDate | None = None
    cybersecurity_audit_certified: IsoDate | None = Field(
        None, description="Date the latest cybersecurity audit was certified to the CPPA (11 CCR 7124)."
    )
    revenue_2026_usd: Number | None = Field(
        None, description="Revenue of 2026: over USD 100M, the first CPPA audit report is due 1 Apr 2028 (7121(a)(1))."
    )
    revenue_2027_usd: Number | None = Field(
        None, description="Revenue of 2027: USD 50M-100M (and 2026 not over 100M), due 1 Apr 2029 (7121(a)(2))."
    )
    revenue_2028_usd: Number | None = Field(
        None, description="Revenue of 2028: under USD 50M (and no earlier band), due 1 Apr 2030 (7121(a)(3))."
    )
    establishments: list[CountryCode] = Field(
        default_factory=list,
        description="Countries of the organisation's establishments besides its own country (GDPR Art. 3(1)).",
    )
    optout_notice_ref: str | None = Field(
        None,
        description="Notice of the right to opt out of sale/sharing and its 'Do Not Sell or Share My Personal "
        "Information' link (Cal. Civ. Code 1798.135(a), 11 CCR 7013).",
    )
    optout_signal_frictionless: bool | None = Field(
        None,
        description="Opt-out preference signals (e.g. GPC) are processed in a frictionless manner: no fee, no change "
        "to the consumer's experience, no pop-up in response, the request fully effectuated (11 CCR 7025(f)-(g)); "
        "with optout_signal_policy_ref it replaces the opt-out links (Cal. Civ. Code 1798.135(b)(1)).",
    )
    optout_signal_limits_spi: bool | None = Field(
        None,
        description="The opt-out preference signal also limits the use and disclosure of sensitive personal "
        "information, as 1798.135(b)(1) requires of a business replacing the opt-out links with it.",
    )
    optout_signal_policy_ref: str | None = Field(
        None,
        description="The privacy-policy section stating that opt-out preference signals are processed in a "
        "frictionless manner and how consumers use them (11 CCR 7025(g)).",
    )
    risk_assessment_submitted: IsoDate | None = Field(
        None, description="Date of the latest risk-assessment attestation and summary sent to the CPPA (11 CCR 7157)."
    )
    ai_systems: bool | None = Field(
        None, description="The organisation provides or deploys AI systems in the EU (AI Act Art. 2(1), 3(1))."
    )
    ai_literacy_ref: str | None = Field(
        None, description="The measures giving staff who operate or use AI systems sufficient AI literacy (Art. 4)."
    )


class Rack(Strict_):
    id: str
    power_budget_kw: Number | None = None
    cooling: Literal["air", "liquid", "hybrid"] | None = None


class Site(AssetBase):
    kind = "site"
    section = "sites"

    provider: str | None = Field(None, description="onprem, colo, aws, gcp, azure, ...")
    operator: AssetId | None = ref("vendor", rel="operated_by")
    region: str | None = None
    racks: list[Rack] = Field(default_factory=list)


class Accelerator(Strict_):
    model: str = Field(description="Accelerator model as named in the catalog, e.g. 'H100 SXM'.")
    count: Annotated[int, Field(ge=1)] = 1
    memory_gb: Number | None = Field(None, description="Overrides the catalog's memory size.")


class Nic(Strict_):
    fabric: Literal["infiniband", "roce", "efa", "ethernet", "tcpx", "tcpxo", "nvlink", "other"]
    gbps: Number
    count: Annotated[int, Field(ge=1)] = 1
    rdma: bool | None = None
    purpose: Literal["compute", "storage", "management", "frontend"] = "compute"


class Compute(AssetBase):
    kind = "compute"
    section = "compute"

    site: AssetId | None = ref("site", rel="located_at")
    cluster: AssetId | None = ref("cluster", rel="member_of")
    networks: list[AssetId] = ref("network", rel="attached_to", many=True)
    role: Literal["training", "inference", "general", "gateway", "data", "login", "storage"] | None = None
    count: Annotated[int, Field(ge=1)] = Field(1, description="Identical nodes this entry stands for.")
    instance_type: str | None = None
    accelerator: Accelerator | None = None
    cpu_cores: Count | None = None
    ram_gb: Number | None = None
    nics: list[Nic] = Field(default_factory=list)
    local_nvme_tb: Number | None = None
    gpudirect_storage: bool | None = None
    gpu_direct: GpuDirect | None = Field(
        None,
        description="How the compute NICs reach GPU memory: rdma (GPUDirect RDMA: InfiniBand, RoCE, EFA on P-class), "
        "tcpx (GPUDirect-TCPX/TCPXO: not RDMA) or none. Overrides the instance catalog.",
    )
    nvlink_domain_gpus: Annotated[int, Field(ge=1)] | None = Field(
        None, description="GPUs joined by one NVLink/NVSwitch (or xGMI, ICI) domain; overrides the catalog's system."
    )
    nvlink_bridge: bool | None = Field(
        None, description="PCIe cards: an NVLink bridge joins pairs of GPUs (without it each card is alone)."
    )
    rack: str | None = None
    power_kw: Number | None = Field(None, description="Maximum power draw of one node.")
    public_ip: bool | None = None
    open_ports: list[Port] = Field(default_factory=list)
    forwards_to: list[AssetId] = ref("*", rel="forwards_to", many=True)
    os: str | None = None
    end_of_life: IsoDate | None = None
    last_patched: IsoDate | None = None
    admin_mfa: bool | None = None
    login_mfa: bool | None = Field(
        None,
        description="Every interactive remote login to this host requires MFA, users' as well as administrators' "
        "(CIS v8 6.4).",
    )


class Fabric(Strict_):
    type: Literal["infiniband", "roce", "efa", "ethernet", "tcpx", "tcpxo", "other"]
    gbps_per_gpu: Number | None = None
    rdma: bool | None = None
    gpu_direct: GpuDirect | None = Field(None, description="rdma, tcpx or none (see compute.gpu_direct).")


class Cluster(AssetBase):
    kind = "cluster"
    section = "clusters"

    site: AssetId | None = ref("site", rel="located_at")
    scheduler: str | None = None
    fabric: Fabric | None = None
    nvlink_domain_gpus: Annotated[int, Field(ge=1)] | None = Field(
        None, description="GPUs per NVLink domain across the cluster's nodes (GB200 NVL72: 72)."
    )
    storage: list[AssetId] = ref("storage", rel="mounts", many=True)


class EncryptionAtRest(Strict_):
    enabled: bool
    key_management: Literal["provider", "customer", "hsm", "none"] | None = None
    key_stored_with_data: bool | None = None
    key: str | None = Field(None, description="The key protecting the store: a Terraform address, ARN or key name.")
    key_rotation_days: Count | None = Field(
        None, description="Days between automatic rotations of that key (0: not rotated automatically)."
    )


class Backup(Strict_):
    enabled: bool
    target: AssetId | None = ref("storage", rel="backed_up_to", lineage="forward")
    isolated: bool | None = None
    last_restore_test: IsoDate | None = None


class Storage(AssetBase):
    kind = "storage"
    section = "storage"

    site: AssetId | None = ref("site", rel="located_at")
    type: (
        Literal[
            "object",
            "file",
            "parallel_fs",
            "block",
            "nvme",
            "database",
            "warehouse",
            "feature_store",
            "model_registry",
            "backup",
            "log",
            "cache",
            "queue",
        ]
        | None
    ) = None
    operated_by: AssetId | None = ref("vendor", rel="operated_by", lineage="forward")
    networks: list[AssetId] = ref("network", rel="attached_to", many=True)
    copy_of: AssetId | None = ref(
        "storage", rel="copy_of", lineage="reverse", description="Replica, backup or export of."
    )
    encryption_at_rest: EncryptionAtRest | None = None
    backup: Backup | None = None
    public_access: bool | None = None
    public_access_mode: Literal["read", "write"] | None = Field(
        None,
        description="What anonymous users may do on a publicly accessible store: read, or write (upload, "
        "overwrite or delete, which includes read).",
    )
    public_by_design_ref: str | None = Field(
        None,
        description="The owner's approval to publish the store's content, for a store public by design "
        "(needed when no dataset is inventoried in it).",
    )
    open_ports: list[Port] = Field(default_factory=list)
    retention_days: Count | None = None
    retention_by_dataset: dict[AssetId, Count] = Field(
        default_factory=dict,
        description="Days this store keeps each dataset's data, where it expires them dataset by dataset "
        "(an archive or backup with lifecycle rules per dataset); a dataset not listed is kept retention_days.",
        json_schema_extra={"x-ref": {"kinds": ["dataset"], "rel": "retains", "lineage": None}},
    )
    model_assessment_ref: str | None = Field(
        None,
        description="For a store of models trained on personal data: the assessment of whether personal data of "
        "the training sets can be extracted or regurgitated from the models (EDPB Opinion 28/2024).",
    )
    deletion_path: str | None = None
    capacity_tb: Number | None = None
    read_gbytes_s: Number | None = Field(None, description="Sustained read throughput, GB/s.")
    write_gbytes_s: Number | None = Field(None, description="Sustained write throughput, GB/s.")
    access_logging: bool | None = None
    system_of_record: bool | None = Field(
        None,
        description="The authoritative store of its data (false: a scratch, research or export copy that can be "
        "recreated from elsewhere).",
    )


class Network(AssetBase):
    kind = "network"
    section = "networks"

    site: AssetId | None = ref("site", rel="located_at")
    type: (
        Literal[
            "internet",
            "wan",
            "vpn",
            "vpc",
            "lan",
            "dmz",
            "infiniband",
            "roce",
            "storage_fabric",
            "management",
        ]
        | None
    ) = None
    gbps: Number | None = None
    rdma: bool | None = None
    encrypted: bool | None = None
    internet_facing: bool | None = None
    connects: list[AssetId] = ref("*", rel="connects", many=True)
    peers: list[AssetId] = ref("network", rel="peers", many=True)
    zone: str | None = None
    open_ports: list[Port] = Field(default_factory=list)
    allowed_sources: list[str] = Field(default_factory=list)


LawfulBasis = Literal[
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
]


class Dataset(AssetBase):
    kind = "dataset"
    section = "datasets"

    stored_in: list[AssetId] = ref("storage", rel="stored_in", lineage="forward", many=True)
    derived_from: list[AssetId] = ref("dataset", rel="derived_from", lineage="reverse", many=True)
    personal_data: bool | None = None
    data_categories: list[str] = Field(
        default_factory=list,
        description="fideslang category keys (auditor/catalog/data_categories.yaml); where fideslang has none: "
        "user.demographic.trade_union_membership, .philosophical_belief, .sex_life, .citizenship, user.neural.",
    )
    data_subjects: list[str] = Field(default_factory=list)
    subject_jurisdictions: list[RegionCode] = Field(
        default_factory=list,
        description="Where the data subjects live: ISO 3166 codes (US-CA for California), or EU for the whole EEA.",
    )
    lawful_basis: LawfulBasis | None = None
    lia_ref: str | None = None
    consent_record_ref: str | None = None
    parental_consent_ref: str | None = Field(
        None,
        description="Where consent given or authorised by the holder of parental responsibility is recorded for "
        "children below the age of digital consent, and how it is verified (GDPR Art. 8(1)-(2)).",
    )
    purposes: list[str] = Field(default_factory=list)
    retention_days: Count | None = None
    retention_criteria: str | None = Field(
        None,
        description="Where no fixed period can be given, the criteria that determine it (GDPR Art. 13(2)(a), "
        "Cal. Civ. Code 1798.100(a)(3)): they must let the data subject work out the period, e.g. 'until the end "
        "of the contract plus the 10-year statutory period', not 'as long as needed'.",
    )
    pseudonymised: bool | None = None
    anonymised: bool | None = Field(
        None, description="Claimed anonymous; counts only with an anonymisation_assessment_ref (Recital 26)."
    )
    anonymisation_assessment_ref: str | None = Field(
        None, description="The assessment showing the data is anonymous (re-identification risk, method, reviewer)."
    )
    format: (
        Literal[
            "parquet",
            "orc",
            "avro",
            "csv",
            "json",
            "jsonl",
            "tfrecord",
            "webdataset",
            "arrow",
            "delta",
            "iceberg",
            "images",
            "video",
            "audio",
            "text",
            "binary",
            "other",
        ]
        | None
    ) = None
    size_gb: Number | None = None
    file_count: Count | None = None
    records: Count | None = None
    ropa_ref: str | None = None
    dpia_ref: str | None = None
    deletion_path: str | None = None
    contains_8115_elements: bool | None = Field(
        None, description="Holds Cal. Civ. Code 1798.81.5(d)(1)(A) elements (name + SSN, ...)."
    )
    redacted: bool | None = None
    field_encryption: bool | None = None
    art9_condition: Literal["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] | None = Field(
        None, description="GDPR Art. 9(2) condition relied on for special-category data."
    )
    art9_law_ref: str | None = Field(None, description="Union or member-state law behind 9(2)(b), (g)-(j).")
    art9_collective_agreement_ref: str | None = Field(
        None, description="For 9(2)(b): the collective agreement under member-state law relied on instead of a statute."
    )
    art9_professional_secrecy_ref: str | None = Field(
        None,
        description="For 9(2)(h): the contract with a health professional bound by professional secrecy "
        "(Art. 9(3)) relied on instead of a statute.",
    )
    art10_basis: str | None = Field(None, description="Official authority or law for criminal-offence data.")
    large_scale: bool | None = None
    export_format: str | None = Field(None, description="Machine-readable export for Art. 20 portability.")
    provided_by_subject: bool | None = Field(
        None,
        description="The data was provided by the data subjects themselves (given or observed), not derived "
        "or inferred (Art. 20(1); WP242rev.01).",
    )
    spi_limit_mechanism: bool | None = Field(None, description="CCPA 'Limit the use of my SPI' honoured.")
    risk_assessment_ref: str | None = Field(None, description="CPPA 7150 risk assessment.")
    processing_started: IsoDate | None = None
    ccpa_role: Literal["business", "service_provider", "contractor"] | None = Field(
        None,
        description="Whose personal information this is under the CCPA: the organisation's own as a business "
        "(the default), or a business client's that it processes as a service provider or contractor "
        "(Cal. Civ. Code 1798.140(ag), (j)).",
    )
    eea_offering: bool | None = Field(
        None, description="Goods or services are offered to the data subjects in the EEA (GDPR Art. 3(2)(a))."
    )
    eea_monitoring: bool | None = Field(
        None, description="The data subjects' behaviour in the EEA is monitored (GDPR Art. 3(2)(b))."
    )
    provenance: str | None = None
    bias_review_ref: str | None = None
    special_category_bias_ref: str | None = Field(
        None,
        description="The record of the AI Act Art. 10(5)(a)-(f) conditions under which special-category data is "
        "processed for bias detection and correction: why other data (synthetic, anonymised) would not do, the "
        "limits on re-use, security and access controls, no access by other parties, deletion, and the reasons "
        "entered in the record of processing.",
    )
    access_codes_included: bool | None = Field(
        None,
        description="Account or card numbers are held with the security code, access code or password that gives "
        "access to the account (Cal. Civ. Code 1798.81.5(d)(1)(A)(iii), 1798.140(ae)(1)(B)).",
    )
    infers_characteristics: bool | None = Field(
        None,
        description="Sensitive PI is used to infer characteristics about the consumer "
        "(false: outside the right to limit, 11 CCR 7027(a)).",
    )
    source: Literal["data_subject", "third_party", "scraped"] | None = Field(
        None,
        description="Where the personal data was obtained: from the data subjects (GDPR Art. 13), from another "
        "party, or scraped from public sources (Art. 14).",
    )
    art14_notice_ref: str | None = Field(
        None, description="The Art. 14 information given to the data subjects of data not obtained from them."
    )
    disproportionate_effort_assessment_ref: str | None = Field(
        None,
        description="The documented assessment that informing each data subject is impossible or would involve a "
        "disproportionate effort, with the measures taken instead, e.g. public information (Art. 14(5)(b)).",
    )


CollectionPointType = Literal["website", "mobile_app", "sdk", "pixel", "tag", "call_centre", "device", "form", "other"]


class CollectionPoint(AssetBase):
    """Where personal data enters: a website, app, SDK, pixel or tag, call centre or device.

    The data of the datasets it collects reaches it, and flows from it carry them on: a third-party
    tag that sends data from the user's browser straight to a vendor is a flow from here to the vendor.
    """

    kind = "collection_point"
    section = "collection_points"

    type: CollectionPointType = Field(description="Website, app, SDK, pixel or tag, call centre, device, ...")
    collects: list[AssetId] = ref(
        "dataset",
        rel="collects",
        lineage="reverse",
        many=True,
        description="Datasets whose personal data enters here (flows from this point carry them).",
    )
    operated_by: AssetId | None = ref(
        "vendor",
        rel="operated_by",
        lineage="forward",
        description="The vendor whose staff run it (an outsourced call centre), which receives what is collected. "
        "A third-party tag, pixel or SDK sending data to its vendor is a flow instead, so the disclosure is judged.",
    )
    consent_mechanism_ref: str | None = Field(
        None,
        description="The consent management that asks the user before a tag, pixel or SDK stores or reads anything "
        "on the user's device, and keeps it from firing without consent (ePrivacy Directive Art. 5(3)).",
    )
    strictly_necessary: bool | None = Field(
        None,
        description="It stores or reads on the device only what is strictly necessary to provide the service the user "
        "explicitly asked for, or to carry out the transmission (the exemptions of ePrivacy Art. 5(3)).",
    )


class FlowField(Strict_):
    name: str
    justification: str | None = None


class Flow(AssetBase):
    kind = "flow"
    section = "flows"

    source: AssetId = ref("*", rel="from", lineage="reverse", required=True)
    destination: AssetId = ref("*", rel="to", lineage="forward", required=True)
    datasets: list[AssetId] = ref("dataset", rel="carries", many=True)
    network: AssetId | None = ref("network", rel="over")
    purpose: str | None = None
    transfer_mechanism: TransferMechanism | None = None
    scc_version: str | None = None
    tia_ref: str | None = None
    tia_outcome: TiaOutcome = None
    tia_practical_application_assessed: TiaPracticeAssessed = None
    derogation_ground: DerogationGround = None
    occasional: Occasional = None
    transfer_consent_ref: TransferConsentRef = None
    public_interest_law_ref: PublicInterestLawRef = None
    sa_informed_ref: SaInformedRef = None
    derogation_assessment_ref: DerogationAssessmentRef = None
    limited_data_subjects: LimitedDataSubjects = None
    supplementary_measures: SupplementaryMeasures
    encrypted_in_transit: bool | None = None
    transformation: Literal["none", "pseudonymise", "anonymise", "aggregate"] | None = None
    anonymisation_assessment_ref: str | None = Field(
        None, description="For transformation: anonymise, the assessment showing the output is anonymous."
    )
    sale: bool | None = None
    share: bool | None = None
    optout_enforced: bool | None = None
    gpc_honored: bool | None = None
    compatibility_assessment_ref: str | None = Field(
        None,
        description="Assessment that a new purpose is compatible with the collection purposes (GDPR Art. 6(4); "
        "CCPA regulation 7002(c)).",
    )
    fields: list[FlowField] | None = Field(None, description="Fields sent, each with why it is needed.")
    consideration: bool | None = Field(
        None,
        description="The recipient gives money or other valuable consideration for the data (1798.140(ad)(1)).",
    )
    cross_context_advertising: bool | None = Field(
        None,
        description="The data is used for cross-context behavioural advertising (1798.140(ah), (k)).",
    )
    business_purpose: bool | None = Field(
        None,
        description="The disclosure serves a business purpose of 1798.140(e) under the recipient's contract.",
    )
    joint_purpose: bool | None = Field(
        None,
        description="The organisation and the recipient jointly determine why the data is used, e.g. a customer "
        "list for targeting the organisation's own campaigns (GDPR Art. 26; EDPB Guidelines 8/2020, 5.2.2); "
        "false: the recipient uses it for its own purposes (controller to controller).",
    )
    minors_opt_in: bool | None = Field(
        None,
        description="PI of consumers known to be under 16 is sold or shared only after they (13 to 15) or a parent "
        "(under 13) opted in (1798.120(c), 11 CCR 7070-7071).",
    )
    sale_share_exception: Literal["consumer_directed", "opt_out_signal", "merger_acquisition"] | None = Field(
        None,
        description="A disclosure that is neither a sale nor sharing (1798.140(ad)(2), (ah)(2)): "
        "consumer_directed (the consumer directs the disclosure or the interaction with the third party, (A)), "
        "opt_out_signal (an identifier shared only to alert others that the consumer opted out or limited use, (B)), "
        "merger_acquisition (transfer to a third party as an asset of a merger, acquisition or bankruptcy, (C)).",
    )
    risk_assessment_ref: str | None = Field(None, description="CPPA 7150 risk assessment of the processing.")
    processing_started: IsoDate | None = Field(
        None, description="When the flow began (processing before 2026 has until 31 Dec 2027, 11 CCR 7155)."
    )


class Certification(Strict_):
    """A recipient's certification under a US framework, valid from `from` to `until` (days included)."""

    framework: Literal["safe_harbor", "privacy_shield", "dpf"]
    from_: IsoDate = Field(alias="from", description="First day the certification is active.")
    until: IsoDate | None = Field(None, description="Last day it is active (null: still active).")
    covers_hr: bool | None = Field(None, description="The certification covers HR data.")

    @model_validator(mode="after")
    def _ordered(self) -> Certification:
        if self.until is not None and self.until < self.from_:
            raise ValueError(f"until ({self.until}) is before from ({self.from_})")
        return self


class Vendor(AssetBase):
    kind = "vendor"
    section = "vendors"

    role: (
        Literal[
            "processor",
            "sub_processor",
            "controller",
            "joint_controller",
            "service_provider",
            "contractor",
            "third_party",
        ]
        | None
    ) = None
    dpa_ref: str | None = None
    dpf_certified: bool | None = Field(
        None, description="Shorthand for an undated DPF entry in certifications (true: certified)."
    )
    transfer_mechanism: TransferMechanism | None = None
    scc_version: str | None = None
    tia_ref: str | None = None
    tia_outcome: TiaOutcome = None
    tia_practical_application_assessed: TiaPracticeAssessed = None
    derogation_ground: DerogationGround = None
    occasional: Occasional = None
    transfer_consent_ref: TransferConsentRef = None
    public_interest_law_ref: PublicInterestLawRef = None
    sa_informed_ref: SaInformedRef = None
    derogation_assessment_ref: DerogationAssessmentRef = None
    limited_data_subjects: LimitedDataSubjects = None
    supplementary_measures: SupplementaryMeasures
    surveillance_exposure: list[Literal["fisa_702", "eo_12333", "other"]] | None = Field(
        None,
        description="Third-country surveillance law under which public authorities can compel or reach the data "
        "this vendor holds: fisa_702 (an electronic communications service provider under 50 U.S.C. 1881a), "
        "eo_12333, other; [] for none (EDPB Recommendations 01/2020, step 3).",
    )
    subprocessors: list[AssetId] = ref("vendor", rel="subprocessor", lineage="forward", many=True)
    remote_access_countries: list[CountryCode] = Field(default_factory=list)
    security_terms: bool | None = None
    breach_clause: bool | None = Field(
        None,
        description="The contract binds the processor to tell the organisation of a personal data breach (for a "
        "sub-processor: its contract with the processor that engaged it, to tell that processor).",
    )
    breach_notice_hours: Count | None = Field(
        None,
        description="Hours the contract allows the processor to tell the organisation (a sub-processor: the "
        "processor that engaged it) of a personal data breach once it becomes aware of it (GDPR Art. 33(2): "
        "without undue delay).",
    )
    ccpa_contract_ref: str | None = Field(
        None, description="Service-provider/contractor contract with the 1798.100(d) terms."
    )
    third_party_contract_ref: str | None = Field(
        None, description="Contract with a third party the business sells or shares PI with (1798.100(d), 7053)."
    )
    dpf_covers_hr: bool | None = Field(None, description="With dpf_certified: the DPF certification covers HR data.")
    authorised: bool | None = Field(None, description="Sub-processor authorised by the controller.")
    authorisation: Literal["specific", "general"] | None = Field(
        None,
        description="For a sub-processor: the controller's prior written authorisation is specific to it, or "
        "general with notice of the change and a chance to object (Art. 28(2)).",
    )
    authorisation_ref: str | None = Field(
        None,
        description="For a sub-processor: the record of that authorisation (the approval, or the notice of the "
        "intended change under a general authorisation).",
    )
    flow_down_ref: str | None = Field(
        None,
        description="For a sub-processor: the processor's contract with it imposing the same data-protection "
        "obligations as the controller's DPA (Art. 28(4)).",
    )
    dpa_flow_down_clause: bool | None = Field(
        None,
        description="For a processor: the controller's DPA with it requires the same data-protection obligations to "
        "be imposed on its sub-processors and lets the controller obtain that information (Art. 28(3)(d), (h), "
        "28(4); SCC 2021/914 Clause 9(c)).",
    )
    joint_controller_arrangement_ref: str | None = Field(
        None,
        description="The arrangement with a joint controller setting out each one's responsibilities, its essence "
        "made available to data subjects (Art. 26(1)-(2)).",
    )
    deletion_api: bool | None = Field(None, description="Deletion requests can be passed on to it.")
    certifications: list[Certification] = Field(
        default_factory=list,
        description="US framework certifications with their dates (dpf_certified is shorthand for an undated DPF one).",
    )
    within_adequacy_scope: bool | None = Field(
        None,
        description=(
            "The recipient is inside its country's sector-limited adequacy decision"
            " (Canada: subject to PIPEDA; Japan: APPI business operator; Korea: PIPA, not credit information)."
        ),
    )
    international_organisation: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{1,15}$")] | None = Field(
        None, description="The vendor is this international organisation (e.g. EPO): a Chapter V recipient anywhere."
    )

    @model_validator(mode="after")
    def _one_dpf_form(self) -> Vendor:
        if self.dpf_certified is not None and any(c.framework == "dpf" for c in self.certifications):
            raise ValueError("dpf_certified is shorthand for a dpf entry in certifications: give one or the other")
        return self


class Workload(AssetBase):
    kind = "workload"
    section = "workloads"

    type: Literal["training", "fine_tuning", "inference", "batch", "etl"]
    runs_on: list[AssetId] = ref("cluster", "compute", rel="runs_on", lineage="forward", many=True)
    reads: list[AssetId] = ref("dataset", rel="reads", lineage="reverse", many=True)
    writes: list[AssetId] = ref("storage", rel="writes", lineage="forward", many=True)
    parameters_billion: Number | None = None
    precision: Precision | None = Field(None, description="Weight precision.")
    optimizer: Literal["adam", "adamw", "adam_8bit", "adafactor", "sgd"] | None = Field(
        None, description="Training optimizer: sets the optimizer-state bytes per trained parameter."
    )
    sharding: Literal["none", "zero1", "zero2", "zero3", "fsdp"] | None = None
    fsdp_strategy: Literal["full_shard", "shard_grad_op", "hybrid_shard", "no_shard"] | None = Field(
        None, description="With sharding fsdp: ZeRO-3, ZeRO-2, ZeRO-3 inside a node, or none (default full_shard)."
    )
    peft: Literal["none", "lora", "qlora"] | None = Field(
        None, description="Parameter-efficient fine-tuning: base weights frozen, only adapters trained."
    )
    trainable_parameters_billion: Number | None = Field(
        None, description="Parameters trained with PEFT (as PEFT's print_trainable_parameters reports)."
    )
    lora_rank: Annotated[int, Field(ge=1)] | None = Field(None, description="LoRA rank r of the adapters.")
    lora_target_fraction: Annotated[float, Field(ge=0, le=1)] | None = Field(
        None, description="Share of the model's weights in the matrices LoRA adapts (undeclared: 1, an upper bound)."
    )
    gpus: Annotated[int, Field(ge=1)] | None = Field(None, description="GPUs the job uses.")
    nodes: Annotated[int, Field(ge=1)] | None = None
    tensor_parallel: Annotated[int, Field(ge=1)] | None = None
    pipeline_parallel: Annotated[int, Field(ge=1)] | None = Field(
        None, description="Pipeline stages the model's layers are split over (1 when undeclared)."
    )
    micro_batch_size: Annotated[int, Field(ge=1)] | None = Field(None, description="Sequences per GPU per micro-step.")
    hidden_size: Annotated[int, Field(ge=1)] | None = Field(None, description="Model width h (Llama-2-70B: 8192).")
    attention_heads: Annotated[int, Field(ge=1)] | None = Field(None, description="Query attention heads a.")
    activation_checkpointing: Literal["none", "selective", "full"] | None = Field(
        None, description="Activation recomputation (Korthikanti et al.): none, selective or full."
    )
    kv_cache_precision: Precision | None = Field(
        None, description="KV-cache precision, apart from the weights' (undeclared: bf16/fp16, 2 bytes)."
    )
    step_time_s: Number | None = None
    context_length: Count | None = None
    batch_size: Count | None = None
    layers: Count | None = None
    kv_heads: Count | None = None
    head_dim: Count | None = None
    latency_slo_ms: Number | None = None
    continuous_batching: bool | None = None
    checkpoint_interval_min: Number | None = None
    accelerator_utilization_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    automated_decisions: bool | None = None
    significant_decisions: bool | None = Field(
        None, description="Decisions on finance, housing, education, employment or healthcare."
    )
    significant_decision_domains: (
        list[Literal["financial_lending", "housing", "education", "employment", "healthcare"]] | None
    ) = Field(
        None,
        description="The significant-decision categories of 11 CCR 7001(ddd) the decisions fall in: financial or "
        "lending services, housing, education enrolment or opportunity, employment or independent contracting, "
        "healthcare; any declared counts as significant_decisions for the ADMT rules and bounds the 7221(b)(2)-(3) "
        "exceptions.",
    )
    profiling: bool | None = None
    art22_exception: Literal["contract", "law", "explicit_consent"] | None = Field(
        None,
        description="For solely automated decisions with legal or similarly significant effects: the "
        "GDPR Art. 22(2) exception relied on (necessary for a contract, authorised by law, explicit consent).",
    )
    human_review: bool | None = Field(
        None,
        description="Data subjects can obtain human intervention, express their view and contest the "
        "decision (Art. 22(3) safeguards).",
    )
    art9_condition: Literal["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] | None = Field(
        None,
        description="For solely automated decisions based on special-category data: the Art. 9(2) condition "
        "relied on (Art. 22(4) allows only (a) explicit consent and (g) substantial public interest).",
    )
    art9_law_ref: str | None = Field(
        None, description="For 9(2)(g): the Union or member-state law providing for those decisions."
    )
    explicit_consent_ref: str | None = Field(
        None,
        description="For 9(2)(a): the record of the data subjects' explicit consent to those decisions being "
        "based on their special-category data (Art. 9(2)(a), 22(4); Art. 7(1)).",
    )
    art22_measures_ref: str | None = Field(
        None,
        description="The suitable measures safeguarding the data subjects' rights, freedoms and legitimate "
        "interests when such decisions use special-category data (Art. 22(4); Recital 71).",
    )
    public_monitoring: bool | None = None
    large_scale: bool | None = Field(
        None,
        description="The processing is large-scale: number of data subjects, volume, duration, geographic extent "
        "(WP243 rev.01); undeclared, it is large-scale when a dataset it reads is.",
    )
    dpia_ref: str | None = None
    dpia_screening_ref: str | None = Field(
        None,
        description="The documented DPIA screening giving the reasons why processing meeting two WP248 criteria is "
        "not likely to result in a high risk (WP248 rev.01, III.B.a).",
    )
    risk_assessment_ref: str | None = None
    admt_notice_ref: str | None = None
    admt_opt_out: bool | None = None
    admt_human_appeal: bool | None = Field(
        None,
        description="Instead of an opt-out, consumers can appeal the decision to a designated human reviewer who "
        "can interpret the ADMT output, considers the consumer's information and has the authority to overturn "
        "it, through an easy method described to them (11 CCR 7221(b)(1)).",
    )
    admt_appeal_process_ref: str | None = Field(
        None,
        description="The documented appeal process behind admt_human_appeal: the designated reviewer, their "
        "authority to overturn, and the method described to consumers (11 CCR 7221(b)(1)(A)-(B)).",
    )
    admt_decision: Literal["admission_acceptance_hiring", "work_allocation_compensation", "other"] | None = Field(
        None,
        description="The significant decision made with ADMT, for the 7221(b)(2)-(3) exceptions: admission, "
        "acceptance or hiring (7001(ddd)(3)(A), (4)(A)), allocation/assignment of work and compensation "
        "(7001(ddd)(4)(B)), or another.",
    )
    admt_sole_use: bool | None = Field(
        None,
        description="The ADMT is used solely to assess the consumer's ability to perform at work or in an "
        "educational program (7221(b)(2)(A)), or solely to allocate or assign work or compensation ((b)(3)(A)).",
    )
    admt_nondiscrimination_ref: str | None = Field(
        None,
        description="The evaluation showing the ADMT works for the business's purpose and does not unlawfully "
        "discriminate based upon protected characteristics (11 CCR 7221(b)(2)(B), (b)(3)(B)).",
    )
    output_anonymised: bool | None = Field(
        None, description="Claimed anonymous output; counts only with an anonymisation_assessment_ref."
    )
    anonymisation_assessment_ref: str | None = Field(
        None,
        description="The assessment showing the output (e.g. a trained model) holds no personal data "
        "(EDPB Opinion 28/2024).",
    )
    data_tier: Literal["good", "better", "best"] | None = Field(
        None, description="Storage tier of the DGX SuperPOD guide: text, compressed images, raw media."
    )
    gradient_precision: Literal["fp32", "bf16", "fp16"] | None = None
    ai_act_high_risk: bool | None = None
    ai_act_high_risk_route: Literal["annex_i", "annex_i_section_b", "annex_iii"] | None = Field(
        None,
        description="Why the system is high-risk: a safety component of, or itself, a product under the Annex I "
        "Section A harmonisation legislation (Art. 6(1), applies from 2 Aug 2027, Art. 113(c)); under the Section B "
        "legislation (vehicles, aviation, marine equipment, rail), to which only Art. 6(1), 102-109 and 112 apply "
        "(Art. 2(2)); or an Annex III use (Art. 6(2), from 2 Aug 2026); undeclared: judged from the Annex III date.",
    )
    log_retention_days: Count | None = None
    trains: (
        list[
            Literal[
                "admt_significant_decision",
                "facial_recognition",
                "emotion_recognition",
                "identity_verification",
                "biometric_identification",
                "none",
            ]
        ]
        | None
    ) = Field(
        None,
        description="What a training job trains, for 11 CCR 7150(b)(6): ADMT for significant decisions, facial or "
        "emotion recognition, identity verification, biometric identification, or none of these.",
    )
    ai_act_role: Literal["provider", "deployer", "provider_and_deployer"] | None = Field(
        None, description="The organisation's role for this AI system under the AI Act (Art. 3(3), 3(4))."
    )
    general_purpose_model: bool | None = Field(
        None, description="The job trains a general-purpose AI model (AI Act Art. 3(63)) the organisation provides."
    )
    placed_on_market: IsoDate | None = Field(
        None,
        description="When the general-purpose AI model was first placed on the Union market: before 2 Aug 2025 it has "
        "until 2 Aug 2027 to comply with Art. 53 and 55 (AI Act Art. 111(3)); unset: not yet placed, still in "
        "research, testing or development (Art. 2(8)), so Art. 53(1) does not apply yet.",
    )
    infers_from: list[Literal["observation_at_work_or_school", "sensitive_location", "none"]] | None = Field(
        None,
        description="What the workload's automated processing infers or extrapolates characteristics from, for "
        "11 CCR 7150(b)(4)-(5): observation_at_work_or_school (systematic observation of consumers as educational "
        "program applicants, job applicants, students, employees or independent contractors for the business), "
        "sensitive_location (their presence in a sensitive location, 7001), or none of these.",
    )
    processing_started: IsoDate | None = Field(
        None, description="When the processing began (processing before 2026 has until 31 Dec 2027, 11 CCR 7155)."
    )
    training_tokens_billion: Number | None = Field(
        None, description="Tokens the training run processes (dataset tokens x epochs), billions."
    )
    training_compute_flop: Number | None = Field(
        None,
        description="Cumulative training compute of the model as the provider measured it, FLOP (AI Act Art. 51(2)); "
        "overrides the 6 x parameters x tokens estimate.",
    )
    modification_compute_flop: Number | None = Field(
        None,
        description="For a fine_tuning job: compute used for the modification, FLOP; else 6 x parameters x this "
        "job's training tokens (Commission GPAI guidelines, 18 Jul 2025: the one-third test).",
    )
    base_model_training_compute_flop: Number | None = Field(
        None,
        description="For a fine_tuning job: training compute of the original model, FLOP, when known; a modifier "
        "becomes its provider only above one third of it (unknown: one third of the Art. 51(2) or GPAI threshold).",
    )
    open_source_model: bool | None = Field(
        None, description="Released under a free and open-source licence with public weights (Art. 53(2))."
    )
    technical_documentation_ref: str | None = Field(
        None,
        description="Technical documentation of the model for the AI Office and downstream providers "
        "(Art. 53(1)(a)-(b), Annexes XI-XII).",
    )
    copyright_policy_ref: str | None = Field(
        None,
        description="Policy to comply with Union copyright law, incl. text-and-data-mining opt-outs (Art. 53(1)(c)).",
    )
    training_content_summary_ref: str | None = Field(
        None, description="Public summary of the content used for training, in the AI Office template (Art. 53(1)(d))."
    )
    commission_notified: IsoDate | None = Field(
        None,
        description="When the Commission was notified that the model meets the systemic-risk threshold (Art. 52(1)).",
    )
    systemic_risk_assessment_ref: str | None = Field(
        None,
        description="Model evaluation with adversarial testing, systemic-risk assessment and mitigation, incident "
        "reporting and cybersecurity measures (Art. 55(1)).",
    )
    interacts_with_people: bool | None = Field(
        None, description="The AI system interacts directly with natural persons, e.g. a chatbot (Art. 50(1))."
    )
    ai_interaction_disclosed: bool | None = Field(
        None, description="People are told they are interacting with an AI system (Art. 50(1))."
    )
    generates_synthetic_content: bool | None = Field(
        None, description="The AI system generates synthetic audio, image, video or text content (Art. 50(2))."
    )
    output_marked: bool | None = Field(
        None, description="Outputs are marked in a machine-readable format as artificially generated (Art. 50(2))."
    )
    ai_use_case: Literal["credit_scoring", "life_health_insurance_pricing", "other"] | None = Field(
        None,
        description="Annex III point 5(b) creditworthiness or credit scoring, or 5(c) life and health insurance "
        "risk assessment and pricing, for the Art. 27 fundamental-rights impact assessment.",
    )
    fria_ref: str | None = Field(
        None, description="Fundamental-rights impact assessment done before first use (Art. 27)."
    )
    ai_act_registration_ref: str | None = Field(
        None,
        description="Registration of the provider and the high-risk system in the EU database (AI Act Art. 49(1), "
        "71), or at national level for an Annex III point 2 critical-infrastructure system (Art. 49(5)).",
    )
    lawful_basis: LawfulBasis | None = Field(
        None,
        description="The Art. 6(1) basis of the job's own processing (a training job's: the training), where it is "
        "not the basis of the data it reads; legitimate_interests counts with lia_ref.",
    )
    lia_ref: str | None = Field(
        None,
        description="Legitimate-interest assessment of the training itself: interest, necessity, balancing with the "
        "data subjects' reasonable expectations (GDPR Art. 6(1)(f); EDPB Opinion 28/2024).",
    )
    objection_handling_ref: str | None = Field(
        None,
        description="How objections to the processing are received and honoured before (re)training, "
        "e.g. an opt-out list applied to the corpus (GDPR Art. 21(1)).",
    )

    @model_validator(mode="after")
    def _fsdp_strategy_with_fsdp(self) -> Workload:
        if self.fsdp_strategy is not None and self.sharding not in (None, "fsdp"):
            raise ValueError(f"fsdp_strategy is an FSDP setting; sharding is {self.sharding!r}, not fsdp")
        return self


ASSET_MODELS: tuple[type[AssetBase], ...] = (
    Organization,
    Site,
    Compute,
    Cluster,
    Storage,
    Network,
    Dataset,
    CollectionPoint,
    Flow,
    Vendor,
    Workload,
)
MODEL_BY_SECTION: dict[str, type[AssetBase]] = {model.section: model for model in ASSET_MODELS}
KNOWN_VERSIONS = (1,)  # the inventory format's versions this release reads
MODEL_BY_KIND: dict[str, type[AssetBase]] = {model.kind: model for model in ASSET_MODELS}


class InventoryDocument(Strict_):
    """One inventory file. A folder of such files is merged into one inventory."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, title="AI infrastructure inventory")

    version: Literal[1] = 1
    organization: Organization | None = None
    sites: list[Site] = Field(default_factory=list)
    compute: list[Compute] = Field(default_factory=list)
    clusters: list[Cluster] = Field(default_factory=list)
    storage: list[Storage] = Field(default_factory=list)
    networks: list[Network] = Field(default_factory=list)
    datasets: list[Dataset] = Field(default_factory=list)
    collection_points: list[CollectionPoint] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)
    vendors: list[Vendor] = Field(default_factory=list)
    workloads: list[Workload] = Field(default_factory=list)
