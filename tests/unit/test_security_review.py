"""Regression tests from the security review (pure code, no database): ReDoS in the secret rules, special
files in a scanned tree, absurdly nested JSON in uploads and AI config files, and credentials on redirects."""

from __future__ import annotations

import os
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aisms.catalogue.secure_coding_rules import load_rules
from aisms.domain.compliance.evidence_files import EvidenceFileError, check_upload
from aisms.domain.devsec import agent_config
from aisms.domain.devsec.policy import default_policy
from aisms.domain.devsec.sarif_import import SarifImportError, parse_sarif
from aisms.domain.devsec.text_rules import TextFile, find_secrets
from aisms.domain.devsec.tree import read_tree
from aisms.net.http_fetch import FetchError, FetchPolicy, _PolicyRedirects, fetch

DEEP_JSON = "[" * 200_000 + "]" * 200_000

# --- ReDoS: the secret rules run on untrusted file content (a repository's CLAUDE.md, .cursorrules ...)


@pytest.mark.parametrize("unit", ["a.", "a-", "1.", "sk-"])
def test_secret_rules_stay_linear_on_long_runs_of_name_characters(unit: str) -> None:
    # Before the fix both the KEY=value rule and the "password in a URL" rule backtracked from every word
    # boundary of such a run: 8,000 characters took ~4.6 s, a 1 MB file hours.
    text = unit * (60_000 // len(unit))
    file = TextFile("CLAUDE.md", text, "claude-code", "instructions")
    started = time.perf_counter()
    list(find_secrets(file, load_rules(), default_policy()))
    assert time.perf_counter() - started < 2.0


def test_secret_rules_still_find_assignments_and_url_passwords() -> None:
    # With the default policy: its placeholder "***" used to be a glob matching every value, so no
    # KEY=value secret was ever reported.
    text = (
        "config.api_key = 'Zx8qLm2Rt7Vw4Kp9Yh3N'\n"
        "x-auth-token: Qm7Zr2Lw9Xt4Vb8Nc3Kd\n"
        "ENV_NAME=production-only\n"  # not a secret's name
        "db: postgres://app:S3cr3tPassw0rd@db.example.com/app\n"
    )
    file = TextFile("CLAUDE.md", text, "claude-code", "instructions")
    messages = [f.message for f in find_secrets(file, load_rules(), default_policy())]
    assert any("config.api_key" in m for m in messages)
    assert any("x-auth-token" in m for m in messages)
    assert any("Password in a URL" in m for m in messages)
    assert not any("ENV_NAME" in m for m in messages)


# --- the tree walk: a FIFO (or device) named like an assistant file must not block the scan


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")
def test_read_tree_skips_a_fifo_instead_of_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "CLAUDE.md"
    os.mkfifo(fifo)
    (tmp_path / ".cursorrules").write_text("Always ask before running commands.\n", encoding="utf-8")
    result: dict[str, object] = {}
    worker = threading.Thread(
        target=lambda: result.update(tree=read_tree(tmp_path, load_rules())), daemon=True
    )
    worker.start()
    worker.join(5)
    if worker.is_alive():  # unblock the reader so the thread ends, then fail
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        worker.join(5)
        pytest.fail("read_tree blocked on a FIFO")
    tree = result["tree"]
    assert [c.path for c, _text in tree.files] == [".cursorrules"]  # type: ignore[attr-defined]


# --- absurdly nested JSON: a refused upload or an unreadable file, never a RecursionError (HTTP 500)


def test_deeply_nested_ai_config_is_reported_unreadable() -> None:
    file = TextFile(".mcp.json", DEEP_JSON, "claude-code", "mcp")
    with pytest.raises(agent_config.ConfigParseError):
        agent_config.load_structured(file)


def test_deeply_nested_sarif_is_refused() -> None:
    with pytest.raises(SarifImportError):
        parse_sarif(DEEP_JSON.encode(), "deep.sarif")


def test_deeply_nested_json_evidence_is_refused() -> None:
    with pytest.raises(EvidenceFileError):
        check_upload("deep.json", DEEP_JSON.encode(), 10_000_000)


# --- redirects: credentials never follow to another origin, and https never falls back to http


class _Echo(BaseHTTPRequestHandler):
    target = ""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/elsewhere":
            self._redirect(f"{_Echo.target}/echo")
        elif self.path == "/here":
            self._redirect("/echo")
        else:
            body = (self.headers.get("Authorization") or "-").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def two_servers() -> Iterator[tuple[str, str]]:
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Echo) for _ in range(2)]
    for httpd in servers:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    first, second = (f"http://127.0.0.1:{s.server_address[1]}" for s in servers)
    _Echo.target = second
    yield first, second
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_authorization_is_dropped_on_a_redirect_to_another_origin(two_servers: tuple[str, str]) -> None:
    first, _second = two_servers
    policy = FetchPolicy(allowed_hosts=frozenset({"127.0.0.1"}), timeout_s=5)
    headers = {"Authorization": "Bearer secret-token"}
    assert fetch(f"{first}/here", policy, headers=headers).body == b"Bearer secret-token"  # same origin
    assert fetch(f"{first}/elsewhere", policy, headers=headers).body == b"-"  # other port: other origin


def test_a_redirect_from_https_to_http_is_refused() -> None:
    handler = _PolicyRedirects(FetchPolicy(allowed_hosts=frozenset({"api.example.com"})))
    request = urllib.request.Request("https://api.example.com/v1", headers={"Authorization": "Bearer t"})
    with pytest.raises(FetchError, match="https to plain http"):
        handler.redirect_request(request, None, 302, "Found", {}, "http://api.example.com/v1")
    followed = handler.redirect_request(request, None, 302, "Found", {}, "https://api.example.com/v2")
    assert followed.get_header("Authorization") == "Bearer t"
