"""Reports family: Dagster's External Assets REST API (POST /report_asset_*), and a batch route.

Requests are parsed by accord.reports (Dagster's exact semantics and error texts), not by the
router's body binding. GET/PUT/PATCH/DELETE on these paths answer 405 in the reports envelope
(declared in the template so they reach this function; API Gateway alone would say "no route").
"""
from accord import errors
from accord.http.envelopes import REPORTS
from accord.http.router import Router
from accord.reports import api

router = Router(REPORTS)
R = "accord.http.responses:"  # success-body schemas: read by the OpenAPI build only

COMMON = (("asset_key", "string", "asset key: a JSON list, or parts split on non-word characters "
                                  "(the path and the body win)"),
          ("metadata", "string", "JSON object (the body's `metadata` wins)"),
          ("partition", "string", "partition key"), ("description", "string", "description"))
ASSET_QUERY = COMMON + (("data_version", "string", "user-provided data version"),)
CHECK_QUERY = COMMON + (("check_name", "string", "check name"),
                        ("passed", "string", "true or false (JSON), required"),
                        ("severity", "string", "WARN or ERROR (default ERROR)"))
ROUTES = (("materialization", "/report_asset_materialization", ASSET_QUERY, "Report an asset materialization"),
          ("check", "/report_asset_check", CHECK_QUERY, "Report an asset check evaluation"),
          ("observation", "/report_asset_observation", ASSET_QUERY, "Report an asset observation"))


def _drift(tenant: str, reports: list) -> None:
    """Materializations carrying `dagster/column_schema` are judged against the asset's contract
    (DESIGN §10.3; imported only then: most reports carry none)."""
    from accord.ingest import drift
    drift.observe_reports(tenant, reports)


def _reporter(kind: str, name: str):
    def handler(req):
        return api.report_one(req.principal, kind, raw_body=req.raw_body, headers=req.headers,
                              query=req.query, path_key=req.path_params.get("asset_key"), observe=_drift)
    handler.__name__ = name
    return handler


OTHER_METHODS = ("GET", "PUT", "PATCH", "DELETE")


def _not_allowed(name: str):
    def handler(req):
        raise errors.MethodNotAllowed(f"Method {req.method} is not allowed on {req.path}; use POST.",
                                      headers={"Allow": "POST"})
    handler.__name__ = name
    return handler


def _refuse_other_methods(path: str, name: str) -> None:
    for method in OTHER_METHODS:
        router.route(method, path, scope="read", tags=["reports"], status=405,
                     summary="Not supported: answers 405 (report with POST)")(_not_allowed(f"{name}_{method.lower()}"))


for _kind, _path, _query, _summary in ROUTES:
    for _p, _suffix in ((_path, ""), (_path + "/{asset_key+}", "_by_path")):
        router.route("POST", _p, scope="write", tags=["reports"], query=_query, response=R + "REPORTED",
                     summary=_summary + (" (asset key as the trailing path)" if _suffix else "")
                     )(_reporter(_kind, f"report_{_kind}{_suffix}"))
        _refuse_other_methods(_p, f"not_allowed_{_kind}{_suffix}")


@router.route("POST", "/report_asset_events", response=R + "BATCH", scope="write", tags=["reports"],
              summary="Report many typed events at once (≤ 100): per-event results, partial success")
def report_events(req):
    return api.report_batch(req.principal, raw_body=req.raw_body, headers=req.headers, observe=_drift)


_refuse_other_methods("/report_asset_events", "not_allowed_events")

lambda_handler = router.resolve
