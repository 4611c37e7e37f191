"""Local persistence: the state file (tables + queues) and the bootstrap admin key."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from typing import Any

STATE_FILE = "state.json"
ADMIN_KEY_FILE = "admin_key"


class StateDir:
    def __init__(self, path: str):
        self.path = os.path.abspath(path)

    def ensure(self) -> None:
        os.makedirs(self.path, exist_ok=True)

    @property
    def state_file(self) -> str:
        return os.path.join(self.path, STATE_FILE)

    def load(self) -> dict | None:
        try:
            with open(self.state_file, encoding="utf-8") as fh:
                return json.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise RuntimeError(
                f"cannot read {self.state_file}: {exc} (delete it, or run `make dev-reset`)"
            ) from exc

    def save(self, state: Any) -> None:
        self.ensure()
        _atomic_write(self.state_file, json.dumps(state, separators=(",", ":"), sort_keys=True))

    def save_copy(self, state: Any, path: str) -> None:
        self.ensure()
        _atomic_write(path, json.dumps(state, separators=(",", ":"), sort_keys=True))

    def admin_key(self, configured: str | None) -> str:
        """The configured key if any, else the key generated on the first run (kept here)."""
        if configured:
            return configured
        path = os.path.join(self.path, ADMIN_KEY_FILE)
        try:
            with open(path, encoding="utf-8") as fh:
                key = fh.read().strip()
            if key:
                return key
        except FileNotFoundError:
            pass
        self.ensure()
        key = "acc_" + secrets.token_urlsafe(32)
        _atomic_write(path, key + "\n", mode=0o600)
        return key


def _atomic_write(path: str, text: str, mode: int = 0o644) -> None:
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
