"""Plain Python values <-> DynamoDB AttributeValues.

Values DynamoDB cannot hold (numbers beyond ±1e125 or below 1e-130 in magnitude, more than 38
significant digits, NaN/Infinity) raise `Unstorable` naming where they are, which the store turns
into a 400 — client-supplied JSON (metadata, payloads) never reaches DynamoDB as a 500.

Our own ~40 lines instead of boto3.dynamodb.types: the store talks to botocore directly (boto3's
resource layer costs cold start and nothing here needs it). Numbers come back as int when
integral, else float; bytes as B; sets are not used.
"""


import math

from accord import errors


class Unstorable(errors.BadRequest):
    code = "UNSTORABLE_VALUE"


_LIMIT, _MIN_N = 1e126, 1e-130  # DynamoDB: magnitudes in [1e-130, 9.99…e125], 38 digits


def _number(v, where):
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v) or abs(v) >= _LIMIT or (v and abs(v) < _MIN_N):
            raise Unstorable(f"The number at {where or 'the top level'} ({v!r}) cannot be stored: "
                             f"numbers must be finite and between 1e-130 and 1e125 in magnitude.")
        return {"N": repr(v)}
    text = str(v)
    if abs(v) >= 10 ** 126:
        raise Unstorable(f"The number at {where or 'the top level'} is larger than 1e125 in magnitude "
                         f"and cannot be stored; send it as a string.")
    if len(text.lstrip("-").rstrip("0")) > 38:
        raise Unstorable(f"The integer at {where or 'the top level'} has more than 38 significant digits "
                         f"and cannot be stored; send it as a string.")
    return {"N": text}


def _enc(v, where=""):
    if v is None:
        return {"NULL": True}
    if isinstance(v, bool):
        return {"BOOL": v}
    if isinstance(v, str):
        return {"S": v}
    if isinstance(v, (int, float)):
        return _number(v, where)
    if isinstance(v, (bytes, bytearray)):
        return {"B": bytes(v)}
    if isinstance(v, dict):
        if "" in v:  # DynamoDB map keys must be non-empty (moto silently mangles them)
            raise Unstorable(f"The object at {where or 'the top level'} has an empty key (\"\"); "
                             f"keys must be non-empty strings.")
        return {"M": {str(k): _enc(x, f"{where}.{k}" if where else str(k)) for k, x in v.items()}}
    if isinstance(v, (list, tuple)):
        return {"L": [_enc(x, f"{where}[{i}]") for i, x in enumerate(v)]}
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
    return {k: _enc(v, k) for k, v in item.items()}


def decode(item: dict | None) -> dict | None:
    if item is None:
        return None
    return {k: _dec(v) for k, v in item.items()}


def value(v) -> dict:
    return _enc(v)
