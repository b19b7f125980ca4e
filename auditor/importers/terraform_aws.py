"""AWS resources of a Terraform plan or state -> inventory assets.

Defaults a resource does not state are left undeclared, with two exceptions that are guarantees
of the service, not defaults of a setting: DynamoDB tables are always encrypted at rest (AWS
owned key unless a KMS key is given), and FSx for Lustre and EFS record only what is stated.
S3 buckets get `encryption_at_rest` only from a stated configuration: SSE-S3 by default covers
objects written since 2023-01-05, not necessarily every object of an older bucket.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.importers.common import INTERNET_SOURCES, open_ports
from auditor.importers.hardware import from_instance_type
from auditor.importers.terraform import Mapper, Plan, Resource, Rotations

_PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}
_BUCKET = ("aws_s3_bucket",)
_DEFAULT_KEY_ROTATION_DAYS = 365  # KMS rotates a key yearly when rotation is on and no period is given
_SSE_KEY = ("rule", "apply_server_side_encryption_by_default", "kms_master_key_id")


def _key_rotation(key: Resource) -> int | None:
    """aws_kms_key: 0 with rotation off (the default), the stated period, or KMS's yearly rotation."""
    if "enable_key_rotation" not in key.values:
        return None
    if key.values["enable_key_rotation"] is not True:
        return 0
    period = key.values.get("rotation_period_in_days")
    return period if isinstance(period, int) and not isinstance(period, bool) else _DEFAULT_KEY_ROTATION_DAYS


_KEYS: Rotations = {"aws_kms_key": _key_rotation}


def _keyed(plan: Plan, r: Resource, encryption: dict[str, Any] | None, *attribute: str) -> dict[str, Any] | None:
    return plan.keyed(r, attribute or ("kms_key_id",), encryption, _KEYS)


def _encryption(enabled: Any, key: Any) -> dict[str, Any] | None:
    if not isinstance(enabled, bool):
        return None
    if not enabled:
        return {"enabled": False, "key_management": "none"}
    return {"enabled": True, "key_management": "customer" if key else "provider"}


def _backup(retention: Any) -> dict[str, Any] | None:
    return {"enabled": retention > 0} if isinstance(retention, int) and not isinstance(retention, bool) else None


def _gib_to_tb(size: Any) -> float | None:
    return round(size * 1.073741824 / 1000, 6) if isinstance(size, int | float) and not isinstance(size, bool) else None


# storage ---------------------------------------------------------------------------------


def s3_bucket(plan: Plan, r: Resource) -> None:
    asset: dict[str, Any] = {"type": "object"}
    acl = r.values.get("acl")
    if acl in _PUBLIC_ACLS or _allows_everyone(r.values.get("policy")):
        asset["public_access"] = True
    rule = r.get("server_side_encryption_configuration", "rule", "apply_server_side_encryption_by_default")
    if isinstance(rule, dict):
        asset["encryption_at_rest"] = _keyed(plan, r, _sse(rule), "server_side_encryption_configuration", *_SSE_KEY)
    if r.blocks("logging"):
        asset["access_logging"] = True
    versioning = r.get("versioning", "enabled")
    if isinstance(versioning, bool):
        asset["labels"] = {"versioning": "enabled" if versioning else "disabled"}
    retention = _expiry_days(
        rule for rule in r.blocks("lifecycle_rule") if rule.get("enabled") and not rule.get("prefix")
    )
    if retention is not None:
        asset["retention_days"] = retention
    plan.add("storage", r, asset)


def _sse(rule: dict[str, Any]) -> dict[str, Any]:
    algorithm = rule.get("sse_algorithm")
    customer = str(algorithm).startswith("aws:kms") and bool(rule.get("kms_master_key_id"))
    return {"enabled": True, "key_management": "customer" if customer else "provider"}


