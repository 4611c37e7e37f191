"""The local state directory: where the emulator keeps tables and queues, and the admin key.

The tables' and queues' persistence lives in the emulator process (local/durable.py: a journal of
acknowledged writes plus snapshots); the runtime only owns the directory and the generated key.
"""

from __future__ import annotations

import os
import secrets

from .durable import atomic_write

ADMIN_KEY_FILE = "admin_key"


class StateDir:
    def __init__(self, path: str):
        self.path = os.path.abspath(path)

    def ensure(self) -> None:
        os.makedirs(self.path, exist_ok=True)

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
        atomic_write(path, (key + "\n").encode(), mode=0o600)
        return key
