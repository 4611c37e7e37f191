"""Every secret an e2e run creates or presents, read off the traffic itself (requests and httpx,
which every client of the suite uses: our helpers, tessera-sdk, schemathesis), so that
tests/e2e/test_log_hygiene.py can grep the functions' logs for each one.

Recorded: API keys in any response (`acc_<32 hex>_<43 chars>`: tenant and key creation) and in
any request header; webhook secrets (`whsec_...`) in any response; the string values of a
connection's `credential.payload` (12 characters or more) in any request body — except
schemathesis' generated ones: Hypothesis reuses generated strings across fields and requests,
so the same text may legitimately reach a log through a field that is not secret.
"""
from __future__ import annotations

import json
import re
import threading

API_KEY = re.compile(r"acc_[0-9a-f]{32}_[A-Za-z0-9_-]{43}")
WEBHOOK_SECRET = re.compile(r"whsec_[A-Za-z0-9+/=_-]{16,}")
MIN_CREDENTIAL = 12


class SecretRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.secrets: dict[str, str] = {}  # secret -> what it is

    def add(self, value: str, kind: str) -> None:
        with self._lock:
            self.secrets.setdefault(value, kind)
            if kind == "api key":  # the random part alone is a secret too (the id is not)
                # after `acc_<32 hex id>_`: the random part may itself contain "_"
                self.secrets.setdefault(value[len("acc_") + 33:], "api key secret part")

    def response(self, text: str) -> None:
        for m in API_KEY.finditer(text or ""):
            self.add(m.group(0), "api key")
        for m in WEBHOOK_SECRET.finditer(text or ""):
            self.add(m.group(0), "webhook secret")

    def request(self, headers, body) -> None:
        for value in (headers or {}).values():
            for m in API_KEY.finditer(str(value)):
                self.add(m.group(0), "api key")
        if "schemathesis" in str((headers or {}).get("User-Agent", "")).lower():
            return
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        if not isinstance(body, str) or "credential" not in body:
            return
        try:
            doc = json.loads(body)
        except ValueError:
            return
        cred = doc.get("credential") if isinstance(doc, dict) else None
        if isinstance(cred, dict):
            for leaf in _strings(cred.get("payload")):
                if len(leaf) >= MIN_CREDENTIAL:
                    self.add(leaf, "credential payload")

    def install(self) -> None:
        """Record the traffic of every requests session and httpx client from now on."""
        import httpx
        import requests

        self._wrap(requests.Session, lambda request: request.body)
        self._wrap(httpx.Client, lambda request: request.content)

    def _wrap(self, owner, body_of) -> None:
        recorder, original = self, owner.send

        def send(client, request, **kwargs):
            recorder.request(request.headers, body_of(request))
            response = original(client, request, **kwargs)
            if not kwargs.get("stream"):
                recorder.response(response.text)
            return response

        owner.send = send


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


RECORDER = SecretRecorder()
