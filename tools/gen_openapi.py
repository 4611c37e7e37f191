"""Write functions/platform/openapi.json: every function's routes merged into one document.

Generated at build time so the platform function serves a file and imports no other function.
`make openapi` runs this; a test fails when the committed file is stale.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import routes  # noqa: E402

OUT = routes.ROOT / "functions" / "platform" / "openapi.json"
NOT_API = {"UiApi"}  # the web UI's static files (/ui/): pages, not operations of the API


def build() -> dict:
    from accord.http.openapi import document
    routers = []
    for _, (code_uri, declared) in sorted(routes.template_routes().items()):
        if declared and not all(api in NOT_API for _, _, api, _ in declared):
            router = routes.load_router(code_uri)
            if router is not None:
                router.name = Path(code_uri).name  # operationIds are <function>_<handler>
                routers.append(router)
    return document(routers)


def render() -> str:
    return json.dumps(build(), indent=1, sort_keys=False) + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(routes.LAYER))
    OUT.write_text(render())
    print(f"wrote {OUT.relative_to(routes.ROOT)}")
