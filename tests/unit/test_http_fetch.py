"""The one HTTP client: allow-list, schemes, size limits, timeouts, redirects, streaming to a file."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aisms.net.http_fetch import FetchError, FetchPolicy, fetch, fetch_to_file

BODY = b"x" * 10_000


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        if self.path == "/ok":
            self._send(200, BODY)
        elif self.path == "/big-undeclared":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"y" * 5000)
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(200, b"late")
        elif self.path == "/redirect-away":
            self.send_response(302)
            self.send_header("Location", "http://example.org/elsewhere")
            self.end_headers()
        elif self.path == "/redirect-home":
            self.send_response(302)
            self.send_header("Location", "/ok")
            self.end_headers()
        else:
            self._send(404, b"nope")

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        data = self.rfile.read(length)
        self._send(200, b"echo:" + data + b":" + self.headers.get("X-Test", "").encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


LOCAL = FetchPolicy(allowed_hosts=frozenset({"127.0.0.1"}), timeout_s=5)


def test_fetches_from_an_allowed_host_and_sends_headers_and_body(server: str) -> None:
    assert fetch(f"{server}/ok", LOCAL).body == BODY
    echoed = fetch(f"{server}/post", LOCAL, method="POST", data=b"hi", headers={"X-Test": "v"})
    assert echoed.status == 200
    assert echoed.body == b"echo:hi:v"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://example.org/feed.json", "not on the allow-list"),
        ("file:///etc/passwd", "scheme 'file' is not allowed"),
        ("ftp://127.0.0.1/x", "scheme 'ftp' is not allowed"),
        ("http://user:pw@127.0.0.1/x", "credentials in the URL"),
        ("http:///nohost", "names no host"),
    ],
)
def test_refuses_what_the_policy_does_not_allow(url: str, reason: str) -> None:
    with pytest.raises(FetchError, match=reason) as caught:
        fetch(url, LOCAL)
    assert caught.value.url == url


def test_wildcard_subdomains() -> None:
    policy = FetchPolicy(allowed_hosts=frozenset({"*.example.org"}))
    assert policy.allows("feeds.example.org")
    assert not policy.allows("example.org.evil.net")


def test_size_limits_hold_for_declared_and_undeclared_lengths(server: str) -> None:
    small = FetchPolicy(allowed_hosts=frozenset({"127.0.0.1"}), max_bytes=1000)
    with pytest.raises(FetchError, match="10000 bytes exceeds the 1000 byte limit"):
        fetch(f"{server}/ok", small)
    with pytest.raises(FetchError, match="exceeds the 1000 byte limit"):
        fetch(f"{server}/big-undeclared", small)


def test_http_errors_timeouts_and_redirects(server: str) -> None:
    with pytest.raises(FetchError, match="HTTP 404") as caught:
        fetch(f"{server}/missing", LOCAL)
    assert caught.value.status == 404
    impatient = FetchPolicy(allowed_hosts=frozenset({"127.0.0.1"}), timeout_s=0.3)
    with pytest.raises(FetchError, match=r"within 0\.3 s|stalled"):
        fetch(f"{server}/slow", impatient)
    with pytest.raises(FetchError, match="not on the allow-list"):
        fetch(f"{server}/redirect-away", LOCAL)
    assert fetch(f"{server}/redirect-home", LOCAL).body == BODY


def test_streams_to_a_file_with_progress_and_leaves_nothing_on_failure(server: str, tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    dest = tmp_path / "feed.bin"
    assert fetch_to_file(f"{server}/ok", LOCAL, dest, progress=lambda d, t: seen.append((d, t))) == len(BODY)
    assert dest.read_bytes() == BODY
    assert seen[-1] == (len(BODY), len(BODY))
    small = FetchPolicy(allowed_hosts=frozenset({"127.0.0.1"}), max_bytes=1000)
    with pytest.raises(FetchError):
        fetch_to_file(f"{server}/big-undeclared", small, tmp_path / "big.bin")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.bin"]
