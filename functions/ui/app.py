"""The web UI at /ui/ (DESIGN §12): the static bundle that `ui/` builds into ./static/.

Why a function and not an S3 origin: the UI must share the APIs' origin (it sends the key to
/api/v1 on the same host, so no CORS and a CSP of 'self'), and the stack already joins its APIs
under one custom domain by routing rules — one more rule (`ui` -> UiApi) and this function serve it
with no bucket, no CloudFront and no deploy step beyond `sam deploy`. The files are a few hundred
KB, read once per warm container; API Gateway compresses them (UiApi's MinimumCompressionSize).

Caching: the build names every asset by its content hash (assets/app-<hash>.js), so those are
cached for a year (`immutable`); index.html, which names them, is revalidated on each load (ETag,
304), so a deploy is picked up at the next load and never mixes two builds.
"""
import hashlib
from pathlib import Path

from accord import errors
from accord.http.envelopes import REPORTS
from accord.http.router import Response, Router

router = Router(REPORTS)
STATIC = (Path(__file__).resolve().parent / "static").resolve()
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Nothing from elsewhere: no CDN, no external fonts or scripts; the UI talks only to its own origin.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".json": "application/json",
         ".txt": "text/plain; charset=utf-8", ".map": "application/json"}
_files: dict = {}  # relative path -> (body, etag): read once per warm container


def _load(relative: str):
    if relative not in _files:
        path = (STATIC / relative).resolve()
        if STATIC not in path.parents or not path.is_file() or path.suffix not in TYPES:
            return None  # outside the bundle (../), a folder, or not a file type the UI serves
        body = path.read_text(encoding="utf-8")
        _files[relative] = (body, '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"')
    return _files[relative]


def _serve(req, relative: str) -> Response:
    found = _load(relative)
    if found is None:
        if not (STATIC / "index.html").is_file():
            raise errors.NotFound("The UI is not built: run `make ui` (make dev and make build do).",
                                  code="UI_NOT_BUILT")
        raise errors.NotFound(f"No file {relative!r} in the UI; the UI starts at /ui/.", code="NOT_FOUND")
    body, etag = found
    versioned = relative.startswith("assets/")
    headers = {"Content-Type": TYPES[Path(relative).suffix], "ETag": etag,
               "Cache-Control": IMMUTABLE if versioned else REVALIDATE,
               "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
    if req.headers.get("if-none-match") == etag:
        return Response(304, None, headers)
    return Response(200, body, headers)


@router.route("GET", "/ui", scope=None, tags=["ui"], summary="The web UI (index.html)", media="text/html")
def index(req):
    if not req.path.endswith("/"):
        # the bundle's URLs are relative to /ui/; relative, so it also works under a stage prefix
        return Response(301, None, {"Location": "ui/", "Cache-Control": REVALIDATE})
    return _serve(req, "index.html")


@router.route("GET", "/ui/{path+}", scope=None, tags=["ui"], summary="A file of the web UI's bundle",
              media="text/html")
def file(req):
    return _serve(req, req.path_params.get("path") or "index.html")


lambda_handler = router.resolve
