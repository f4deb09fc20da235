"""Docker HEALTHCHECK probe with the standard library only (slim images have no curl): exit 0 iff /health is 200.

Run: ``python -m fraudkit.serving.healthcheck [URL]`` (default http://127.0.0.1:8502/health).
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8502/health"


def probe(url: str = DEFAULT_URL, timeout: float = 4.0) -> bool:
    """True when ``url`` answers 200 within ``timeout`` seconds."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


if __name__ == "__main__":
    sys.exit(0 if probe(*sys.argv[1:2]) else 1)
