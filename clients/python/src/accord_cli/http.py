"""HTTP to Accord on the standard library (`http.client`): one kept-alive connection per server,
JSON in and out, retries where they are safe, and errors as sentences.

Why not httpx: importing it costs ~15x a bare interpreter start on the CI machines we measured
(`make bench`, bench_cli), and the CLI is started thousands of times a day in pipelines; this
module imports in a fraction of that and still honours HTTPS_PROXY / NO_PROXY and SSL_CERT_FILE.
"""
import http.client
import json
import os
import random
import socket
import ssl
import sys
import time
import uuid
from urllib.parse import quote, urlencode, urlsplit

from accord_cli import __version__
from accord_cli.errors import ApiError, CliError

DEBUG = False   # --debug: each request on stderr
RETRY_STATUSES = (429, 502, 503, 504)
ATTEMPTS = 3
# a kept-alive connection the server closed while idle: reopen it and send again
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, ConnectionAbortedError, BrokenPipeError,
          http.client.BadStatusLine)


class Response:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def error_message(status: int, body) -> tuple[str, str | None]:
    """(message, code) from any family's envelope: registry {error: {code, message}, detail},
    configuration {message, error}, reports {error}."""
    code, msg = None, None
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            code, msg = err.get("code"), err.get("message")
        elif isinstance(err, str):
            msg, code = (body.get("message"), err) if isinstance(body.get("message"), str) else (err, None)
        detail = body.get("detail")
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            first = detail[0]
            where = ".".join(str(p) for p in first.get("loc") or [] if p != "body")
            extra = f" (and {len(detail) - 1} more)" if len(detail) > 1 else ""
            msg = f"{where + ': ' if where else ''}{first.get('msg')}{extra}"
        elif msg is None and isinstance(detail, str):
            msg = detail
        if msg is None and isinstance(body.get("message"), str):
            msg = body["message"]
    if not msg:
        msg = {401: "the API key was refused", 403: "the API key may not do this",
               404: "not found"}.get(status, http.client.responses.get(status, "error"))
    return f"{str(msg).rstrip('.')} (HTTP {status}).", code


def _proxy_for(scheme: str, host: str) -> str | None:
    # urllib.request is imported only when a proxy variable is set at all (most runs: never)
    if not any(k.lower().endswith("_proxy") for k in os.environ):
        return None
    from urllib.request import getproxies_environment, proxy_bypass_environment
    proxies = getproxies_environment()
    if scheme not in proxies or proxy_bypass_environment(host, proxies):
        return None
    return proxies[scheme]


class Http:
    """Requests to one Accord URL (which may carry a path prefix, e.g. an API Gateway stage)."""

    def __init__(self, base_url: str, api_key: str | None, timeout: float = 30.0):
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CliError(f"The Accord URL {base_url!r} is not an http(s) URL: set ACCORD_URL or pass --url.")
        self.base_url = base_url.rstrip("/")
        self.scheme, self.host = parts.scheme, parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.requests = 0   # requests sent (dbt check reports it; retries count)
        self._conn = None

    # ------------------------------------------------------------------ connection
    def _connect(self):
        proxy = _proxy_for(self.scheme, self.host)
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        kwargs = {"context": ssl.create_default_context()} if self.scheme == "https" else {}
        if proxy:
            p = urlsplit(proxy if "://" in proxy else "http://" + proxy)
            conn = cls(p.hostname, p.port or 8080, timeout=self.timeout, **kwargs)
            conn.set_tunnel(self.host, self.port)
        else:
            conn = cls(self.host, self.port, timeout=self.timeout, **kwargs)
        conn.connect()
        if conn.sock is not None:  # small JSON requests: do not wait for Nagle
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _send(self, method: str, target: str, data: bytes | None, headers: dict):
        """One exchange; a kept-alive connection the server closed meanwhile is reopened once."""
        for reuse in (True, False):
            fresh = self._conn is None
            if fresh:
                try:
                    self._conn = self._connect()
                except (OSError, http.client.HTTPException) as exc:
                    raise CliError(f"Cannot reach Accord at {self.base_url}: {_reason(exc)}.") from exc
            try:
                self.requests += 1
                self._conn.request(method, target, body=data, headers=headers)
                resp = self._conn.getresponse()
                raw = resp.read()
                if resp.will_close:
                    self.close()
                return resp.status, resp.headers, raw
            except _STALE as exc:
                self.close()
                if fresh or not reuse:
                    raise CliError(f"Accord at {self.base_url} closed the connection: {_reason(exc)}.") from exc
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise CliError(f"Cannot reach Accord at {self.base_url}: {_reason(exc)}.") from exc
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ requests
    def request(self, method: str, path: str, *, query: dict | None = None, body=None,
                idempotent: bool | None = None, headers: dict | None = None) -> Response:
        """Send; an error status raises ApiError with the server's sentence. GETs (and requests
        marked idempotent) are retried on 429/502/503/504 with backoff, honouring Retry-After."""
        q = {k: v for k, v in (query or {}).items() if v is not None}
        target = self.prefix + quote(path, safe="/:@-._~!$&'()*+,;=") + ("?" + urlencode(q, doseq=True) if q else "")
        hdrs = {"Accept": "application/json", "User-Agent": f"accord-cli/{__version__}"}
        if self.api_key:
            hdrs["Authorization"] = f"Bearer {self.api_key}"
        data = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        retry = method == "GET" if idempotent is None else idempotent
        for attempt in range(ATTEMPTS):
            started = time.perf_counter()
            status, resp_headers, raw = self._send(method, target, data, hdrs)
            if DEBUG:
                sys.stderr.write(f"{method} {self.base_url}{target[len(self.prefix):]} -> {status} "
                                 f"({(time.perf_counter() - started) * 1000:.0f} ms, {len(raw)} bytes)\n")
            if status in RETRY_STATUSES and retry and attempt + 1 < ATTEMPTS:
                time.sleep(_backoff(resp_headers.get("Retry-After"), attempt))
                continue
            break
        parsed = _parse(raw, resp_headers.get("Content-Type", ""))
        if status >= 400:
            msg, code = error_message(status, parsed)
            if status == 401:
                msg = f"{msg[:-1]}: check ACCORD_API_KEY or run `accord login`."
            raise ApiError(msg, status, code, parsed)
        return Response(status, resp_headers, parsed)

    def get(self, path: str, **query) -> Response:
        return self.request("GET", path, query=query)

    def post(self, path: str, body=None, **kwargs) -> Response:
        return self.request("POST", path, body=body, **kwargs)


