"""Headless Debian chromium for the browser tests and the README screenshot.

    python -m tests.helpers.chromium reports/seed/report.html docs/report.png

Every call uses a fresh profile folder and the flags that keep chromium off the
network (no QUIC, no sync, no component updates, no background requests).
:func:`browser` drives the same chromium through Playwright for Python
(``executable_path``: Playwright's own browser download is never used).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def available() -> bool:
    return Path(CHROMIUM).is_file()


def run(url: str, *args: str, timeout: float = 90) -> str:
    if not available():
        raise RuntimeError(f"{CHROMIUM} is absent; install it with apt-get install -y chromium")
    with tempfile.TemporaryDirectory(prefix="mtqa-chromium-") as profile:
        proc = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, url],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"chromium exited {proc.returncode}: {proc.stderr[-2000:]}")
    return proc.stdout


@contextmanager
def browser(download_dir: Path | None = None) -> Iterator[Any]:
    """A Playwright persistent context on Debian's chromium, with a fresh profile folder.

    ``accept_downloads`` is on (``page.expect_download()`` captures an export). The profile
    (and with it localStorage) lives until the context closes: a ``page.reload()`` keeps it.
    """
    from playwright.sync_api import sync_playwright

    if not available():
        raise RuntimeError(f"{CHROMIUM} is absent; install it with apt-get install -y chromium")
    args = [f for f in FLAGS if f != "--headless"]  # Playwright adds --headless itself
    with (
        tempfile.TemporaryDirectory(prefix="mtqa-chromium-") as profile,
        sync_playwright() as pw,
    ):
        ctx = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=args,
            accept_downloads=True,
            downloads_path=str(download_dir) if download_dir else None,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield ctx
        finally:
            ctx.close()


def url_of(path: Path, fragment: str = "") -> str:
    return path.resolve().as_uri() + (f"#{fragment}" if fragment else "")


def dump_dom(path: Path, fragment: str = "") -> str:
    """The DOM after the page's scripts ran, serialised."""
    return run(url_of(path, fragment), "--dump-dom")


def screenshot(path: Path, png: Path, size: str = "1200,900", fragment: str = "") -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    run(url_of(path, fragment), f"--screenshot={png.resolve()}", f"--window-size={size}")
    return png


def screenshot_after_keys(path: Path, png: Path, keys: str, size: str, fragment: str = "") -> Path:
    """A screenshot after pressing ``keys`` (one character each) on the page (Playwright)."""
    width, height = (int(x) for x in size.split(","))
    png.parent.mkdir(parents=True, exist_ok=True)
    with browser() as ctx:
        page = ctx.new_page()
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url_of(path, fragment))
        for k in keys:
            page.keyboard.press(k)
        page.screenshot(path=str(png))
    return png


def shrink(png: Path, colours: int = 256) -> None:
    """Quantise to a palette PNG (a page screenshot has few colours): about half the size."""
    from PIL import Image

    with Image.open(png) as im:
        small = im.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
    small.save(png, optimize=True)


def main() -> None:
    ap = argparse.ArgumentParser(description="screenshot a report.html with headless chromium")
    ap.add_argument("report", type=Path)
    ap.add_argument("png", type=Path)
    ap.add_argument("--size", default="1200,900")
    ap.add_argument("--fragment", default="", help="view state, e.g. flagged=1&sort=worst")
    ap.add_argument("--keys", default="", help="keys to press first (Playwright), e.g. jcj")
    a = ap.parse_args()
    if not available() and not shutil.which("chromium"):
        raise SystemExit(f"{CHROMIUM} is absent: apt-get install -y chromium")
    if a.keys:
        shrink(screenshot_after_keys(a.report, a.png, a.keys, a.size, a.fragment))
    else:
        shrink(screenshot(a.report, a.png, a.size, a.fragment))


if __name__ == "__main__":
    main()
