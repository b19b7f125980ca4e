"""Azure resources of a Terraform plan or state -> inventory assets.

Azure Storage, managed disks, SQL (TDE) and Cosmos DB encrypt at rest with Microsoft-managed keys
unless a customer key is configured: a platform guarantee, so those stores get provider or customer.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.importers.common import INTERNET_SOURCES, open_ports
from auditor.importers.hardware import from_instance_type
from auditor.importers.terraform import Mapper, Plan, Resource, Rotations

_VMS = ("azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine", "azurerm_virtual_machine")


def _at_rest(key: Any) -> dict[str, Any]:
    return {"enabled": True, "key_management": "customer" if key else "provider"}


_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def _days(duration: Any) -> int | None:
    """An ISO 8601 date duration (P90D, P1Y) in days, a year as 365 and a month as 30."""
    found = _DURATION.match(duration) if isinstance(duration, str) and duration != "P" else None
    if found is None:
        return None
    years, months, weeks, days = (int(part or 0) for part in found.groups())
    return years * 365 + months * 30 + weeks * 7 + days


def _key_rotation(key: Resource) -> int | None:
    """azurerm_key_vault_key rotation_policy.automatic: time_after_create, or expire_after less
    time_before_expiry; no policy or no automatic block: not rotated automatically."""
    if "rotation_policy" not in key.values:
        return None
    policy = key.get("rotation_policy")
    automatic = policy.get("automatic") if isinstance(policy, dict) else None
    automatic = automatic[0] if isinstance(automatic, list) and automatic else automatic
    if not isinstance(automatic, dict):
        return 0
    after_create = _days(automatic.get("time_after_create"))
    if after_create is not None:
        return after_create
    assert isinstance(policy, dict)  # automatic came from it
    expire, before = _days(policy.get("expire_after")), _days(automatic.get("time_before_expiry"))
    return expire - before if expire is not None and before is not None and expire > before else None


_KEYS: Rotations = {"azurerm_key_vault_key": _key_rotation}


def storage_account(plan: Plan, r: Resource) -> None:
    at_rest = _at_rest(r.blocks("customer_managed_key"))
    asset: dict[str, Any] = {
        "type": "object",
        "encryption_at_rest": plan.keyed(r, ("customer_managed_key", "key_vault_key_id"), at_rest, _KEYS),
    }
    nested = r.values.get("allow_nested_items_to_be_public", r.values.get("allow_blob_public_access"))
    if nested is False:
        asset["public_access"] = False
    versioning = r.get("blob_properties", "versioning_enabled")
    if isinstance(versioning, bool):
        asset["labels"] = {"versioning": "enabled" if versioning else "disabled"}
    plan.add("storage", r, asset)


def _account_of(plan: Plan, r: Resource) -> list[dict[str, Any]]:
    accounts = plan.linked(r, ("storage_account_id",), "azurerm_storage_account")
    accounts += plan.linked(r, ("storage_account_name",), "azurerm_storage_account")
    return [a for t in accounts if (a := plan.asset("storage", t)) is not None]


def storage_container(plan: Plan, r: Resource) -> None:
    if r.values.get("container_access_type") in ("blob", "container"):
        for account in _account_of(plan, r):
            account["public_access"] = True


def customer_key(plan: Plan, r: Resource) -> None:
    for account in _account_of(plan, r):
        account["encryption_at_rest"] = plan.keyed(r, ("key_vault_key_id",), _at_rest(True), _KEYS)


def mssql_database(plan: Plan, r: Resource) -> None:
    tde = r.values.get("transparent_data_encryption_enabled")
    at_rest = {"enabled": False, "key_management": "none"} if tde is False else _at_rest(None)
    plan.add("storage", r, {"type": "database", "encryption_at_rest": at_rest})


def cosmosdb(plan: Plan, r: Resource) -> None:
    at_rest = plan.keyed(r, ("key_vault_key_id",), _at_rest(r.values.get("key_vault_key_id")), _KEYS)
    plan.add("storage", r, {"type": "database", "encryption_at_rest": at_rest})


def flexible_server(plan: Plan, r: Resource) -> None:
    at_rest = _at_rest(r.get("customer_managed_key"))
    key = ("customer_managed_key", "key_vault_key_id")
    asset: dict[str, Any] = {"type": "database", "encryption_at_rest": plan.keyed(r, key, at_rest, _KEYS)}
    days = r.values.get("backup_retention_days")
    asset["backup"] = {"enabled": days > 0} if isinstance(days, int) else None
    plan.add("storage", r, asset)


def managed_disk(plan: Plan, r: Resource) -> None:
    size = r.values.get("disk_size_gb")
    asset: dict[str, Any] = {"type": "block", "encryption_at_rest": _at_rest(r.values.get("disk_encryption_set_id"))}
    asset["capacity_tb"] = round(size * 1.073741824 / 1000, 6) if isinstance(size, int) else None
    plan.add("storage", r, asset)


def virtual_machine(plan: Plan, r: Resource) -> None:
    asset = from_instance_type(r.values.get("size") or r.values.get("vm_size"))
    nics = plan.linked(r, ("network_interface_ids",), "azurerm_network_interface")
    if any(plan.linked(nic, ("ip_configuration", "public_ip_address_id"), "azurerm_public_ip") for nic in nics):
        asset["public_ip"] = True
    subnets = [s for nic in nics for s in plan.linked(nic, ("ip_configuration", "subnet_id"), "azurerm_subnet")]
    asset["networks"] = sorted({s.id for s in subnets})
    plan.add("compute", r, asset)


def node_pool(plan: Plan, r: Resource) -> None:
    asset = from_instance_type(r.values.get("vm_size"))
    count = r.values.get("node_count") or r.values.get("min_count")
    asset["count"] = count if isinstance(count, int) and count >= 1 else None
    plan.add("compute", r, asset)


def aks_cluster(plan: Plan, r: Resource) -> None:
    pool = r.get("default_node_pool")
    pool = pool if isinstance(pool, dict) else {}
    asset = from_instance_type(pool.get("vm_size"))
    count = pool.get("node_count") or pool.get("min_count")
    asset["count"] = count if isinstance(count, int) and count >= 1 else None
    plan.add("compute", r, asset)


def ml_compute_cluster(plan: Plan, r: Resource) -> None:
    asset = from_instance_type(r.values.get("vm_size"))
    nodes = r.get("scale_settings", "max_node_count")
    asset["count"] = nodes if isinstance(nodes, int) and nodes >= 1 else None
    asset["role"] = "training"
    plan.add("compute", r, asset)


def virtual_network(plan: Plan, r: Resource) -> None:
    plan.add("networks", r, {"type": "vpc"})


def subnet(plan: Plan, r: Resource) -> None:
    plan.add("networks", r, {"type": "vpc"})
    for parent in plan.linked(r, ("virtual_network_name",), "azurerm_virtual_network"):
        stored = plan.asset("networks", parent)
        if stored is not None:
            stored["connects"] = sorted({*stored.get("connects", []), r.id})


def peering(plan: Plan, r: Resource) -> None:
    sides = plan.linked(r, ("virtual_network_name",), "azurerm_virtual_network")
    remotes = plan.linked(r, ("remote_virtual_network_id",), "azurerm_virtual_network")
    for side in sides:
        stored = plan.asset("networks", side)
        if stored is not None and remotes:
            stored["peers"] = sorted({*stored.get("peers", []), *(p.id for p in remotes if p is not side)})


def security_group(plan: Plan, r: Resource) -> None:
    stored = plan.add("networks", r, {})
    for rule in r.blocks("security_rule"):
        _open(stored, rule)


def security_rule(plan: Plan, r: Resource) -> None:
    groups = plan.linked(r, ("network_security_group_name",), "azurerm_network_security_group")
    groups += plan.linked(r, ("network_security_group_id",), "azurerm_network_security_group")
    for group in groups:
        stored = plan.asset("networks", group)
        if stored is not None:
            _open(stored, r.values)


def _open(network: dict[str, Any], rule: dict[str, Any]) -> None:
    if rule.get("direction") != "Inbound" or rule.get("access") != "Allow":
        return
    prefixes = [rule.get("source_address_prefix"), *(rule.get("source_address_prefixes") or [])]
    sources = {p for p in prefixes if isinstance(p, str) and p in INTERNET_SOURCES}
    if not sources:
        return
    ports: set[int] = set()
    for item in [rule.get("destination_port_range"), *(rule.get("destination_port_ranges") or [])]:
        if item == "*":
            ports.update((0, 65535))
        elif isinstance(item, str):
            low, _, high = item.partition("-")
            if low.isdigit() and (not high or high.isdigit()):
                ports.update(open_ports(int(low), int(high or low)))
    network["allowed_sources"] = sorted({*network.get("allowed_sources", []), *sources})
    network["open_ports"] = sorted({*network.get("open_ports", []), *ports})


def nic_association(plan: Plan, r: Resource) -> None:
    """A VM behind a NIC that a security group is associated with is filtered by that group."""
    groups = plan.linked(r, ("network_security_group_id",), "azurerm_network_security_group")
    for nic in plan.linked(r, ("network_interface_id",), "azurerm_network_interface"):
        for vm in plan.linking(nic, ("network_interface_ids",), *_VMS):
            stored = plan.asset("compute", vm)
            if stored is not None:
                plan.filters_of(stored, groups)


PRIMARY: dict[str, Mapper] = {
    "azurerm_storage_account": storage_account,
    "azurerm_mssql_database": mssql_database,
    "azurerm_cosmosdb_account": cosmosdb,
    "azurerm_postgresql_flexible_server": flexible_server,
    "azurerm_managed_disk": managed_disk,
    "azurerm_linux_virtual_machine": virtual_machine,
    "azurerm_windows_virtual_machine": virtual_machine,
    "azurerm_virtual_machine": virtual_machine,
    "azurerm_kubernetes_cluster_node_pool": node_pool,
    "azurerm_kubernetes_cluster": aks_cluster,
    "azurerm_machine_learning_compute_cluster": ml_compute_cluster,
    "azurerm_virtual_network": virtual_network,
    "azurerm_network_security_group": security_group,
}
ATTACHED: dict[str, Mapper] = {
    "azurerm_storage_container": storage_container,
    "azurerm_storage_account_customer_managed_key": customer_key,
    "azurerm_subnet": subnet,
    "azurerm_virtual_network_peering": peering,
    "azurerm_network_security_rule": security_rule,
    "azurerm_network_interface_security_group_association": nic_association,
}
SKIPPED: tuple[str, ...] = (
    "azurerm_resource_group",
    "azurerm_network_interface",
    "azurerm_public_ip",
    "azurerm_key_vault",  # keys are read through the stores they encrypt
    "azurerm_role_",
    "azurerm_user_assigned_identity",
    "azurerm_subnet_network_security_group_association",
    "azurerm_mssql_server",
    "azurerm_mssql_firewall_rule",
    "azurerm_log_analytics_",
    "azurerm_monitor_",
    "azurerm_machine_learning_workspace",
    "azurerm_application_insights",
    "azurerm_container_registry",
)
