"""Render pages of a PDF report to PNG (pypdfium2, no system tools): `make report-image`.

Usage: python scripts/report_image.py REPORT.pdf OUT.png [PAGE ...]  (pages are 1-based; several
pages are placed side by side).
"""

from __future__ import annotations

import sys

import pypdfium2 as pdfium
from PIL import Image


def main(source: str, target: str, pages: list[int]) -> None:
    document = pdfium.PdfDocument(source)
    images = [document[page - 1].render(scale=1.4).to_pil() for page in pages]
    width = sum(image.width for image in images) + 12 * (len(images) - 1)
    height = max(image.height for image in images)
    sheet = Image.new("RGB", (width, height), "white")
    x = 0
    for image in images:
        sheet.paste(image, (x, 0))
        x += image.width + 12
    sheet.save(target, optimize=True)
    print(f"{target}: pages {pages} of {len(document)}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3:]] or [1])
