"""Inventory strings made safe for the formats that cannot carry every character."""

from __future__ import annotations

import re

# Outside XML 1.0's Char production (C0 controls but tab, LF and CR; lone surrogates; U+FFFE/U+FFFF).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def xml_safe(text: str) -> str:
    """`text` without the characters an XML 1.0 parser rejects (an inventory string may hold any)."""
    return _XML_INVALID.sub("", text)


def one_line(text: str) -> str:
    """Control characters (line breaks included) as spaces: for table cells and terminal lines."""
    return _CONTROL.sub(" ", text)


_NOT_IN_ANCHOR = re.compile(r"[^\w\- ]")


def github_anchor(heading: str) -> str:
    """The id GitHub gives a Markdown heading (github-slugger): lower case, punctuation dropped, spaces as '-'."""
    return _NOT_IN_ANCHOR.sub("", heading.strip().lower()).replace(" ", "-")


def rule_anchor(rule_id: str, title: str) -> str:
    """The anchor of a rule's section in docs/rules.md, whose heading is `### <id>: <title>`."""
    return github_anchor(f"{rule_id}: {title}")
