"""The demo page and a headless Chromium for the widget tests."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Playwright

from tests.servers import ROOT, process, wait_until_up

# Without these, Chromium calls Google's hosts at start-up (refused offline).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


@contextmanager
def demo_page(origin: str, socket_url: str, workdir: Path) -> Iterator[str]:
    """scripts/serve_web.py on the origin's port, as `make run` starts it."""
    port = str(urlsplit(origin).port)
    args = [
        sys.executable, str(ROOT / "scripts" / "serve_web.py"),
        "--port", port, "--socket-url", socket_url,
    ]  # fmt: skip
    with process(args, workdir / "web.log", env={}) as server:
        wait_until_up(f"{origin}/", server, workdir / "web.log")
        yield f"{origin}/"


def chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium: Playwright never downloads a browser here."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError(
            "Chromium is missing: `make install` installs Debian's chromium "
            "package (or run: sudo apt-get install chromium)."
        )
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