def _expiry_days(rules: Any) -> int | None:
    days = []
    for rule in rules:
        expiration = rule.get("expiration")
        expiration = expiration[0] if isinstance(expiration, list) and expiration else expiration
        if isinstance(expiration, dict) and isinstance(expiration.get("days"), int) and expiration["days"] > 0:
            days.append(expiration["days"])
    return min(days) if days else None


def _bucket_of(plan: Plan, r: Resource) -> list[dict[str, Any]]:
    return [a for t in plan.linked(r, ("bucket",), *_BUCKET) if (a := plan.asset("storage", t)) is not None]


def s3_encryption(plan: Plan, r: Resource) -> None:
    rule = r.get("rule", "apply_server_side_encryption_by_default")
    for bucket in _bucket_of(plan, r):
        if isinstance(rule, dict):
            bucket["encryption_at_rest"] = _keyed(plan, r, _sse(rule), *_SSE_KEY)


def s3_public_access_block(plan: Plan, r: Resource) -> None:
    flags = [
        r.values.get(key)
        for key in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    ]
    for bucket in _bucket_of(plan, r):
        if all(flag is True for flag in flags):
            bucket["public_access"] = False


def s3_acl(plan: Plan, r: Resource) -> None:
    for bucket in _bucket_of(plan, r):
        if r.values.get("acl") in _PUBLIC_ACLS and bucket.get("public_access") is None:
            bucket["public_access"] = True


def s3_policy(plan: Plan, r: Resource) -> None:
    """A bucket policy allowing everyone (`"Principal": "*"`, no condition) makes the bucket public, unless all four
    public access blocks are on (restrict_public_buckets overrides it). A policy known only after apply says nothing."""
    for bucket in _bucket_of(plan, r):
        if bucket.get("public_access") is None and _allows_everyone(r.values.get("policy")):
            bucket["public_access"] = True


def _allows_everyone(policy: Any) -> bool:
    try:
        document = json.loads(policy) if isinstance(policy, str) else None
    except ValueError:
        return False
    statements = document.get("Statement") if isinstance(document, dict) else None
    statements = [statements] if isinstance(statements, dict) else statements if isinstance(statements, list) else []
    return any(
        isinstance(s, dict) and s.get("Effect") == "Allow" and not s.get("Condition") and _everyone(s.get("Principal"))
        for s in statements
    )


def _everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    listed = principal.get("AWS") if isinstance(principal, dict) else None
    return listed == "*" or (isinstance(listed, list) and "*" in listed)


def s3_versioning(plan: Plan, r: Resource) -> None:
    status = r.get("versioning_configuration", "status")
    for bucket in _bucket_of(plan, r):
        if isinstance(status, str):
            bucket["labels"]["versioning"] = status.lower()


def s3_logging(plan: Plan, r: Resource) -> None:
    for bucket in _bucket_of(plan, r):
        bucket["access_logging"] = True


def s3_lifecycle(plan: Plan, r: Resource) -> None:
    rules = [rule for rule in r.blocks("rule") if rule.get("status") == "Enabled" and not _filtered(rule)]
    days = _expiry_days(rules)
    for bucket in _bucket_of(plan, r):
        if days is not None:
            bucket["retention_days"] = days


def _filtered(rule: dict[str, Any]) -> bool:
    """A rule that applies to part of the bucket only (a prefix, tag or size filter)."""
    for block in rule.get("filter") or []:
        if isinstance(block, dict) and any(value not in (None, "", [], {}) for value in block.values()):
            return True
    return bool(rule.get("prefix"))


def s3_replication(plan: Plan, r: Resource) -> None:
    """The destination bucket is a copy of the source bucket."""
    sources = _bucket_of(plan, r)
    for rule in r.blocks("rule"):
        destination = rule.get("destination")
        bucket_arn = destination[0].get("bucket") if isinstance(destination, list) and destination else None
        for target in plan.linked(r, ("rule", "destination", "bucket"), *_BUCKET) or [
            t for t in plan.resources if t.type in _BUCKET and bucket_arn and t.values.get("arn") == bucket_arn
        ]:
            copy = plan.asset("storage", target)
            if copy is not None and sources:
                copy["copy_of"] = sources[0]["id"]


