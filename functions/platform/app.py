"""/health, the merged OpenAPI document and Swagger UI. No key needed for any of them."""
import json
from pathlib import Path

from accord.http.envelopes import REPORTS
from accord.http.router import Response, Router

router = Router(REPORTS, metric_family="platform")  # reports' error envelope; its own metrics
_HERE = Path(__file__).resolve().parent
_cache: dict = {}


@router.route("GET", "/health", scope=None, tags=["platform"], summary="Liveness: 200 when the API is up")
def health(req):
    return {"status": "ok"}


@router.route("GET", "/openapi.json", scope=None, tags=["platform"],
              summary="The OpenAPI document of all three families")
def openapi(req):
    if "spec" not in _cache:
        _cache["spec"] = json.loads((_HERE / "openapi.json").read_text())
    return _cache["spec"]


@router.route("GET", "/docs", scope=None, tags=["platform"], summary="Swagger UI", media="text/html")
def docs(req):
    if "html" not in _cache:
        _cache["html"] = _swagger_html()
    return Response(200, _cache["html"], {"Content-Type": "text/html; charset=utf-8"})


def _swagger_html() -> str:
    # The Swagger UI bundle shipped inside Powertools (already in the layer): no CDN needed.
    import aws_lambda_powertools.event_handler.openapi as pt_openapi
    assets = Path(pt_openapi.__file__).parent / "swagger_ui"
    js = (assets / "swagger-ui-bundle.min.js").read_text()
    css = (assets / "swagger-ui.min.css").read_text()
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Accord API</title>
<style>{css}</style></head><body><div id="swagger-ui"></div><script>{js}</script>
<script>window.ui = SwaggerUIBundle({{url: "/openapi.json", dom_id: "#swagger-ui",
persistAuthorization: true}});</script></body></html>"""


lambda_handler = router.resolve
