"""Certificate bytes: in the database by default, or files under CERTIFICATES_DIR."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.store.models import Certificate


async def write_certificate_file(folder: Path, owner_id: int, sha256: str, data: bytes) -> str:
    """Store bytes under ``folder/<owner>/<sha256>``; returns the path to record."""

    def _write() -> str:
        target = folder / str(owner_id) / sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            temporary = target.with_suffix(".part")
            temporary.write_bytes(data)
            temporary.replace(target)  # atomic: a crash never leaves half a certificate
        return str(target)

    return await asyncio.to_thread(_write)


async def certificate_bytes(certificate: Certificate) -> bytes:
    if certificate.content is not None:
        return certificate.content
    if certificate.storage_path:
        path = Path(certificate.storage_path)
        return await asyncio.to_thread(path.read_bytes)
    return b""


async def delete_certificate_files(certificates: list[Certificate]) -> None:
    paths = [Path(c.storage_path) for c in certificates if c.storage_path]

    def _delete() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    if paths:
        await asyncio.to_thread(_delete)
