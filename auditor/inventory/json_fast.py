"""JSON bytes decoded by orjson, accepted only where the standard library's strict reader would give the same data.

The strict reader (source._read_json) calls a Python hook on every object to find duplicate keys, and
needs the text decoded first. orjson decodes the bytes about three times faster but keeps the last of
duplicate keys, reads integers beyond 64 bits as floats and has its own error messages. So its result is
taken only when none of that can have happened; otherwise (an error, a possible duplicate, a wide
number, nesting or a number beyond the limits) the caller reads the text the strict way, which gives the
exact error or the same data.

Duplicate keys without a hook: in JSON a colon stands either between a key and its value or inside a
string. If no string spells a colon as an escape (\\u003a), the colons of the bytes number the keys
written plus the colons inside strings; a duplicate key is dropped by the decoder with its value, so the
data, encoded again (in C, colons unescaped), has fewer colons than the bytes exactly when some key was
written twice.

Braces the same way: each object of the data is one `{` and one `}` of the bytes, so when the bytes
hold no more of them than the data has objects, none stands inside a string and an object's closing
brace is found by counting braces alone (source._json_id_extents).

The walk over the decoded data that finds depth, numbers and those counts (json_shape) costs about as
much as the decoding. An inventory decoded straight into its structs (json_structs) needs neither: their
types nest far less than MAX_DEPTH and their int fields refuse the float orjson makes of a wider integer.
What the structs would accept and the strict reader would not is found on the data encoded again, in C: a
key written twice (the colons), a float beyond +-1e18 (may_be_wider), and a brace inside a string
(braces_structural).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from auditor.inventory.yaml_core import MAX_NUMBER

# orjson reads an integer it cannot hold in 64 bits as a float: any float this wide may have been one.
_WIDE = float(2**63)
BOM = b"\xef\xbb\xbf"
# In orjson's output, a float of 1e18 or more in size: e+18 and up
_LARGE_FLOAT = re.compile(rb"e\+(?:1[89]|[2-9][0-9]|[0-9]{3})")
_NOT_QUOTE_OR_BRACE = bytes(byte for byte in range(256) if byte not in b'"{}')


@dataclass
class JsonShape:
    """What one walk over decoded JSON found: a problem the strict reader reports, keys, objects, a widened int."""

    problem: str | None = None
    keys: int = 0
    objects: int = 0
    wide_float: bool = False


@dataclass
class DecodedJson:
    """Data the strict reader would read the same, and whether every brace of its bytes is an object's."""

    data: Any
    structural_braces: bool


def json_shape(data: Any, max_depth: int, too_deep: str) -> JsonShape:
    """Whether a container sits inside `max_depth` others or a number is beyond +-1e308 (cheap: no paths)."""
    shape = JsonShape()
    stack: list[tuple[Any, int]] = [(data if type(data) is dict or type(data) is list else [data], 0)]
    push, pop = stack.append, stack.pop
    keys = objects = 0
    while stack:
        value, depth = pop()
        if depth >= max_depth:
            shape.problem = too_deep
            return shape
        if type(value) is dict:
            keys += len(value)
            objects += 1
            children = value.values()
        else:
            children = value
        inner = depth + 1
        for child in children:
            kind = type(child)
            if kind is str:  # most values: one test
                continue
            if kind is dict or kind is list:
                push((child, inner))
            elif kind is float or kind is int:
                if not -MAX_NUMBER <= child <= MAX_NUMBER:
                    shape.problem = "number out of range (beyond -1e308..1e308)"
                    return shape
                if kind is float and not -_WIDE < child < _WIDE:
                    shape.wide_float = True
    shape.keys, shape.objects = keys, objects
    return shape


def decode_json(raw: bytes, max_depth: int, too_deep: str) -> DecodedJson | None:
    """The data of `raw` when the strict reader would read the same without complaint; None otherwise."""
    body = memoryview(raw)[3:] if raw.startswith(BOM) else raw
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    colons = raw.count(b":")
    shape = json_shape(data, max_depth, too_deep)
    if shape.problem is not None or shape.wide_float:
        return None
    if colons != shape.keys and (  # else no colon inside any string: nothing to encode again
        b"\\u003a" in raw or b"\\u003A" in raw or orjson.dumps(data).count(b":") != colons
    ):
        return None
    return DecodedJson(data, raw.count(b"{") == shape.objects == raw.count(b"}"))


def may_be_wider(encoded: bytes) -> bool:
    """Whether data orjson encoded holds a float of 1e18 or more in size: it may have been read from an
    integer wider than 64 bits, or from a number beyond 1e308."""
    return _LARGE_FLOAT.search(encoded) is not None


def braces_structural(encoded: bytes) -> bool:
    """Whether no string of data orjson encoded holds a brace: each string is closed by the next quote when
    none is escaped, so removing every empty pair `""` of the quotes and braces then leaves no quote."""
    return b'\\"' not in encoded and b'"' not in encoded.translate(None, _NOT_QUOTE_OR_BRACE).replace(b'""', b"")