def ebs_volume(plan: Plan, r: Resource) -> None:
    asset: dict[str, Any] = {"type": "block", "capacity_tb": _gib_to_tb(r.values.get("size"))}
    asset["encryption_at_rest"] = _keyed(plan, r, _encryption(r.values.get("encrypted"), r.values.get("kms_key_id")))
    plan.add("storage", r, asset)


def db_instance(plan: Plan, r: Resource) -> None:
    asset: dict[str, Any] = {"type": "database"}
    asset["encryption_at_rest"] = _keyed(
        plan, r, _encryption(r.values.get("storage_encrypted"), r.values.get("kms_key_id"))
    )
    public = r.values.get("publicly_accessible")
    asset["public_access"] = public if isinstance(public, bool) else None
    asset["backup"] = _backup(r.values.get("backup_retention_period"))
    asset["capacity_tb"] = _gib_to_tb(r.values.get("allocated_storage"))
    asset["labels"] = {"engine": r.values["engine"]} if isinstance(r.values.get("engine"), str) else {}
    stored = plan.add("storage", r, asset)
    plan.filters_of(stored, plan.linked(r, ("vpc_security_group_ids",), "aws_security_group"))


def rds_cluster(plan: Plan, r: Resource) -> None:
    asset: dict[str, Any] = {"type": "database"}
    asset["encryption_at_rest"] = _keyed(
        plan, r, _encryption(r.values.get("storage_encrypted"), r.values.get("kms_key_id"))
    )
    asset["backup"] = _backup(r.values.get("backup_retention_period"))
    stored = plan.add("storage", r, asset)
    plan.filters_of(stored, plan.linked(r, ("vpc_security_group_ids",), "aws_security_group"))


def dynamodb_table(plan: Plan, r: Resource) -> None:
    sse = r.get("server_side_encryption")
    customer = isinstance(sse, dict) and sse.get("enabled") is True and bool(sse.get("kms_key_arn"))
    asset: dict[str, Any] = {"type": "database"}
    at_rest = {"enabled": True, "key_management": "customer" if customer else "provider"}
    asset["encryption_at_rest"] = _keyed(plan, r, at_rest, "server_side_encryption", "kms_key_arn")
    pitr = r.get("point_in_time_recovery", "enabled")
    asset["backup"] = {"enabled": pitr} if isinstance(pitr, bool) else None
    plan.add("storage", r, asset)


def redshift_cluster(plan: Plan, r: Resource) -> None:
    asset: dict[str, Any] = {"type": "warehouse"}
    asset["encryption_at_rest"] = _keyed(plan, r, _encryption(r.values.get("encrypted"), r.values.get("kms_key_id")))
    public = r.values.get("publicly_accessible")
    asset["public_access"] = public if isinstance(public, bool) else None
    asset["backup"] = _backup(r.values.get("automated_snapshot_retention_period"))
    plan.add("storage", r, asset)


def search_domain(plan: Plan, r: Resource) -> None:
    at_rest = r.get("encrypt_at_rest", "enabled")
    asset: dict[str, Any] = {"type": "database"}
    at_rest_key = r.get("encrypt_at_rest", "kms_key_id")
    asset["encryption_at_rest"] = _keyed(plan, r, _encryption(at_rest, at_rest_key), "encrypt_at_rest", "kms_key_id")
    if r.blocks("log_publishing_options"):
        asset["access_logging"] = True
    plan.add("storage", r, asset)


def efs(plan: Plan, r: Resource) -> None:
    asset: dict[str, Any] = {"type": "file"}
    asset["encryption_at_rest"] = _keyed(plan, r, _encryption(r.values.get("encrypted"), r.values.get("kms_key_id")))
    plan.add("storage", r, asset)


