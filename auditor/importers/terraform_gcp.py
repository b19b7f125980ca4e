"""Google Cloud resources of a Terraform plan or state -> inventory assets.

Google encrypts all data at rest (Google-managed keys unless a Cloud KMS key is named): that is
a guarantee of the platform, so stores get `encryption_at_rest` provider or customer.
"""

from __future__ import annotations

from typing import Any

from auditor.importers.common import INTERNET_SOURCES, open_ports
from auditor.importers.hardware import from_accelerator, from_instance_type
from auditor.importers.terraform import Mapper, Plan, Resource, Rotations

_PUBLIC_MEMBERS = {"allUsers", "allAuthenticatedUsers"}


def _at_rest(key: Any) -> dict[str, Any]:
    return {"enabled": True, "key_management": "customer" if key else "provider"}


def _key_rotation(key: Resource) -> int | None:
    """google_crypto_key rotation_period ("7776000s"): whole days, rounded up; unset: no automatic rotation."""
    if "rotation_period" not in key.values:
        return None
    period = key.values["rotation_period"]
    if period is None:
        return 0
    seconds = str(period).removesuffix("s")
    return -(-int(float(seconds)) // 86_400) if seconds.replace(".", "", 1).isdigit() else None


_KEYS: Rotations = {"google_kms_crypto_key": _key_rotation}


def _keyed(plan: Plan, r: Resource, *attribute: str) -> dict[str, Any] | None:
    return plan.keyed(r, attribute, _at_rest(r.get(*attribute)), _KEYS)


def _gb_to_tb(size: Any) -> float | None:
    return round(size / 1000, 6) if isinstance(size, int | float) and not isinstance(size, bool) else None


def storage_bucket(plan: Plan, r: Resource) -> None:
    asset: dict[str, Any] = {
        "type": "object",
        "encryption_at_rest": _keyed(plan, r, "encryption", "default_kms_key_name"),
    }
    if r.values.get("public_access_prevention") == "enforced":
        asset["public_access"] = False
    if r.blocks("logging"):
        asset["access_logging"] = True
    versioning = r.get("versioning", "enabled")
    if isinstance(versioning, bool):
        asset["labels"] = {"versioning": "enabled" if versioning else "disabled"}
    ages = []
    for rule in r.blocks("lifecycle_rule"):
        action, condition = rule.get("action"), rule.get("condition")
        action = action[0] if isinstance(action, list) and action else action
        condition = condition[0] if isinstance(condition, list) and condition else condition
        if isinstance(action, dict) and action.get("type") == "Delete" and isinstance(condition, dict):
            others = {k: v for k, v in condition.items() if k != "age" and v not in (None, "", [], False, 0)}
            if isinstance(condition.get("age"), int) and condition["age"] > 0 and not others:
                ages.append(condition["age"])
    asset["retention_days"] = min(ages) if ages else None
    plan.add("storage", r, asset)


def bucket_iam(plan: Plan, r: Resource) -> None:
    members = r.values.get("members") or [r.values.get("member")]
    if not any(member in _PUBLIC_MEMBERS for member in members if isinstance(member, str)):
        return
    for bucket in plan.linked(r, ("bucket",), "google_storage_bucket"):
        stored = plan.asset("storage", bucket)
        if stored is not None:
            stored["public_access"] = True


def sql_instance(plan: Plan, r: Resource) -> None:
    asset: dict[str, Any] = {"type": "database", "encryption_at_rest": _keyed(plan, r, "encryption_key_name")}
    ipv4 = r.get("settings", "ip_configuration", "ipv4_enabled")
    networks = r.get("settings", "ip_configuration", "authorized_networks")
    networks = networks if isinstance(networks, list) else [networks] if isinstance(networks, dict) else []
    if ipv4 is True and any(n.get("value") in INTERNET_SOURCES for n in networks if isinstance(n, dict)):
        asset["public_access"] = True
    backup = r.get("settings", "backup_configuration", "enabled")
    asset["backup"] = {"enabled": backup} if isinstance(backup, bool) else None
    asset["labels"] = (
        {"engine": r.values["database_version"]} if isinstance(r.values.get("database_version"), str) else {}
    )
    plan.add("storage", r, asset)


def bigquery_dataset(plan: Plan, r: Resource) -> None:
    at_rest = _keyed(plan, r, "default_encryption_configuration", "kms_key_name")
    asset: dict[str, Any] = {"type": "warehouse", "encryption_at_rest": at_rest}
    for access in r.blocks("access"):
        if access.get("special_group") == "allAuthenticatedUsers" or access.get("iam_member") == "allUsers":
            asset["public_access"] = True
    expiration = r.values.get("default_table_expiration_ms")
    if isinstance(expiration, int) and expiration > 0:
        asset["retention_days"] = expiration // 86_400_000
    plan.add("storage", r, asset)


def filestore(plan: Plan, r: Resource) -> None:
    asset: dict[str, Any] = {"type": "file", "encryption_at_rest": _keyed(plan, r, "kms_key_name")}
    asset["capacity_tb"] = _gb_to_tb(r.get("file_shares", "capacity_gb"))
    plan.add("storage", r, asset)


def disk(plan: Plan, r: Resource) -> None:
    at_rest = _keyed(plan, r, "disk_encryption_key", "kms_key_self_link")
    asset = {"type": "block", "encryption_at_rest": at_rest, "capacity_tb": _gb_to_tb(r.values.get("size"))}
    plan.add("storage", r, asset)


def _hardware(machine_type: Any, accelerators: Any) -> dict[str, Any]:
    asset = from_instance_type(machine_type if isinstance(machine_type, str) else None)
    if "accelerator" not in asset and isinstance(accelerators, list) and accelerators:
        first = accelerators[0] if isinstance(accelerators[0], dict) else {}
        asset.update(from_accelerator(first.get("type"), first.get("count")))
    return asset


def instance(plan: Plan, r: Resource) -> None:
    asset = _hardware(r.values.get("machine_type"), r.values.get("guest_accelerator"))
    interfaces = r.blocks("network_interface")
    if interfaces:
        asset["public_ip"] = any(interface.get("access_config") for interface in interfaces)
    networks = plan.linked(r, ("network_interface", "subnetwork"), "google_compute_subnetwork")
    networks += plan.linked(r, ("network_interface", "network"), "google_compute_network")
    asset["networks"] = sorted({n.id for n in networks})
    plan.add("compute", r, asset)


def node_pool(plan: Plan, r: Resource) -> None:
    config = r.get("node_config")
    config = config if isinstance(config, dict) else {}
    asset = _hardware(config.get("machine_type"), config.get("guest_accelerator"))
    count = r.values.get("node_count") or r.values.get("initial_node_count")
    asset["count"] = count if isinstance(count, int) and count >= 1 else None
    plan.add("compute", r, asset)


def network(plan: Plan, r: Resource) -> None:
    plan.add("networks", r, {"type": "vpc"})


def subnetwork(plan: Plan, r: Resource) -> None:
    plan.add("networks", r, {"type": "vpc"})
    for parent in plan.linked(r, ("network",), "google_compute_network"):
        stored = plan.asset("networks", parent)
        if stored is not None:
            stored["connects"] = sorted({*stored.get("connects", []), r.id})


def peering(plan: Plan, r: Resource) -> None:
    sides = plan.linked(r, ("network",), "google_compute_network")
    peers = plan.linked(r, ("peer_network",), "google_compute_network")
    for side in sides:
        stored = plan.asset("networks", side)
        if stored is not None and peers:
            stored["peers"] = sorted({*stored.get("peers", []), *(p.id for p in peers if p is not side)})


def firewall(plan: Plan, r: Resource) -> None:
    """An INGRESS rule allowing the internet opens its ports on its network (all instances it targets)."""
    if r.values.get("direction", "INGRESS") != "INGRESS":
        return
    sources = {s for s in r.values.get("source_ranges") or [] if s in INTERNET_SOURCES}
    if not sources:
        return
    ports: set[int] = set()
    for allow in r.blocks("allow"):
        listed = allow.get("ports") or []
        if allow.get("protocol") == "all" or not listed:
            ports.update((0, 65535))
        for item in listed:
            low, _, high = str(item).partition("-")
            if low.isdigit() and (not high or high.isdigit()):
                ports.update(open_ports(int(low), int(high or low)))
    for target in plan.linked(r, ("network",), "google_compute_network"):
        stored = plan.asset("networks", target)
        if stored is not None and ports:
            stored["allowed_sources"] = sorted({*stored.get("allowed_sources", []), *sources})
            stored["open_ports"] = sorted({*stored.get("open_ports", []), *ports})


def vertex_endpoint(plan: Plan, r: Resource) -> None:
    plan.add("workloads", r, {"type": "inference"})


PRIMARY: dict[str, Mapper] = {
    "google_storage_bucket": storage_bucket,
    "google_sql_database_instance": sql_instance,
    "google_bigquery_dataset": bigquery_dataset,
    "google_filestore_instance": filestore,
    "google_compute_disk": disk,
    "google_compute_instance": instance,
    "google_container_node_pool": node_pool,
    "google_compute_network": network,
    "google_vertex_ai_endpoint": vertex_endpoint,
}
ATTACHED: dict[str, Mapper] = {
    "google_storage_bucket_iam_member": bucket_iam,
    "google_storage_bucket_iam_binding": bucket_iam,
    "google_compute_subnetwork": subnetwork,
    "google_compute_network_peering": peering,
    "google_compute_firewall": firewall,
}
SKIPPED: tuple[str, ...] = (
    "google_kms_",  # crypto keys are read through the stores they encrypt
    "google_service_account",
    "google_project",
    "google_compute_router",
    "google_compute_route",
    "google_compute_address",
    "google_container_cluster",
    "google_sql_database",
    "google_sql_user",
    "google_bigquery_table",
    "google_storage_bucket_object",
    "google_compute_global_address",
)
