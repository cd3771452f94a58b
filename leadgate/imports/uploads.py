"""Uploaded import files: storing them (size-limited) in the import folder, and cleanup.

An import job deletes its upload when the import ends; a web dry run keeps its
file so that "Run the import" can reuse it. Files of dry runs
nobody ran, of crashed processes, or of failed imports nobody resumed stay:
`cleanup_uploads` deletes those older than a given age, never the file of a
pending or running import.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.core.errors import Forbidden, ValidationFailed
from leadgate.core.ids import new_id
from leadgate.imports.models import ImportJob
from leadgate.security.access import Actor
from leadgate.security.roles import Depth, Op, depth

BUSY = ("pending", "running")
SUFFIXES = (".csv", ".xlsx", ".txt")
_CHUNK = 1024 * 1024


def store_upload(source: BinaryIO, filename: str | None, folder: Path, limit: int) -> Path:
    """Copy an uploaded file to a new name in `folder`, refusing it past `limit` bytes
    (nothing is left behind then). The client's name only lends a known suffix."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(filename or "").suffix.lower()[:8]
    target = folder / f"{new_id()}{suffix if suffix in SUFFIXES else ''}"
    size = 0
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                out.close()
                target.unlink(missing_ok=True)
                raise ValidationFailed.on("file", f"larger than the {limit} bytes accepted")
            out.write(chunk)
    return target


def is_upload(file_path: str | Path, folder: Path) -> bool:
    """Whether an import reads a file we stored (ours to delete when it ends), not a file
    of the user's own that the CLI imported where it lies."""
    return Path(file_path).resolve().parent == folder.resolve()


def cleanup_uploads(
    session: Session, actor: Actor, folder: Path, older_than: timedelta
) -> list[Path]:
    """Delete the files in `folder` last written before `older_than` ago that no
    pending or running import reads; the files deleted."""
    if depth(actor.role, "import_job", Op.DELETE) is not Depth.ALL:
        raise Forbidden("only an administrator or manager may clean up the import folder")
    if older_than < timedelta(0):
        raise ValidationFailed.on("older_than", "must not be negative")
    if not folder.is_dir():
        return []
    busy = {
        Path(p).resolve()
        for p in session.scalars(select(ImportJob.file_path).where(ImportJob.state.in_(BUSY)))
    }
    cutoff = time.time() - older_than.total_seconds()
    removed: list[Path] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.resolve() in busy or path.stat().st_mtime >= cutoff:
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed
