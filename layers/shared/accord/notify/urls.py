"""Where a webhook may point (DESIGN §11): https, to a host that resolves only to public addresses
— no private, loopback, link-local, multicast or reserved ones (SSRF). The address is checked when
the webhook is saved and again at every delivery, and the delivery connects to the address it
checked (a DNS answer that changes in between cannot send it inside). The local runtime
(`AWS_SAM_LOCAL=true`, set by `make dev` and `sam local`) also allows plain http to loopback, so a
receiver on the developer's machine works.
"""
import ipaddress
import os
import socket
from urllib.parse import urlsplit

MAX_URL = 2048


class UnsafeUrl(ValueError):
    """The URL may not receive webhooks; the message says why."""


def local_runtime() -> bool:
    return os.environ.get("AWS_SAM_LOCAL", "").lower() == "true"


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path+query), or UnsafeUrl."""
    if not isinstance(url, str) or len(url) > MAX_URL:
        raise UnsafeUrl(f"the URL must be a string of at most {MAX_URL} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"not a URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeUrl("the URL must be https://host/...")
    if parts.username or parts.password:
        raise UnsafeUrl("the URL may not carry credentials (user:password@); use the signature to authenticate")
    if scheme == "http" and not local_runtime():
        raise UnsafeUrl("the URL must use https (plain http is allowed only to loopback, in the local runtime)")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80), path


def _allowed(ip: ipaddress._BaseAddress, scheme: str) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return local_runtime()
    if scheme == "http":
        return False  # plain http only to loopback, only locally
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_private
                                 or ip.is_unspecified)


def resolve(url: str) -> tuple[str, str, int, str, str]:
    """(scheme, host, port, path, address to connect to): the URL checked and its host resolved;
    every address the name has must be allowed. UnsafeUrl otherwise."""
    scheme, host, port, path = parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeUrl(f"the host {host} cannot be resolved ({exc})") from None
    addresses = []
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not _allowed(ip, scheme):
            raise UnsafeUrl(f"the host {host} resolves to {ip}, a private, loopback, link-local or reserved "
                            "address: webhooks go to public addresses only")
        addresses.append(str(ip))
    if not addresses:
        raise UnsafeUrl(f"the host {host} has no address")
    return scheme, host, port, path, addresses[0]
