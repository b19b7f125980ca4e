"""A JSON inventory decoded a chunk of assets at a time straight into its structs, taken only where the
strict reader would read the same data without complaint.

Decoding the whole file into dicts first and converting them afterwards built a tree of plain data four
to six times the file, all of it fresh memory, and walked it again to convert: the 485 MB file of the
1M benchmark took 10-12 s and 2.9 GB that way, most of it the kernel serving first touches of memory.
Here msgspec splits the top mapping and each section into the raw bytes of its values (no copy), orjson
decodes a chunk of assets and the structs convert it while its dicts are still in the CPU's caches; the
dicts' memory then serves the next chunk.

The checks are json_fast's, made per chunk on its data encoded again (in C): every colon of the bytes is
a key's or inside a string, so a key written twice leaves the chunks' colons, plus one per top-level key,
fewer than the bytes'; a float of 1e18 or more may have been a wider integer; a brace or an escaped quote
inside a string means the extents must be found by the full scan. What any check refuses, and anything
the structs refuse, is left to the checked reader (None), whose verdict and messages stand.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat

import msgspec
import orjson

from auditor.inventory.json_fast import BOM, braces_structural, may_be_wider
from auditor.inventory.models import KNOWN_VERSIONS, MODEL_BY_SECTION, AssetBase, Organization
from auditor.inventory.structs import CHUNK, as_struct, as_structs
from auditor.inventory.yaml_events import DataPath

_TOP = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ITEMS = msgspec.json.Decoder(list[msgspec.Raw])
# A key written twice at the top, a section that is no list, a value orjson refuses, one nested past its encoder
_REFUSED = (msgspec.MsgspecError, orjson.JSONDecodeError, TypeError)

Sections = list[tuple[list[DataPath], list[AssetBase]]]


@dataclass
class StructSections:
    """Every section of a JSON inventory as structs with its assets' paths; whether all its braces are structural."""

    sections: Sections
    structural_braces: bool


@dataclass
class _Tally:
    """The colons of the chunks encoded again and whether all their braces are structural."""

    colons: int
    structural: bool = True

    def takes(self, encoded: bytes) -> bool:
        """Count `encoded`; False if it holds a float that may have been read from a wider integer."""
        if may_be_wider(encoded):
            return False
        self.colons += encoded.count(b":")
        self.structural = self.structural and braces_structural(encoded)
        return True


def decode_structs(raw: bytes) -> StructSections | None:
    """The sections of the JSON inventory `raw` as structs, or None for the checked reader to decide."""
    if b"\\u003" in raw and (b"\\u003a" in raw or b"\\u003A" in raw):  # a colon the bytes' count misses
        return None
    try:
        top = _TOP.decode(memoryview(raw)[3:] if raw.startswith(BOM) else raw)
        tally = _Tally(colons=len(top))  # the colon after each top-level key
        sections = _sections(top, tally)
    except _REFUSED:
        return None
    if sections is None or tally.colons != raw.count(b":"):
        return None
    return StructSections(sections, tally.structural)


def _sections(top: dict[str, msgspec.Raw], tally: _Tally) -> Sections | None:
    found: Sections = []
    for section, value in top.items():
        if section == "version":
            version = msgspec.json.decode(value)
            if type(version) is not int or version not in KNOWN_VERSIONS:
                return None
            continue
        model = MODEL_BY_SECTION.get(section)
        if model is None:
            return None
        if model is Organization:
            data = orjson.loads(memoryview(value))
            organization = as_struct(section, data) if type(data) is dict and tally.takes(orjson.dumps(data)) else None
            if organization is None:
                return None
            found.append(([(section,)], [organization]))
            continue
        validated = _section(section, _ITEMS.decode(value), tally)
        if validated is None:
            return None
        found.append((list(zip(repeat(section), range(len(validated)))), validated))
    return found


def _section(section: str, items: list[msgspec.Raw], tally: _Tally) -> list[AssetBase] | None:
    validated: list[AssetBase] = []
    loads = orjson.loads
    for start in range(0, len(items), CHUNK):
        chunk = [loads(memoryview(item)) for item in items[start : start + CHUNK]]
        structs = as_structs(section, chunk) if tally.takes(orjson.dumps(chunk)) else None
        if structs is None:
            return None
        validated.extend(structs)
    return validated
