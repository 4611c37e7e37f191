"""pydantic validation errors in FastAPI's shape (`loc`, `msg`, `type`), which Tessera clients
parse. Imports nothing: the router loads it only when a body fails validation."""


def validation_detail(exc, prefix: tuple = ("body",)) -> list:
    out = []
    for e in exc.errors(include_url=False, include_context=True):
        loc = [*prefix, *e.get("loc", ())]
        misses = (e.get("ctx") or {}).get("misses")
        if misses:  # accord.http.models: one item per near-miss key, located at the key
            out.extend({"loc": [*loc, key], "msg": f"Unknown field '{key}'; did you mean '{near}'?",
                        "type": "extra_forbidden"} for key, near in misses)
            continue
        out.append({"loc": loc, "msg": e.get("msg", "invalid"), "type": e.get("type", "value_error")})
    return out
