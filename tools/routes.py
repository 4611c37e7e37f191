"""The route table of the deployment, read from template.yaml, and each function's router.

Used by the OpenAPI generator and by the tests that check the template and the handlers agree
(a route declared in one but not the other is a bug caught before deploy).
"""
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "shared"


def template() -> dict:
    """template.yaml with CloudFormation tags as intrinsic dicts (the local runtime's loader)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from local.cfn import load_yaml
    return load_yaml(str(ROOT / "template.yaml"))


def _api_events(any_method: bool) -> dict:
    out = {}
    for name, res in template()["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        routes = set()
        for ev in (res["Properties"].get("Events") or {}).values():
            if ev["Type"] != "Api":
                continue
            p = ev["Properties"]
            if (p["Method"].upper() == "ANY") != any_method:
                continue
            api = p["RestApiId"].get("Ref") if isinstance(p["RestApiId"], dict) else p["RestApiId"]
            none = (p.get("Auth") or {}).get("Authorizer") == "NONE"
            routes.add((p["Method"].upper(), p["Path"], api, none))
        out[name] = (res["Properties"]["CodeUri"].rstrip("/"), routes)
    return out


def template_routes() -> dict:
    """{function logical id: (code uri, {(METHOD, path, api logical id, auth none?)})}: the routes.
    `Method: any` events are not routes: see method_catchers()."""
    return _api_events(any_method=False)


def method_catchers() -> dict:
    """{function logical id: (code uri, {("ANY", path, api, auth none?)})}: the `Method: any` events
    that send every undeclared method of a path to its function, which answers 405 with `Allow`."""
    return _api_events(any_method=True)


def load_router(code_uri: str):
    """Import functions/<x>/app.py in isolation and return its `router` (or None)."""
    path = str(ROOT / code_uri)
    if str(LAYER) not in sys.path:
        sys.path.insert(0, str(LAYER))
    sys.modules.pop("app", None)
    sys.path.insert(0, path)
    try:
        module = importlib.import_module("app")
    finally:
        sys.path.remove(path)
        sys.modules.pop("app", None)
    return getattr(module, "router", None)
