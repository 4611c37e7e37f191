"""One delivery attempt: POST the body to the webhook's URL, 10 s at most, no redirects, to the
address `urls.resolve` checked (the host name still in Host and TLS SNI/verification)."""
import time

import urllib3

from accord.notify import urls

TIMEOUT_SECONDS = 10.0
USER_AGENT = "Accord-Webhooks/1.0"
_pools: dict = {}


def _pool(scheme: str, host: str, address: str, port: int):
    key = (scheme, host, address, port)
    if key not in _pools:
        if len(_pools) > 256:
            _pools.clear()
        if scheme == "https":
            _pools[key] = urllib3.HTTPSConnectionPool(address, port, server_hostname=host, assert_hostname=host,
                                                      cert_reqs="CERT_REQUIRED", maxsize=4, retries=False)
        else:
            _pools[key] = urllib3.HTTPConnectionPool(address, port, maxsize=4, retries=False)
    return _pools[key]


def send(url: str, body: bytes, headers: dict) -> dict:
    """{ok, status_code, error, duration_ms, response}: 2xx within the timeout is success."""
    t0 = time.monotonic()
    out = {"ok": False, "status_code": None, "error": None, "response": None}
    try:
        scheme, host, port, path, address = urls.resolve(url)
        default_port = 443 if scheme == "https" else 80
        all_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                       "Host": host if port == default_port else f"{host}:{port}", **headers}
        resp = _pool(scheme, host, address, port).urlopen(
            "POST", path, body=body, headers=all_headers, redirect=False, retries=False, preload_content=False,
            timeout=urllib3.Timeout(total=TIMEOUT_SECONDS), assert_same_host=False)
        try:
            out["response"] = resp.read(1024, decode_content=True).decode("utf-8", "replace")
        finally:
            resp.release_conn()
        out["status_code"] = resp.status
        out["ok"] = 200 <= resp.status < 300
        if not out["ok"]:
            out["error"] = f"HTTP {resp.status}" + (" (redirects are not followed)" if 300 <= resp.status < 400 else "")
    except urls.UnsafeUrl as exc:
        out["error"] = f"refused: {exc}"
    except (urllib3.exceptions.TimeoutError, TimeoutError):
        out["error"] = f"no answer within {TIMEOUT_SECONDS:.0f} s"
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        out["error"] = f"connection failed: {type(exc).__name__}: {str(exc)[:300]}"
    out["duration_ms"] = round((time.monotonic() - t0) * 1000, 1)
    return out