def fsx_lustre(plan: Plan, r: Resource) -> None:
    """Throughput: per_unit_storage_throughput (MB/s per TiB) x storage_capacity (GiB)."""
    asset: dict[str, Any] = {"type": "parallel_fs"}
    capacity, per_tib = r.values.get("storage_capacity"), r.values.get("per_unit_storage_throughput")
    asset["capacity_tb"] = _gib_to_tb(capacity)
    if isinstance(capacity, int) and isinstance(per_tib, int):
        rate = round(per_tib * capacity / 1024 / 1000, 3)
        asset["read_gbytes_s"] = rate
        asset["write_gbytes_s"] = rate
    if r.values.get("kms_key_id"):
        asset["encryption_at_rest"] = {"enabled": True, "key_management": "customer"}
    asset["encryption_at_rest"] = _keyed(plan, r, asset.get("encryption_at_rest"))
    plan.add("storage", r, asset)


# compute ---------------------------------------------------------------------------------


def instance(plan: Plan, r: Resource) -> None:
    asset: dict[str, Any] = from_instance_type(r.values.get("instance_type"))
    public = r.values.get("associate_public_ip_address")
    asset["public_ip"] = public if isinstance(public, bool) else None
    subnets = plan.linked(r, ("subnet_id",), "aws_subnet")
    asset["networks"] = [subnet.id for subnet in subnets]
    stored = plan.add("compute", r, asset)
    groups = plan.linked(r, ("vpc_security_group_ids",), "aws_security_group")
    groups += plan.linked(r, ("security_groups",), "aws_security_group")
    plan.filters_of(stored, groups)


def node_group(plan: Plan, r: Resource) -> None:
    types = r.values.get("instance_types")
    asset: dict[str, Any] = from_instance_type(types[0] if isinstance(types, list) and types else None)
    templates = plan.linked(r, ("launch_template", "id"), "aws_launch_template")
    templates += plan.linked(r, ("launch_template", "name"), "aws_launch_template")
    if not asset and templates:
        asset = from_instance_type(templates[0].values.get("instance_type"))
    plan.used_templates.update(t.address for t in templates)
    desired = r.get("scaling_config", "desired_size")
    asset["count"] = desired if isinstance(desired, int) and desired >= 1 else None
    asset["networks"] = [subnet.id for subnet in plan.linked(r, ("subnet_ids",), "aws_subnet")]
    clusters = plan.linked(r, ("cluster_name",), "aws_eks_cluster")
    asset["cluster"] = clusters[0].id if clusters else None
    plan.add("compute", r, asset)


def autoscaling_group(plan: Plan, r: Resource) -> None:
    templates = plan.linked(r, ("launch_template", "id"), "aws_launch_template")
    templates += plan.linked(r, ("launch_template", "name"), "aws_launch_template")
    plan.used_templates.update(t.address for t in templates)
    asset = from_instance_type(templates[0].values.get("instance_type")) if templates else {}
    desired = r.values.get("desired_capacity")
    asset["count"] = desired if isinstance(desired, int) and desired >= 1 else None
    asset["networks"] = [subnet.id for subnet in plan.linked(r, ("vpc_zone_identifier",), "aws_subnet")]
    stored = plan.add("compute", r, asset)
    if templates:
        plan.filters_of(stored, plan.linked(templates[0], ("vpc_security_group_ids",), "aws_security_group"))


def eks_cluster(plan: Plan, r: Resource) -> None:
    plan.add("clusters", r, {"scheduler": "kubernetes"})


def load_balancer(plan: Plan, r: Resource) -> None:
    """A load balancer is a gateway: public unless internal, forwarding to its instances."""
    internal = r.values.get("internal")
    asset: dict[str, Any] = {"role": "gateway", "public_ip": (not internal) if isinstance(internal, bool) else None}
    asset["open_ports"] = sorted({p for block in r.blocks("listener") if isinstance(p := block.get("lb_port"), int)})
    asset["forwards_to"] = [t.id for t in plan.linked(r, ("instances",), "aws_instance")]
    stored = plan.add("compute", r, asset)
    plan.filters_of(stored, plan.linked(r, ("security_groups",), "aws_security_group"))


