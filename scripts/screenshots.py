"""Take screenshots of aisms pages for a look before calling a screen done.

usage: python scripts/screenshots.py BASE_URL USER PASSWORD OUT_DIR PATH [PATH ...]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def main() -> int:
    base, user, password, out, *paths = sys.argv[1:]
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 800})
        page.goto(f"{base}/login/")
        page.fill("#id_username", user)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        for path in paths:
            page.goto(f"{base}{path}")
            name = path.strip("/").replace("/", "_").replace(":", "-").replace("?", "_") or "home"
            page.screenshot(path=str(out_dir / f"{name}.png"), full_page=os.environ.get("SHOT_FULL", "1") == "1")
            print(out_dir / f"{name}.png")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
