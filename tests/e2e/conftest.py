"""End-to-end fixtures: the real `aisms` CLI sets up and serves a data directory; headless Chromium drives it.

One server per test session (the e2e tests share an xdist group, so they run in one worker). The server is
prepared exactly as a user would: `aisms init`, `aisms demo`, `aisms serve`, with the passwords read from what
the CLI prints.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

REPO_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_DIR / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT_S = 30
DEMO_USERS = ("amira", "daniel", "sofia", "tom")


@dataclass
class AismsServer:
    base_url: str
    passwords: dict[str, str] = field(default_factory=dict)
    data_dir: Path | None = None

    def url(self, path: str) -> str:
        return self.base_url + path


def _cli_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["AISMS_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _run_cli(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "aisms.cli", *args],
        env=env,
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=600,  # init and demo take a while on a busy two-core machine
        check=False,
    )
    assert done.returncode == 0, f"aisms {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def parse_admin_password(stdout: str) -> tuple[str, str]:
    """The user name and password `aisms init` prints for the first administrator."""
    user = re.search(r"^  user name: (\S+)$", stdout, re.MULTILINE)
    password = re.search(r"^  password:  (\S+)$", stdout, re.MULTILINE)
    assert user, f"no administrator user name in the output of aisms init:\n{stdout}"
    assert password, f"no administrator password in the output of aisms init:\n{stdout}"
    return user.group(1), password.group(1)


def parse_demo_logins(stdout: str) -> dict[str, str]:
    """User name -> password from the table `aisms demo` prints after 'Demo logins (shown once):'."""
    marker = "Demo logins (shown once):"
    assert marker in stdout, f"no demo logins in the output of aisms demo:\n{stdout}"
    logins = {}
    for line in stdout.split(marker, 1)[1].splitlines():
        if not line.startswith("  ") or not line.strip():
            continue
        words = line.split()
        logins[words[0]] = words[-1]
    return logins


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_error = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"aisms serve exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own local server
                if response.status == 200:
                    return
                last_error = f"status {response.status}"
        except urllib.error.HTTPError as exc:
            last_error = f"status {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(exc)
        time.sleep(0.2)
    pytest.fail(
        f"aisms serve did not answer 200 at {url} within {STARTUP_TIMEOUT_S}s ({last_error}):\n"
        f"{log.read_text(errors='replace')}"
    )


@pytest.fixture(scope="session")
def aisms_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AismsServer]:
    """A real `aisms serve` on a free local port, over a data directory set up by `aisms init` and `demo`."""
    data_dir = tmp_path_factory.mktemp("aisms-e2e-data")
    env = _cli_env(data_dir)
    admin, admin_password = parse_admin_password(_run_cli(["init"], env))
    passwords = {admin: admin_password, **parse_demo_logins(_run_cli(["demo"], env))}
    assert sorted(passwords) == sorted(["admin", *DEMO_USERS]), passwords

    port = _free_port()
    log = data_dir / "serve.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "aisms.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=REPO_DIR,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url + "/login/", process, log)
        yield AismsServer(base_url=base_url, passwords=passwords, data_dir=data_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context per test; its final state is saved to test-artifacts/e2e/<test name>.png."""
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        # The screenshot is an artefact for people, not an assertion: a dead page must not hide the failure.
        with contextlib.suppress(PlaywrightError):
            tab.screenshot(path=str(ARTIFACTS_DIR / f"{request.node.name}.png"), full_page=True)
        context.close()


def login(page: Page, server: AismsServer, username: str, password: str | None = None) -> None:
    """Log in through the login form and wait for the home page."""
    page.goto(server.url("/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password if password is not None else server.passwords[username])
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(server.url("/"))


def open_from_menu(page: Page, label: str) -> None:
    """Follow a link of the main menu, opening its group first when it sits in one."""
    nav = page.get_by_role("navigation", name="Main")
    link = nav.get_by_role("link", name=label, exact=True, include_hidden=True)
    if not link.is_visible():
        link.locator("xpath=ancestor::details[1]/summary").click()
    link.click()


def open_account_menu(page: Page) -> None:
    """Open the signed-in user's menu (API tokens, background jobs, log out) in the page header."""
    menu = page.locator("header .user-menu details.account")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()


def log_out(page: Page) -> None:
    open_account_menu(page)
    page.get_by_role("button", name="Log out").click()