def lb_listener(plan: Plan, r: Resource) -> None:
    port = r.values.get("port")
    for balancer in plan.linked(r, ("load_balancer_arn",), "aws_lb"):
        stored = plan.asset("compute", balancer)
        if stored is not None and isinstance(port, int):
            stored["open_ports"] = sorted({*stored.get("open_ports", []), port})


def finish(plan: Plan) -> None:
    """A launch template that no group uses stands for one node of its instance type."""
    for r in plan.resources:
        if r.type == "aws_launch_template" and r.address not in plan.used_templates:
            stored = plan.add("compute", r, from_instance_type(r.values.get("instance_type")))
            plan.filters_of(stored, plan.linked(r, ("vpc_security_group_ids",), "aws_security_group"))


def sagemaker_endpoint_config(plan: Plan, r: Resource) -> None:
    variant = r.get("production_variants")
    asset = from_instance_type(variant.get("instance_type") if isinstance(variant, dict) else None)
    count = variant.get("initial_instance_count") if isinstance(variant, dict) else None
    asset["count"] = count if isinstance(count, int) and count >= 1 else None
    asset["role"] = "inference"
    plan.add("compute", r, asset)


def sagemaker_endpoint(plan: Plan, r: Resource) -> None:
    configs = plan.linked(r, ("endpoint_config_name",), "aws_sagemaker_endpoint_configuration")
    plan.add("workloads", r, {"type": "inference", "runs_on": [c.id for c in configs]})


# networks --------------------------------------------------------------------------------


def vpc(plan: Plan, r: Resource) -> None:
    plan.add("networks", r, {"type": "vpc"})


def subnet(plan: Plan, r: Resource) -> None:
    zone = r.values.get("availability_zone")
    plan.add("networks", r, {"type": "vpc", "zone": zone if isinstance(zone, str) else None})
    for parent in plan.linked(r, ("vpc_id",), "aws_vpc"):
        network = plan.asset("networks", parent)
        if network is not None:
            network["connects"] = sorted({*network.get("connects", []), r.id})


def vpc_peering(plan: Plan, r: Resource) -> None:
    sides = plan.linked(r, ("vpc_id",), "aws_vpc") + plan.linked(r, ("peer_vpc_id",), "aws_vpc")
    networks = [n for side in sides if (n := plan.asset("networks", side)) is not None]
    if len(networks) == 2:
        networks[0]["peers"] = sorted({*networks[0].get("peers", []), networks[1]["id"]})


def security_group(plan: Plan, r: Resource) -> None:
    stored = plan.add("networks", r, {})
    for rule in r.blocks("ingress"):
        _open(stored, rule.get("cidr_blocks"), rule.get("ipv6_cidr_blocks"), rule)
    sources = plan.linked(r, ("ingress", "security_groups"), *_GROUP)
    sources += [g for rule in r.blocks("ingress") for g in plan.named(rule.get("security_groups"), *_GROUP)]
    plan.segment(sources, [r])


_GROUP = ("aws_security_group",)


def security_group_rule(plan: Plan, r: Resource) -> None:
    if r.values.get("type") != "ingress":
        return
    groups = plan.linked(r, ("security_group_id",), "aws_security_group")
    for group in groups:
        stored = plan.asset("networks", group)
        if stored is not None:
            _open(stored, r.values.get("cidr_blocks"), r.values.get("ipv6_cidr_blocks"), r.values)
    plan.segment(plan.linked(r, ("source_security_group_id",), *_GROUP), groups)


def ingress_rule(plan: Plan, r: Resource) -> None:
    """aws_vpc_security_group_ingress_rule (provider 5+): one CIDR per rule."""
    rule = {**r.values, "protocol": r.values.get("ip_protocol")}
    groups = plan.linked(r, ("security_group_id",), "aws_security_group")
    for group in groups:
        stored = plan.asset("networks", group)
        if stored is not None:
            _open(stored, [r.values.get("cidr_ipv4")], [r.values.get("cidr_ipv6")], rule)
    plan.segment(plan.linked(r, ("referenced_security_group_id",), *_GROUP), groups)


