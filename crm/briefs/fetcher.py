"""The only way a brief reaches outside its HTML: our static files and the brief font, nothing else."""

import mimetypes
import os
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse


class StaticFilesFetcher(URLFetcher):
    """Serve file: URLs inside the allowed folders (and the allowed single files); refuse all else.

    A company name can never pull in a remote image or a local file: templates escape what users
    typed, and anything that still slips through is refused here (WeasyPrint logs it and goes on).
    """

    def __init__(self, folders=(), files=(), **kwargs):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, **kwargs)
        self._folders = tuple(os.path.realpath(f) for f in folders)
        self._files = frozenset(os.path.realpath(f) for f in files if f)

    def allows(self, path: str) -> bool:
        real = os.path.realpath(path)
        return real in self._files or any(real.startswith(folder + os.sep) for folder in self._folders)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"Briefs only load our own static files, not {url[:100]}")
        path = url2pathname(parts.path)
        if not self.allows(path) or not os.path.isfile(path):
            raise ValueError(f"Briefs only load our own static files, not {url[:100]}")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(Path(path).as_uri(), Path(path).read_bytes(),
                                  headers={"Content-Type": content_type})
