"""A CycloneDX XML BOM -> the dict shape of its JSON twin, with the source line of every element.

Parsed with defusedxml's expat-based SAX parser, so entity declarations (billion laughs), external
entities and external DTDs are refused, not expanded or fetched. XML wraps lists in an element
(`<components><component>`) or repeats an element (`<data>`); both become JSON arrays here, and the
few elements whose JSON form differs (`<property name="n">v</property>`, `<ref>` in `datasets`,
`<hash alg="a">v</hash>`) are rewritten, so that one mapping (auditor/importers/cyclonedx.py) reads
both encodings. Elements of other namespaces (extensions) are left out. Values stay strings.
"""

from __future__ import annotations

import io
import xml.sax
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.xmlreader import AttributesNSImpl, Locator

import defusedxml
import defusedxml.sax

from auditor.errors import InputError, InputIssue, SourceLocation
from auditor.inventory.source import MAX_DEPTH, MAX_FILE_BYTES, TOO_DEEP, DataPath, Document, read_bytes_bounded

NAMESPACE = "http://cyclonedx.org/schema/bom/"
# Wrapper element -> its JSON array (items are its child elements, whatever their names).
_WRAPPERS = frozenset(
    {"components", "services", "datasets", "inputs", "outputs", "properties", "owners", "custodians", "stewards",
     "externalReferences", "hashes", "performanceMetrics", "dependencies"}
)  # fmt: skip
_REPEATED = frozenset({"data"})  # repeated directly inside a component, an array in JSON
_TEXT_ITEMS = {"property": ("name", "value"), "hash": ("alg", "content")}  # attribute and text of the JSON object


@dataclass
class _Element:
    name: str
    attributes: dict[str, str]
    line: int
    column: int
    children: list[_Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


class _Builder(xml.sax.ContentHandler):
    """Builds a light element tree, each element with its 1-based line and column."""

    def __init__(self) -> None:
        super().__init__()
        self.root: _Element | None = None
        self.stack: list[_Element | None] = []  # None: an element of another namespace, and all inside it
        self.namespace = ""
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def startElementNS(self, name: tuple[str | None, str], qname: str | None, attrs: AttributesNSImpl) -> None:
        uri, local = name
        if len(self.stack) >= MAX_DEPTH:
            raise _Refused(TOO_DEEP, self.position())
        if self.root is None:
            self.namespace = uri or ""
        parent = self.stack[-1] if self.stack else None
        if (self.stack and parent is None) or (uri or "") != self.namespace:
            self.stack.append(None)
            return
        line, column = self.position()
        element = _Element(local, {key[1]: value for key, value in attrs.items() if not key[0]}, line, column)
        if parent is None:
            self.root = element
        else:
            parent.children.append(element)
        self.stack.append(element)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.stack and self.stack[-1] is not None:
            self.stack[-1].text.append(content)

    def position(self) -> tuple[int, int]:
        return _position(self.locator) if self.locator is not None else (1, 1)


class _Refused(Exception):
    """A limit of ours reached while parsing: the message and the position of the element."""

    def __init__(self, message: str, position: tuple[int, int]) -> None:
        super().__init__(message)
        self.message, self.position = message, position


def read_xml_document(path: Path, display: str) -> Document:
    """Parse a CycloneDX XML BOM into a Document shaped like the JSON BOM; raise InputError when the file is not
    well-formed XML or declares entities or an external DTD."""
    raw = read_bytes_bounded(path, display, MAX_FILE_BYTES)
    builder = _Builder()
    parser = defusedxml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setContentHandler(builder)
    try:
        parser.parse(io.BytesIO(raw))
    except xml.sax.SAXParseException as exc:
        raise _error(display, *_position(exc), f"not well-formed XML: {exc.getMessage()}") from None
    except defusedxml.EntitiesForbidden as exc:
        message = f"entity declaration {exc.name!r} refused (entity expansion and external entities are not read)"
        raise _error(display, *builder.position(), message) from None
    except defusedxml.ExternalReferenceForbidden as exc:
        message = f"external reference {exc.sysid!r} refused (external DTDs and entities are not fetched)"
        raise _error(display, *builder.position(), message) from None
    except _Refused as exc:
        raise _error(display, *exc.position, exc.message) from None
    positions: dict[DataPath, tuple[int, int]] = {}
    root = builder.root
    data: dict[str, Any] = {}
    if root is not None and root.name == "bom" and builder.namespace.startswith(NAMESPACE):
        data = {"bomFormat": "CycloneDX", "specVersion": builder.namespace[len(NAMESPACE) :]}
        data.update(_object(root, (), positions))
        positions[("specVersion",)] = positions[()] = (root.line, root.column)
    elif root is not None:
        positions[()] = (root.line, root.column)
    return Document(display, data, _positions=positions)


def _position(locator: Locator | xml.sax.SAXParseException) -> tuple[int, int]:
    """1-based line and column (expat counts columns from 0)."""
    return locator.getLineNumber() or 1, (locator.getColumnNumber() or 0) + 1


def _error(display: str, line: int, column: int, message: str) -> InputError:
    return InputError([InputIssue(SourceLocation(display, line, column), "$", message)])


def _value(element: _Element, path: DataPath, positions: dict[DataPath, tuple[int, int]]) -> Any:
    positions[path] = (element.line, element.column)
    if element.name in _WRAPPERS:
        return [_item(child, (*path, index), positions) for index, child in enumerate(element.children)]
    if not element.children and not element.attributes:
        return "".join(element.text).strip()
    return _object(element, path, positions)


def _item(element: _Element, path: DataPath, positions: dict[DataPath, tuple[int, int]]) -> Any:
    """One entry of a wrapper's array: the elements whose JSON object takes an attribute and the text."""
    if element.name in _TEXT_ITEMS:
        positions[path] = (element.line, element.column)
        key, text = _TEXT_ITEMS[element.name]
        return {key: element.attributes.get(key, ""), text: "".join(element.text).strip()}
    if element.name == "ref":
        positions[path] = positions[(*path, "ref")] = (element.line, element.column)
        return {"ref": "".join(element.text).strip()}
    return _value(element, path, positions)


def _object(element: _Element, path: DataPath, positions: dict[DataPath, tuple[int, int]]) -> dict[str, Any]:
    out: dict[str, Any] = {key: value for key, value in element.attributes.items()}
    for child in element.children:
        if child.name in _REPEATED:
            items = out.setdefault(child.name, [])
            items.append(_value(child, (*path, child.name, len(items)), positions))
        else:
            out[child.name] = _value(child, (*path, child.name), positions)
    text = "".join(element.text).strip()
    if text and not element.children:  # an attachment: `<image encoding="base64">...</image>`
        out["content"] = text
    return out
