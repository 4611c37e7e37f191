import time
from tests.integration.test_configuration import *

def test_prof(api, reg_app, key):
    reg = Client(reg_app, key)
    c = connection(api)
    t = time.perf_counter(); made = [asset(api, c) for _ in range(10)]; print("10 assets", time.perf_counter() - t)
    t = time.perf_counter()
    for u, d in zip(made[::2], made[1::2]):
        reg("POST", "/api/v1/assets/{asset_id}/dependencies", {"asset_id": d["registry_asset_id"]}, body={"target_asset_id": u["registry_asset_id"]})
    print("5 deps", time.perf_counter() - t)
    t = time.perf_counter(); api("GET", ASSETS, {"projectId": 0}, query={"with_lineage": "true"}); print("list", time.perf_counter() - t)
