"""Regenerate auditor/catalog/data_categories.yaml from fideslang's default taxonomy.

fideslang 3.1.4 pins pydantic < 2.13, which the auditor does not accept, so the auditor ships
the category keys as versioned data instead of depending on fideslang at run time. Run this in
a separate environment that has fideslang installed:

    python -m venv /tmp/fides && /tmp/fides/bin/pip install fideslang==3.1.4 pyyaml
    /tmp/fides/bin/python scripts/build_data_categories.py

The legal marks are ours, by key prefix (a mark on a key applies to all keys below it). Categories
the law names but fideslang has no key for are added as EXTENSIONS (marked `extension: true`), so
that an inventory can declare them.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import yaml
from fideslang.default_taxonomy import DEFAULT_TAXONOMY

TARGET = Path(__file__).resolve().parents[1] / "auditor" / "catalog" / "data_categories.yaml"

# Keys of the auditor's own, for categories of GDPR Art. 9(1) or Cal. Civ. Code 1798.140(ae) that
# fideslang 3.1.4 cannot express: (key, name, parent).
EXTENSIONS = (
    ("user.demographic.citizenship", "Citizenship or Immigration Status", "user.demographic"),  # 140(ae)(1)(D)
    ("user.demographic.philosophical_belief", "Philosophical Beliefs", "user.demographic"),  # Art. 9(1); (ae)(1)(D)
    ("user.demographic.sex_life", "Sex Life", "user.demographic"),  # Art. 9(1); 140(ae)(2)(C)
    ("user.demographic.trade_union_membership", "Trade-Union Membership", "user.demographic"),  # Art. 9(1); (ae)(1)(D)
    ("user.neural", "Neural Data", "user"),  # 1798.140(ae)(1)(G), added by SB 1223 (2024)
)
# GDPR Art. 9(1) special categories.
GDPR_ART9 = (
    "user.biometric",
    "user.authorization.biometric",
    "user.demographic.philosophical_belief",
    "user.demographic.political_opinion",
    "user.demographic.race_ethnicity",
    "user.demographic.religious_belief",
    "user.demographic.sex_life",
    "user.demographic.sexual_orientation",
    "user.demographic.trade_union_membership",
    "user.health_and_medical",
)
GDPR_ART10 = ("user.criminal_history",)
# A voice recording is biometric data only when processed to identify someone (Art. 4(14),
# Recital 51; 1798.140(ae)(2)(A)): it is not marked; declare user.biometric for such processing.
NOT_BIOMETRIC_PER_SE = ("user.biometric.voice",)
# Cal. Civ. Code 1798.140(ae) sensitive personal information.
CCPA_SENSITIVE = (
    "user.government_id.national_identification_number",
    "user.government_id.drivers_license_number",
    "user.government_id.passport_number",
    "user.government_id.immigration",
    "user.authorization.credentials",
    "user.authorization.password",
    "user.financial.bank_account",
    "user.financial.credit_card",
    "user.location.precise",
    "user.demographic.citizenship",
    "user.demographic.philosophical_belief",
    "user.demographic.race_ethnicity",
    "user.demographic.religious_belief",
    "user.demographic.sex_life",
    "user.demographic.sexual_orientation",
    "user.demographic.trade_union_membership",
    "user.content.private",
    "user.neural",
    "user.biometric",
    "user.authorization.biometric",
    "user.health_and_medical",
)
# Categories added to 1798.140(ae) by an amendment: sensitive PI only from its operative date.
CCPA_SENSITIVE_FROM = {
    "user.demographic.citizenship": "2024-01-01",  # AB 947 (2023), operative 1 January 2024
    "user.neural": "2025-01-01",  # SB 1223 (2024), operative 1 January 2025
}
# Cal. Civ. Code 1798.81.5(d)(1)(A) elements (with a name) and (d)(1)(B) log-in credentials. An
# immigration ID number is a "unique identification number issued on a government document commonly
# used to verify the identity of a specific individual" ((d)(1)(A)(ii)).
CCPA_8115_A = (
    "user.government_id.national_identification_number",
    "user.government_id.drivers_license_number",
    "user.government_id.immigration",
    "user.government_id.passport_number",
    "user.financial.bank_account",
    "user.financial.credit_card",
    "user.health_and_medical",
    "user.biometric",
    "user.authorization.biometric",
)
CCPA_8115_B = ("user.authorization.credentials", "user.authorization.password")
# Account and card numbers count only with the code or password that gives access
# (1798.81.5(d)(1)(A)(iii), 1798.140(ae)(1)(B)): the dataset declares it, or holds a (B) credential.
CCPA_NEEDS_ACCESS_CODE = ("user.financial.bank_account", "user.financial.credit_card")


def marked(key: str, prefixes: tuple[str, ...]) -> bool:
    if any(key == p or key.startswith(p + ".") for p in NOT_BIOMETRIC_PER_SE):
        return False
    return any(key == p or key.startswith(p + ".") for p in prefixes)


def main() -> None:
    named = [(c.fides_key, c.name, c.parent_key, False) for c in DEFAULT_TAXONOMY.data_category]
    categories = []
    for key, name, parent, extension in sorted(named + [(*e, True) for e in EXTENSIONS]):
        categories.append(
            {
                "key": key,
                "name": name,
                "parent": parent,
                "gdpr_art9": marked(key, GDPR_ART9),
                "gdpr_art10": marked(key, GDPR_ART10),
                "ccpa_sensitive": marked(key, CCPA_SENSITIVE),
                **({"ccpa_sensitive_from": CCPA_SENSITIVE_FROM[key]} if key in CCPA_SENSITIVE_FROM else {}),
                "ccpa_8115": "A" if marked(key, CCPA_8115_A) else "B" if marked(key, CCPA_8115_B) else None,
                "ccpa_needs_access_code": marked(key, CCPA_NEEDS_ACCESS_CODE),
                **({"extension": True} if extension else {}),
            }
        )
    header = (
        "# Data categories: the fideslang default taxonomy (keys, names, parents), generated by\n"
        "# scripts/build_data_categories.py. Marks: GDPR Art. 9(1) special category, Art. 10\n"
        "# criminal-offence data, CCPA 1798.140(ae) sensitive PI, 1798.81.5(d)(1)(A)/(B) element,\n"
        "# counted only with an access code or password (1798.81.5(d)(1)(A)(iii)).\n"
        "# extension: true marks the auditor's own keys for categories fideslang has no key for.\n"
        "# ccpa_sensitive_from: the date an amendment made the category sensitive PI (citizenship or\n"
        "# immigration status: AB 947, 1 Jan 2024; neural data: SB 1223, 1 Jan 2025); earlier audits omit it.\n"
        "# Under-16 consumers' PI as sensitive (CPPA 2025 regs) is unverified [U] and not marked.\n"
    )
    data = {
        "source": f"fideslang {version('fideslang')} default taxonomy",
        "as_of": "2026-12-02",
        "categories": categories,
    }
    TARGET.write_text(header + yaml.safe_dump(data, sort_keys=False, width=100), encoding="utf-8")
    print(f"{len(categories)} categories -> {TARGET}")


if __name__ == "__main__":
    main()
