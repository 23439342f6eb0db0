"""Evidence upload rules: allowed types by extension and by content, safe names, size limit."""

from __future__ import annotations

import io
import zipfile

import pytest

from aisms.domain.compliance.evidence_files import EvidenceFileError, check_upload, sanitise_filename

LIMIT = 10_000


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"%PDF-1.7 ..."),
        ("shot.PNG", b"\x89PNG\r\n\x1a\nrest"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0rest"),
        ("notes.md", "# Überblick\n".encode()),
        ("data.csv", b"a,b\n1,2\n"),
        ("scan.sarif", b'{"version": "2.1.0"}'),
        ("sheet.xlsx", _zip(["[Content_Types].xml", "xl/workbook.xml"])),
        ("bundle.zip", _zip(["a.txt"])),
    ],
)
def test_accepted(name: str, content: bytes) -> None:
    checked = check_upload(name, content, LIMIT)
    assert checked.name == name


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("evil.exe", b"MZ....", "not accepted"),
        ("evil.html", b"<script>", "not accepted"),
        ("fake.pdf", b"<html>not a pdf", "not a valid .pdf"),
        ("fake.png", b"%PDF-1.4", "not a valid .png"),
        ("fake.docx", _zip(["word.txt"]), "not a valid .docx"),
        ("binary.txt", b"abc\x00def", "not a valid .txt"),
        ("broken.json", b"{not json", "not a valid .json"),
        ("latin1.csv", "caf\xe9".encode("latin-1"), "not a valid .csv"),
        ("empty.pdf", b"", "empty"),
        ("big.txt", b"a" * (LIMIT + 1), "limit"),
        ("noextension", b"hello", "not accepted"),
    ],
)
def test_refused(name: str, content: bytes, reason: str) -> None:
    with pytest.raises(EvidenceFileError, match=reason):
        check_upload(name, content, LIMIT)


def test_sanitise_filename() -> None:
    assert sanitise_filename("../../etc/passwd") == "passwd"
    assert sanitise_filename("C:\\Users\\x\\Prüfbericht 2026.pdf") == "Prufbericht_2026.pdf"
    assert sanitise_filename("..") == "evidence"
    assert sanitise_filename('a<b>"c|d.txt') == "a_b_c_d.txt"
    long = sanitise_filename("x" * 300 + ".pdf")
    assert len(long) == 120
    assert long.endswith(".pdf")
