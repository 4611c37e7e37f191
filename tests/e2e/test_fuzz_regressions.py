"""Inputs the fuzzer found that once produced a 5xx, replayed for good."""
import pytest


@pytest.mark.parametrize("raw,status", [
    # 503: DynamoDB rejected a number beyond 1e125 inside metadata (TransactionCanceled: ValidationError)
    ('{"name": "big", "metadata": {"x": 2.5535922229680915e+201}}', 400),
    ('{"name": "tiny", "metadata": {"x": [-2.1397641891937995e-265]}}', 400),
    ('{"name": "nan", "metadata": {"x": NaN}}', 400),
    ('{"name": "\\ud922"}', 400),
])
def test_found_by_fuzzing(admin, raw, status):
    r = admin("POST", "/api/v1/teams", data=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == status, r.text
    assert set(r.json()) == {"detail", "error"}
