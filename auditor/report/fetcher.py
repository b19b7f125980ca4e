"""The only way the PDF renderer may load a resource: files of the report's own template folder.

Anything else (http:, https:, data:, file: outside the folder, unknown schemes) stops the
rendering with FatalURLFetchingError, so a stray URL can never reach the network or the disk.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse


class ForbiddenResource(FatalURLFetchingError):
    """A resource outside the template pack was requested."""


class PackageFetcher(URLFetcher):
    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=True)
        self.root = root.resolve()
        self.requested: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        self.requested.append(url)
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
            raise ForbiddenResource(f"the report may not load {url!r}")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ForbiddenResource(f"the report may not load {url!r}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})
