"""Plain Python values <-> DynamoDB AttributeValues.

Our own ~40 lines instead of boto3.dynamodb.types: the store talks to botocore directly (boto3's
resource layer costs cold start and nothing here needs it). Numbers come back as int when
integral, else float; bytes as B; sets are not used.
"""


def _enc(v):
    if v is None:
        return {"NULL": True}
    if isinstance(v, bool):
        return {"BOOL": v}
    if isinstance(v, str):
        return {"S": v}
    if isinstance(v, (int, float)):
        return {"N": repr(v) if isinstance(v, float) else str(v)}
    if isinstance(v, (bytes, bytearray)):
        return {"B": bytes(v)}
    if isinstance(v, dict):
        return {"M": {str(k): _enc(x) for k, x in v.items()}}
    if isinstance(v, (list, tuple)):
        return {"L": [_enc(x) for x in v]}
    raise TypeError(f"cannot store {type(v).__name__}")


def _dec(av):
    (t, v), = av.items()
    if t == "S":
        return v
    if t == "N":
        return int(v) if v.lstrip("-").isdigit() else float(v)
    if t == "M":
        return {k: _dec(x) for k, x in v.items()}
    if t == "L":
        return [_dec(x) for x in v]
    if t == "BOOL":
        return v
    if t == "NULL":
        return None
    if t == "B":
        return bytes(v)
    if t == "SS":
        return set(v)
    if t == "NS":
        return {int(x) if x.lstrip("-").isdigit() else float(x) for x in v}
    raise TypeError(f"unknown attribute type {t}")


def encode(item: dict) -> dict:
    return {k: _enc(v) for k, v in item.items()}


def decode(item: dict | None) -> dict | None:
    if item is None:
        return None
    return {k: _dec(v) for k, v in item.items()}


def value(v) -> dict:
    return _enc(v)
