"""A content-addressed disk cache for LLM replies: the same request (base URL, model, messages, parameters, seed)
gets the same reply without asking the server again.

- The key is a SHA-256 of the request's canonical JSON. The API key is never part of it, nor of any entry.
- Folder: ``LLM_SKETCH_CACHE_DIR``, else the platform's user cache folder (``~/.cache/llm-sketch`` on Linux,
  ``~/Library/Caches/llm-sketch`` on macOS, ``%LOCALAPPDATA%\\llm-sketch\\cache`` on Windows).
  ``LLM_SKETCH_CACHE_DIR=off`` turns the cache off.
- Safe for concurrent processes: an entry is written to a temporary file in its own folder and moved into place with
  ``os.replace`` (atomic on every platform Python supports), so a reader sees the whole old entry, the whole new one,
  or none. A reader that finds an entry it cannot read (a disk error, a foreign file) treats it as a miss.
- Size-capped (``LLM_SKETCH_CACHE_MB``, default 200): when the total passes the cap, the least recently used
  entries (by modification time; a hit touches its entry) are removed down to 80 % of it.

Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

CACHE_VERSION = 1
DEFAULT_MAX_MB = 200
_EVICT_EVERY = 32  # puts between size checks (a check lists the folder)


def default_dir() -> Path | None:
    """Where the cache lives (``None``: turned off with ``LLM_SKETCH_CACHE_DIR=off``)."""
    configured = os.environ.get("LLM_SKETCH_CACHE_DIR", "").strip()
    if configured.lower() in ("off", "none", "0", "false"):
        return None
    if configured:
        return Path(configured).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "llm-sketch" / "cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "llm-sketch"
    return Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "llm-sketch"


def default_max_bytes() -> int:
    try:
        return int(float(os.environ.get("LLM_SKETCH_CACHE_MB", DEFAULT_MAX_MB)) * 1024 * 1024)
    except ValueError:
        return DEFAULT_MAX_MB * 1024 * 1024


def request_key(base_url: str, model: str, messages: list[dict], params: dict) -> str:
    """The cache key of one chat request. ``params``: temperature, max_tokens, seed … — never the API key."""
    canonical = json.dumps({"v": CACHE_VERSION, "base_url": base_url.rstrip("/"), "model": model,
                            "messages": messages, "params": params},
                           sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Cache:
    """``Cache(folder).get(key)`` → the stored value (a JSON-able dict) or None; ``put(key, value)``."""

    def __init__(self, folder: str | os.PathLike, max_bytes: int | None = None):
        self.folder = Path(folder)
        self.max_bytes = default_max_bytes() if max_bytes is None else int(max_bytes)
        self._puts = 0
        self._lock = threading.Lock()

    @classmethod
    def default(cls) -> "Cache | None":
        folder = default_dir()
        return None if folder is None else cls(folder)

    def path(self, key: str) -> Path:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        path = self.path(key)
        try:
            with open(path, "rb") as handle:
                entry = json.loads(handle.read().decode("utf-8"))
        except (OSError, ValueError):
            return None  # missing, being evicted, or unreadable: a miss (a put replaces it)
        if not isinstance(entry, dict) or entry.get("key") != key or entry.get("version") != CACHE_VERSION \
                or not isinstance(entry.get("value"), dict):
            return None
        try:
            os.utime(path)  # recently used: evicted last
        except OSError:
            pass
        return entry["value"]

    def put(self, key: str, value: dict) -> None:
        """Store ``value`` under ``key`` atomically. A full disk or a read-only folder only costs the caching."""
        path = self.path(key)
        data = json.dumps({"version": CACHE_VERSION, "key": key, "created": time.time(), "value": value},
                          ensure_ascii=False).encode("utf-8")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "wb") as handle:  # (no fsync: after a power cut a torn entry reads as a miss)
                    handle.write(data)
                os.replace(tmp, path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError:
            return
        with self._lock:
            self._puts += 1
            due = self._puts % _EVICT_EVERY == 1
        if due:
            self.evict()

    def entries(self) -> list[tuple[Path, int, float]]:
        """(path, size, mtime) of every entry."""
        found = []
        try:
            shards = list(os.scandir(self.folder))
        except OSError:
            return found
        for shard in shards:
            if not shard.is_dir():
                continue
            try:
                files = list(os.scandir(shard.path))
            except OSError:
                continue
            for f in files:
                if not f.name.endswith(".json"):
                    continue
                try:
                    st = f.stat()
                except OSError:
                    continue
                if f.name.startswith(".tmp-"):
                    if time.time() - st.st_mtime > 3600:  # left by a killed writer
                        _unlink(Path(f.path))
                    continue
                found.append((Path(f.path), st.st_size, st.st_mtime))
        return found

    def size(self) -> int:
        return sum(size for _, size, _ in self.entries())

    def evict(self) -> int:
        """Remove the least recently used entries while the total is over the cap (down to 80 % of it); returns
        how many were removed. Safe while other processes read and write (a removed entry is a miss)."""
        entries = self.entries()
        total = sum(size for _, size, _ in entries)
        if total <= self.max_bytes:
            return 0
        removed = 0
        for path, size, _ in sorted(entries, key=lambda e: e[2]):
            if total <= 0.8 * self.max_bytes:
                break
            if _unlink(path):
                removed += 1
            total -= size
        return removed


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except OSError:
        return False