def put_url(url: str, data: bytes, *, content_type: str = "application/octet-stream", on_progress=None,
            timeout: float = 300.0) -> None:
    """PUT bytes to a presigned URL (no API key: the URL's signature is the credential), in blocks
    so `on_progress(sent)` can draw a bar; retried on 5xx/429 like any idempotent request."""
    parts = urlsplit(url)
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")   # verbatim: it is signed
    http = Http(f"{parts.scheme}://{parts.netloc}", None, timeout)
    headers = {"Content-Type": content_type, "Content-Length": str(len(data)),
               "User-Agent": f"accord-cli/{__version__}"}
    try:
        for attempt in range(ATTEMPTS):
            status, resp_headers, raw = http._send("PUT", target, _Blocks(data, on_progress), headers)
            if DEBUG:
                sys.stderr.write(f"PUT {parts.scheme}://{parts.netloc}{parts.path} -> {status} ({len(data)} bytes)\n")
            if status in RETRY_STATUSES + (500,) and attempt + 1 < ATTEMPTS:
                time.sleep(_backoff(resp_headers.get("Retry-After"), attempt))
                continue
            break
    finally:
        http.close()
    if status >= 300:
        text = raw.decode("utf-8", "replace")
        why = text[text.find("<Message>") + 9:text.find("</Message>")] if "<Message>" in text else text[:200]
        raise ApiError(f"The upload was refused: {why.strip() or 'no reason given'} (HTTP {status}).", status)


class _Blocks:
    """The body in 1 MiB blocks; iterable again for a retry (http.client sends each block)."""
    BLOCK = 1 << 20

    def __init__(self, data: bytes, on_progress):
        self.data, self.on_progress = memoryview(data), on_progress

    def __iter__(self):
        for start in range(0, len(self.data), self.BLOCK):
            block = self.data[start:start + self.BLOCK]
            yield block
            if self.on_progress:
                self.on_progress(start + len(block))


def idempotency_key() -> str:
    return str(uuid.uuid4())


def _parse(raw: bytes, content_type: str):
    if not raw:
        return None
    if "json" in content_type or raw[:1] in (b"{", b"["):
        try:
            return json.loads(raw)
        except ValueError:
            pass
    return raw.decode("utf-8", "replace")


def _backoff(retry_after: str | None, attempt: int) -> float:
    try:
        wait = float(retry_after) if retry_after else None
    except ValueError:
        wait = None
    return min(wait if wait is not None else 0.5 * 2 ** attempt * (1 + random.random() / 2), 10.0)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return "the host name does not resolve"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"its TLS certificate is not trusted ({exc.verify_message}; set SSL_CERT_FILE to a CA bundle)"
    text = str(exc).strip() or type(exc).__name__
    return text[0].lower() + text[1:] if text else type(exc).__name__
