"""Uploaded import files left in the import folder, and their cleanup.

The API deletes an upload when its import ends and the web deletes it when an
import ends or a dry run ends without being runnable; a completed web dry run
keeps its file so that "Run the import" can reuse it. Files of dry runs
nobody ran, of crashed processes, or of failed imports nobody resumed stay:
`cleanup_uploads` deletes those older than a given age, never the file of a
pending or running import.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.core.errors import Forbidden, ValidationFailed
from leadgate.imports.models import ImportJob
from leadgate.security.access import Actor
from leadgate.security.roles import Depth, Op, depth

BUSY = ("pending", "running")


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
