"""Bot API request parameters from JSON, form-encoded, multipart or query-string requests.

Why: PTB sends form data whose non-string values are JSON-encoded, multipart for uploads and
no body at all for getMe; other clients send JSON. Handlers should not care which.
python-multipart is not a dependency, so multipart is parsed with the stdlib email parser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl

from bot.sandbox.records import ApiError, bad_request


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    file_name: str | None
    data: bytes
    mime_type: str | None


def parse_multipart(
    body: bytes, content_type: str
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Split a multipart/form-data body into text fields and file parts."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise bad_request("can't parse multipart request")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        file_name = part.get_filename()
        if file_name is not None or part.get_content_type() not in ("text/plain",):
            files[name] = UploadedFile(file_name, data, part.get_content_type())
        else:
            fields[name] = data.decode("utf-8", errors="replace")
    return fields, files


class Params:
    """Typed access to request parameters, raising Telegram-style 400s."""

    def __init__(self, values: dict[str, Any], files: dict[str, UploadedFile] | None = None):
        self.values = values
        self.files = files or {}

    @classmethod
    def from_request(cls, body: bytes, content_type: str, query: str = "") -> Params:
        values: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        files: dict[str, UploadedFile] = {}
        kind = content_type.split(";")[0].strip().lower()
        if not body.strip():
            pass
        elif kind == "application/json":
            try:
                decoded = json.loads(body)
            except ValueError as exc:
                raise bad_request("can't parse JSON body") from exc
            if not isinstance(decoded, dict):
                raise bad_request("JSON body must be an object")
            values.update(decoded)
        elif kind == "multipart/form-data":
            fields, files = parse_multipart(body, content_type)
            values.update(fields)
        else:
            values.update(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        return cls(values, files)

    def __contains__(self, name: str) -> bool:
        return name in self.values or name in self.files

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def string(self, name: str, *, missing: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if missing:
                raise bad_request(missing)
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, *, missing: str | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if missing:
                raise bad_request(missing)
            return None
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise bad_request(f"invalid {name} specified") from exc

    def number(self, name: str, *, missing: str | None = None) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            if missing:
                raise bad_request(missing)
            return None
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise bad_request(f"invalid {name} specified") from exc

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def json(self, name: str, *, error: str = "can't parse JSON object") -> Any:
        """A JSON-valued parameter, decoded if it arrived as a string (form data)."""
        value = self.values.get(name)
        if isinstance(value, str):
            if not value:
                return None
            try:
                return json.loads(value)
            except ValueError as exc:
                raise bad_request(error) from exc
        return value

    def file(self, name: str) -> UploadedFile | str | None:
        """An uploaded file part, or the string given (file_id / URL); ``attach://`` resolved."""
        if name in self.files:
            return self.files[name]
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            attached = self.files.get(value.removeprefix("attach://"))
            if attached is None:
                raise ApiError(400, f"Bad Request: file {value} not found in the request")
            return attached
        return value if isinstance(value, str) and value else None
