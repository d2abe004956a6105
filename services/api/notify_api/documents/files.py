"""What a send-a-file personalisation value must be, with Notify's messages (pure: no I/O).

A value is `{"file": <base64>, "filename"?, "confirm_email_before_download"?, "retention_period"?}` (older
clients send `is_csv` instead of a filename). The object's shape is checked first, with Notify's schema
messages ("retention_period Unsupported value for retention_period: ..."); then the file itself, with the
messages Notify relays from its document-download service ("File did not pass the virus scan",
"Unsupported file type ...").
"""
from __future__ import annotations

import base64
import binascii
import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from notify_shared.errors import BadRequestError

from ..schema_validation import FormatProblem, format_checker, validate

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILENAME_LENGTH = 100
DEFAULT_RETENTION_WEEKS = 26
MAX_RETENTION_WEEKS = 78

# notifications-utils file_types: what Notify lets services send.
EXTENSION_TO_MIMETYPE = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "txt": "text/plain",
    "json": "application/json",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "text/rtf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
MIMETYPE_TO_EXTENSION = {mimetype: ext for ext, mimetype in EXTENSION_TO_MIMETYPE.items() if ext != "jpg"}
SUPPORTED_TYPES = ", ".join(sorted(f"'.{ext}'" for ext in EXTENSION_TO_MIMETYPE))

# The EICAR anti-virus test file. No virus scanner runs here yet (docs/send-files-by-email.md); the test
# signature is refused so that the error path is real and testable end to end.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

RETENTION_PATTERN = re.compile(r"^(\d+) weeks?$")


@format_checker.checks("send_a_file_filename", raises=FormatProblem)
def _is_filename(instance: object) -> bool:
    if instance is None or (isinstance(instance, str) and "." in instance):
        return True
    raise FormatProblem("`filename` must end with a file extension. For example, filename.csv")


@format_checker.checks("send_a_file_is_csv", raises=FormatProblem)
def _is_csv_flag(instance: object) -> bool:
    if instance is None or isinstance(instance, bool):
        return True
    raise FormatProblem(f"Unsupported value for is_csv: {instance}. Use a boolean true or false value.")


@format_checker.checks("send_a_file_confirm_email_before_download", raises=FormatProblem)
def _is_confirm_flag(instance: object) -> bool:
    if instance is None or isinstance(instance, bool):
        return True
    raise FormatProblem(
        f"Unsupported value for confirm_email_before_download: {instance}. Use a boolean true or false value.")


@format_checker.checks("send_a_file_retention_period", raises=FormatProblem)
def _is_retention_period(instance: object) -> bool:
    if instance is None or retention_weeks(instance) is not None:
        return True
    raise FormatProblem(
        f"Unsupported value for retention_period: {instance}. Supported periods are from 1 to "
        f"{MAX_RETENTION_WEEKS} weeks.")


send_a_file = {
    "type": "object",
    "properties": {
        "file": {"type": "string"},
        "filename": {"format": "send_a_file_filename"},
        "is_csv": {"format": "send_a_file_is_csv"},
        "confirm_email_before_download": {"format": "send_a_file_confirm_email_before_download"},
        "retention_period": {"format": "send_a_file_retention_period"},
    },
    "required": ["file"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Upload:
    content: bytes
    mimetype: str
    # None when the caller gave none: the download is then named after the document id.
    filename: str | None
    confirm_email: bool
    retention_weeks: int

    @property
    def extension(self) -> str:
        return MIMETYPE_TO_EXTENSION[self.mimetype]


def is_file_value(value: Any) -> bool:
    """Notify's test: a personalisation value is a file upload if it is an object with a `file` key."""
    return isinstance(value, dict) and "file" in value


def retention_weeks(value: object) -> int | None:
    if not isinstance(value, str):
        return None
    match = RETENTION_PATTERN.match(value.strip().lower())
    if match and 1 <= int(match.group(1)) <= MAX_RETENTION_WEEKS:
        return int(match.group(1))
    return None


def check_shape(value: dict[str, Any]) -> None:
    """The schema check Notify runs on every file value before anything is uploaded."""
    validate(value, send_a_file)
    if value.get("is_csv") is not None and value.get("filename") is not None:
        raise BadRequestError("Do not set a value for `is_csv` if `filename` is set.")


def parse_upload(value: dict[str, Any]) -> Upload:
    """The checked file. `check_shape` must have passed."""
    try:
        content = base64.b64decode(value["file"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequestError("Document is not base64 encoded") from exc
    if len(content) > MAX_FILE_BYTES:
        raise BadRequestError("File is larger than 2MB")
    filename = value.get("filename")
    if filename is not None:
        filename = _checked_filename(filename)
    if EICAR in content:
        raise BadRequestError("File did not pass the virus scan")
    if filename is not None:
        # As Notify: a caller-named file is the type its extension says.
        mimetype = EXTENSION_TO_MIMETYPE[filename.rsplit(".", 1)[1].lower()]
    else:
        mimetype = sniff_mimetype(content, is_csv=bool(value.get("is_csv")))
        if mimetype not in MIMETYPE_TO_EXTENSION:
            raise BadRequestError(f"Unsupported file type '{mimetype}'. Supported types are: {SUPPORTED_TYPES}")
    confirm = value.get("confirm_email_before_download")
    weeks = retention_weeks(value.get("retention_period")) or DEFAULT_RETENTION_WEEKS
    return Upload(content=content, mimetype=mimetype, filename=filename,
                  confirm_email=confirm is not False, retention_weeks=weeks)


def _checked_filename(filename: str) -> str:
    if len(filename) > MAX_FILENAME_LENGTH:
        raise BadRequestError(f"`filename` cannot be longer than {MAX_FILENAME_LENGTH} characters")
    extension = filename.rsplit(".", 1)[1].lower()
    if extension not in EXTENSION_TO_MIMETYPE:
        raise BadRequestError(f"Unsupported file type '.{extension}'. Supported types are: {SUPPORTED_TYPES}")
    # The name goes into a Content-Disposition header: no path parts or control characters.
    cleaned = "".join(c for c in filename.replace("/", "_").replace("\\", "_") if c.isprintable())
    return cleaned


def sniff_mimetype(content: bytes, *, is_csv: bool = False) -> str:
    """The file's type from its first bytes, for files sent without a filename (Notify uses libmagic)."""
    if content.startswith(b"%PDF"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"{\\rtf"):
        return "text/rtf"
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"
    if content.startswith(b"PK\x03\x04"):
        return _zip_mimetype(content)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return "application/octet-stream"
    if text.lstrip().startswith(("{", "[")):
        try:
            json.loads(text)
            return "application/json"
        except ValueError:
            pass
    return "text/csv" if is_csv else "text/plain"


def _zip_mimetype(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared or "application/zip"
    except (zipfile.BadZipFile, OSError, ValueError):
        return "application/zip"
    if any(name.startswith("word/") for name in names):
        return EXTENSION_TO_MIMETYPE["docx"]
    if any(name.startswith("xl/") for name in names):
        return EXTENSION_TO_MIMETYPE["xlsx"]
    return "application/zip"
