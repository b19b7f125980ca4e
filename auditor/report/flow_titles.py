"""The data-flow map's column titles: at the top of their column, on one baseline across columns.

dot draws a cluster's label wherever the cluster happens to stand, so the titles of columns of
different heights would float at different heights, and a title inside the drawing can meet an
edge. The drawing is laid out without titles (each column only keeps an invisible node as wide as
its title); here every column's background is stretched to one top and one bottom, and the titles
are written into a band above the whole drawing, where no node, edge or label is.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont

TITLE_POINTS = 8
LINE_HEIGHT = 1.2 * TITLE_POINTS
BAND_PADDING = 4.0  # above and below the title lines
_COLUMN = re.compile(r'(<title>cluster_col(\d+)</title>\n<polygon fill="[^"]*" stroke="[^"]*" points=")([^"]*)"')
_BACKGROUND = re.compile(r'(<title>map</title>\n<polygon fill="white" stroke="none" points=")([^"]*)"')
_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"\n viewBox="0.00 0.00 ([\d.]+) ([\d.]+)"')
_SHAPE = re.compile(r' (?:points|d)="([^"]*)"')
_PAIR = re.compile(r"(-?[\d.]+),(-?[\d.]+)")
_TEXT_Y = re.compile(r'<text [^>]*y="(-?[\d.]+)"[^>]*font-size="([\d.]+)"')
_TRANSLATE = re.compile(r'(class="graph" transform="scale\(1 1\) rotate\(0\) translate\()([-\d.]+) ([-\d.]+)\)')


@functools.cache
def _font() -> tuple[dict[int, str], dict[str, tuple[int, int]], int]:
    """DejaVu Sans as matplotlib ships it: the report's font, whose advance widths dot also uses."""
    font = TTFont(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    return font.getBestCmap(), dict(font["hmtx"].metrics), font["head"].unitsPerEm


def text_width(text: str, points: float = TITLE_POINTS) -> float:
    """The printed width of one line of text in points."""
    cmap, advances, em = _font()
    return sum(advances[cmap.get(ord(c), ".notdef")][0] for c in text) / em * points


def _points(text: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (pair.split(",") for pair in text.split())]


def _extent(svg: str) -> tuple[float, float]:
    """The highest and lowest points anything is drawn at (graph y grows downwards): outlines,
    splines, text."""
    background = _BACKGROUND.search(svg)
    assert background is not None, "dot's SVG without its background"
    svg = svg[background.end() :]
    shapes = [float(y) for shape in _SHAPE.findall(svg) for _, y in _PAIR.findall(shape)]
    texts = [(float(y), float(size)) for y, size in _TEXT_Y.findall(svg)]
    return min(*shapes, *(y - size for y, size in texts)), max(*shapes, *(y + 0.3 * size for y, size in texts))


def _rectangle(left: float, top: float, right: float, bottom: float) -> str:
    corners = ((left, bottom), (left, top), (right, top), (right, bottom), (left, bottom))
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in corners)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def with_titles(svg: str, titles: dict[int, tuple[list[str], str]]) -> str:
    """dot's SVG with a title band on top and the columns stretched to one top and one bottom around
    everything drawn: `titles` maps a column index to its lines and colour."""
    size, translate = _SIZE.search(svg), _TRANSLATE.search(svg)
    assert size is not None and translate is not None, "not an SVG drawn by dot"
    width, height = float(size.group(1)), float(size.group(2))
    shift_x, shift_y = float(translate.group(2)), float(translate.group(3))
    columns = {int(m.group(2)): _points(m.group(3)) for m in _COLUMN.finditer(svg)}
    if not columns:
        return svg
    lines = max(len(titles[index][0]) for index in columns)
    band = lines * LINE_HEIGHT + 2 * BAND_PADDING
    content_top, content_bottom = _extent(svg)
    outlines = [y for points in columns.values() for _, y in points]
    top = min(content_top, *outlines) - band  # the band just above everything drawn, whatever margin dot left
    bottom = max(content_bottom + BAND_PADDING, *outlines)  # and the columns around what loops below them
    texts = []
    for index, points in sorted(columns.items()):
        left, right = min(x for x, _ in points), max(x for x, _ in points)
        title, colour = titles[index]
        for number, line in enumerate(title):
            baseline = top + BAND_PADDING + 0.93 * TITLE_POINTS + number * LINE_HEIGHT
            texts.append(
                f'<text text-anchor="middle" x="{(left + right) / 2:.2f}" y="{baseline:.2f}"'
                f' font-family="DejaVu Sans" font-size="{TITLE_POINTS:.2f}" fill="{colour}">{_escape(line)}</text>'
            )
        columns[index] = [(left, top + 1), (right, bottom)]

    def stretch(match: re.Match[str]) -> str:
        (left, top_), (right, bottom_) = columns[int(match.group(2))]
        return f'{match.group(1)}{_rectangle(left, top_, right, bottom_)}"'

    visible_bottom = max(height - shift_y, bottom + 1)
    new_height = visible_bottom - top
    svg = _COLUMN.sub(stretch, svg)
    svg = _BACKGROUND.sub(
        lambda m: f'{m.group(1)}{_rectangle(-shift_x, top, width - shift_x, visible_bottom)}"',
        svg,
        count=1,
    )
    svg = _TRANSLATE.sub(lambda m: f"{m.group(1)}{shift_x} {-top:.2f})", svg, count=1)
    svg = _SIZE.sub(
        f'<svg width="{width:g}pt" height="{new_height:.2f}pt"\n viewBox="0.00 0.00 {width:.2f} {new_height:.2f}"',
        svg,
        count=1,
    )
    closing = svg.rindex("</g>")
    return svg[:closing] + "\n".join(texts) + "\n" + svg[closing:]
