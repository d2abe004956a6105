"""File values without a filename are typed from their bytes, as Notify does with libmagic (pure, no I/O)."""
from __future__ import annotations

import io
import zipfile

import pytest

from notify_api.documents.files import EXTENSION_TO_MIMETYPE, retention_weeks, sniff_mimetype


def zipped(*names: str, mimetype: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if mimetype is not None:
            archive.writestr("mimetype", mimetype)
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(("content", "expected"), [
    (b"%PDF-1.4", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n....", "image/png"),
    (b"\xff\xd8\xff\xe0", "image/jpeg"),
    (b"{\\rtf1 hello}", "text/rtf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "application/msword"),
    (zipped("word/document.xml"), EXTENSION_TO_MIMETYPE["docx"]),
    (zipped("xl/workbook.xml"), EXTENSION_TO_MIMETYPE["xlsx"]),
    (zipped("content.xml", mimetype="application/vnd.oasis.opendocument.text"), EXTENSION_TO_MIMETYPE["odt"]),
    (zipped("anything.bin"), "application/zip"),
    (b'{"a": [1, 2]}', "application/json"),
    (b"{not json", "text/plain"),
    ("héllo\n".encode(), "text/plain"),
    (b"\x00\x01\x02", "application/octet-stream"),
    (b"\xff\xfe\xfa", "application/octet-stream"),
])
def test_sniffing(content, expected):
    assert sniff_mimetype(content) == expected


def test_is_csv_makes_text_a_csv():
    assert sniff_mimetype(b"a,b\n1,2\n", is_csv=True) == "text/csv"


@pytest.mark.parametrize(("value", "weeks"), [
    ("1 week", 1), ("26 weeks", 26), (" 78 Weeks ", 78), ("0 weeks", None), ("79 weeks", None),
    ("1 month", None), (4, None), (None, None),
])
def test_retention_periods(value, weeks):
    assert retention_weeks(value) == weeks