def _open(network: dict[str, Any], v4: Any, v6: Any, rule: dict[str, Any]) -> None:
    sources = {cidr for cidr in [*(v4 or []), *(v6 or [])] if cidr in INTERNET_SOURCES}
    if not sources:
        return
    everything = str(rule.get("protocol")) in ("-1", "all")
    ports = [0, 65535] if everything else open_ports(rule.get("from_port"), rule.get("to_port"))
    network["allowed_sources"] = sorted({*network.get("allowed_sources", []), *sources})
    network["open_ports"] = sorted({*network.get("open_ports", []), *ports})


PRIMARY: dict[str, Mapper] = {
    "aws_s3_bucket": s3_bucket,
    "aws_ebs_volume": ebs_volume,
    "aws_db_instance": db_instance,
    "aws_rds_cluster": rds_cluster,
    "aws_neptune_cluster": rds_cluster,
    "aws_docdb_cluster": rds_cluster,
    "aws_dynamodb_table": dynamodb_table,
    "aws_redshift_cluster": redshift_cluster,
    "aws_elasticsearch_domain": search_domain,
    "aws_opensearch_domain": search_domain,
    "aws_efs_file_system": efs,
    "aws_fsx_lustre_file_system": fsx_lustre,
    "aws_instance": instance,
    "aws_eks_cluster": eks_cluster,
    "aws_elb": load_balancer,
    "aws_lb": load_balancer,
    "aws_eks_node_group": node_group,
    "aws_autoscaling_group": autoscaling_group,
    "aws_sagemaker_endpoint_configuration": sagemaker_endpoint_config,
    "aws_vpc": vpc,
    "aws_security_group": security_group,
}
ATTACHED: dict[str, Mapper] = {
    "aws_subnet": subnet,
    "aws_vpc_peering_connection": vpc_peering,
    "aws_s3_bucket_server_side_encryption_configuration": s3_encryption,
    "aws_s3_bucket_public_access_block": s3_public_access_block,
    "aws_s3_bucket_acl": s3_acl,
    "aws_s3_bucket_policy": s3_policy,
    "aws_s3_bucket_versioning": s3_versioning,
    "aws_s3_bucket_logging": s3_logging,
    "aws_s3_bucket_lifecycle_configuration": s3_lifecycle,
    "aws_s3_bucket_replication_configuration": s3_replication,
    "aws_security_group_rule": security_group_rule,
    "aws_vpc_security_group_ingress_rule": ingress_rule,
    "aws_sagemaker_endpoint": sagemaker_endpoint,
    "aws_lb_listener": lb_listener,
}
# Read through the resources above (templates used by groups, keys) or not about data, exposure or capacity.
SKIPPED: tuple[str, ...] = (
    "aws_launch_template",
    "aws_kms_",  # keys are read through the stores they encrypt
    "aws_iam_",
    "aws_route",
    "aws_internet_gateway",
    "aws_nat_gateway",
    "aws_eip",
    "aws_network_interface",
    "aws_volume_attachment",
    "aws_ebs_snapshot",
    "aws_db_option_group",
    "aws_db_parameter_group",
    "aws_db_subnet_group",
    "aws_neptune_cluster_instance",
    "aws_neptune_cluster_snapshot",
    "aws_rds_cluster_instance",
    "aws_s3_bucket_object",
    "aws_s3_object",
    "aws_s3_bucket_ownership_controls",
    "aws_elasticsearch_domain_policy",
    "aws_opensearch_domain_policy",
    "aws_cloudwatch_",
    "aws_flow_log",
    "aws_vpc_security_group_egress_rule",
    "aws_secretsmanager_",
    "aws_ssm_parameter",
    "aws_acm_",
    "aws_route53_",
    "aws_default_",
    "aws_main_route_table_association",
    "aws_key_pair",
    "aws_lambda_",
    "aws_ecr_",
    "aws_lb_target_group",
)
