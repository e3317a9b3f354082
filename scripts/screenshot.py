"""Make the README's picture of the HTML report: a real headless Chromium run.

    .venv/bin/python scripts/screenshot.py            # writes docs/html-report.png

Needs Debian's ``chromium`` (``apt-get install chromium``; a CJK font such as
``fonts-noto-cjk`` for the Chinese) and the ``playwright`` package from ``.[test]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="samples/hanyin-2022q4", help="relative to the repository")
    parser.add_argument("--out", default=str(ROOT / "docs" / "html-report.png"))
    parser.add_argument("--height", type=int, default=2300, help="CSS pixels of the page to show")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("no chromium: apt-get install chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "report.html"
        cli = [sys.executable, "-m", "houfu_check", "report", args.data, "-f", "html", "--lang", "zh"]
        done = subprocess.run([*cli, "-o", str(page_file)], check=False, cwd=ROOT)
        if done.returncode not in (0, 1):
            return done.returncode
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
            page = browser.new_page(viewport={"width": 1000, "height": args.height}, device_scale_factor=1)
            page.goto(page_file.as_uri(), wait_until="load")
            page.screenshot(path=args.out, clip={"x": 0, "y": 0, "width": 1000, "height": args.height})
            browser.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
