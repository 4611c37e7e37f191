"""The three error envelopes (DESIGN §7): each family's clients parse their own shape."""

REGISTRY, CONFIGURATION, REPORTS = "registry", "configuration", "reports"
FAMILIES = (REGISTRY, CONFIGURATION, REPORTS)


def error_body(family: str, code: str, message: str, request_id: str, detail=None) -> dict:
    if family == REGISTRY:
        return {"detail": detail if detail is not None else message,
                "error": {"code": code, "message": message, "request_id": request_id}}
    if family == CONFIGURATION:
        return {"message": message, "error": code}
    return {"error": message}
