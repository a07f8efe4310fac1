"""Headless Debian chromium for the browser tests and the README screenshot.

    python -m tests.helpers.chromium reports/seed/report.html docs/report.png

Every call uses a fresh profile folder and the flags that keep chromium off the
network (no sync, no component updates, no background requests).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
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


def url_of(path: Path, fragment: str = "") -> str:
    return path.resolve().as_uri() + (f"#{fragment}" if fragment else "")


def dump_dom(path: Path, fragment: str = "") -> str:
    """The DOM after the page's scripts ran, serialised."""
    return run(url_of(path, fragment), "--dump-dom")


def screenshot(path: Path, png: Path, size: str = "1200,900", fragment: str = "") -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    run(url_of(path, fragment), f"--screenshot={png.resolve()}", f"--window-size={size}")
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
    a = ap.parse_args()
    if not available() and not shutil.which("chromium"):
        raise SystemExit(f"{CHROMIUM} is absent: apt-get install -y chromium")
    shrink(screenshot(a.report, a.png, a.size, a.fragment))


if __name__ == "__main__":
    main()
