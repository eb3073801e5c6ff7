"""A local digest cache, so re-verifying an unchanged model takes milliseconds.

Trust trade-off (see docs/security.md): a cached digest is reused when the file's identity
(device, inode, size, mtime_ns, ctime_ns) and the byte range and hash algorithm are the
same. Anyone who can change a file *and* restore all five — ctime cannot be set by a normal
process — could make aibom skip re-hashing; `--no-cache` removes the trade-off.

The cache is one SQLite file in the user cache directory (WAL mode, so concurrent runs
are safe). A cache file that is corrupt, not ours (another owner) or writable by others is
ignored, never trusted. A file that changed while it was hashed is never stored, and neither
is a "racily clean" one: a file whose ctime or mtime lies within RACY_WINDOW_NS of the moment
its digest would be stored. The kernel stamps ctime from a coarse clock (one tick: 1-10 ms), so
a file written again within the tick of its last change keeps its ctime; a digest is only
remembered once the clock has moved on, so any later write shows as a new ctime (git's index
has the same rule).
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

SCHEMA_VERSION = 1
MIN_CACHED_BYTES = 1 << 20  # smaller ranges are cheaper to hash than to look up
RACY_WINDOW_NS = 100_000_000  # ten times the coarsest kernel tick (HZ=100), for clock slack

_COLUMNS = "dev, ino, size, mtime, ctime, algorithm, start, end_"
_CREATE = (
    f"CREATE TABLE IF NOT EXISTS digest ({_COLUMNS}, hex TEXT NOT NULL, PRIMARY KEY ({_COLUMNS}))"
)
_SELECT = (
    "SELECT hex FROM digest WHERE dev=? AND ino=? AND size=? AND mtime=? AND ctime=?"
    " AND algorithm=? AND start=? AND end_=?"
)

Key = tuple[int, int, int, int, int, str, int, int]  # identity + algorithm + start + end


def default_path() -> Path:
    override = os.environ.get("AIBOM_CACHE_DIR")
    if override:
        return Path(override) / "digests.sqlite"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("aibom")) / "digests.sqlite"


class DigestCache:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self._db: sqlite3.Connection | None = None
        self._opened = False

    def _connect(self) -> sqlite3.Connection | None:
        if self._opened:
            return self._db
        self._opened = True
        import sqlite3  # only when a big file is looked up: small models never open the cache

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if self.path.exists() and not _owned_privately(self.path):
                return None
            # used by one thread at a time, not always the one that opened it (the verify
            # pipeline hashes on its own thread)
            db = sqlite3.connect(
                self.path, timeout=5, isolation_level=None, check_same_thread=False
            )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                db.close()
                return None
            db.execute(_CREATE)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            os.chmod(self.path, 0o600)
            self._db = db
        except (sqlite3.Error, OSError):
            self._db = None
        return self._db

    def lookup(self, keys: Iterable[Key]) -> dict[Key, str]:
        wanted = list(keys)
        db = self._connect() if wanted else None  # no big file: no database to open
        if db is None:
            return {}
        import sqlite3

        found: dict[Key, str] = {}
        try:
            for key in wanted:
                row = db.execute(_SELECT, key).fetchone()
                if row and isinstance(row[0], str):
                    found[key] = row[0]
        except sqlite3.Error:
            return {}
        return found

    def store(self, entries: dict[Key, str]) -> None:
        settled_before = time.time_ns() - RACY_WINDOW_NS
        entries = {k: v for k, v in entries.items() if max(k[3], k[4]) < settled_before}
        db = self._connect() if entries else None
        if db is None:
            return
        import sqlite3

        try:
            db.execute("BEGIN")
            db.executemany(
                "INSERT OR REPLACE INTO digest VALUES (?,?,?,?,?,?,?,?,?)",
                [(*k, v) for k, v in entries.items()],
            )
            db.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _owned_privately(path: Path) -> bool:
    st = os.stat(path)
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
