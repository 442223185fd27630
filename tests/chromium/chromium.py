"""What the Chromium checks share: how to find the browser and the flags that
run it headless on a machine without network access."""

from __future__ import annotations

import os
import shutil

# Headless, no GPU, and no background networking: without these Chromium
# tries to reach Google's hosts at every start.
HEADLESS_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium(explicit: str | None) -> str | None:
    """The first of `explicit`, $CHROMIUM and the usual names that is on PATH."""
    for c in (explicit, os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if c and shutil.which(c):
            return shutil.which(c)
    return None
