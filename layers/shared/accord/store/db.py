"""The DynamoDB client and the few operations every repository uses.

botocore directly (see codec.py). The client is created on first use and reused by the warm
execution environment. AWS_ENDPOINT_URL (set by the local runtime) points it at moto.
Service errors are translated into domain errors here, so no caller ever sees a ClientError:
throttling that outlived botocore's retries → 429, a lost condition → 409, anything else → 503.
"""
import os

# Imported eagerly: every caller of this module talks to DynamoDB on its first request, and
# Lambda's init phase is where that cost belongs (and where the cold-start bench sees it).
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionError as BotoConnectionError, HTTPClientError

from accord import errors, tracing
from accord.store import wire
from accord.store.codec import decode, encode, value

_client = None


def client():
    global _client
    if _client is None:
        session = botocore.session.get_session()
        _client = session.create_client(
            "dynamodb",
            region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            # parameter_validation off: the codec only builds well-formed attribute values, and
            # botocore's client-side walk of every request was a third of a dbt import's CPU
            # (DynamoDB validates what it receives either way)
            config=Config(retries={"mode": "standard", "max_attempts": 4}, parameter_validation=False,
                          connect_timeout=2, read_timeout=5, tcp_keepalive=True),
        )
        wire.install(_client)      # data-plane bodies without botocore's shape walks (wire.py)
        tracing.instrument(_client)  # X-Ray subsegments per call when Tracing=Active; nothing otherwise
    return _client


IN_FLIGHT = 8   # requests a bulk path keeps in flight at once (each waits tens of ms on DynamoDB)


def in_parallel(fn, items: list, workers: int = IN_FLIGHT) -> list:
    """[fn(item)] in order, up to `workers` calls in flight (threads: each call mostly waits on
    DynamoDB; the client is thread-safe). In this thread when there is only one."""
    if len(items) <= 1 or workers <= 1:
        return [fn(i) for i in items]
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(fn, items))


def reset_client():
    """Tests that swap endpoints call this."""
    global _client
    _client = None


def table_name() -> str:
    return os.environ["TABLE_NAME"]


_THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException",
              "RequestLimitExceeded", "LimitExceededException"}


class ConditionFailed(Exception):
    """A conditional write lost; `reasons` lists the failed transaction parts (or [None])."""

    def __init__(self, reasons=None):
        super().__init__("condition failed")
        self.reasons = reasons or []


def _call(op: str, **kwargs):
    try:
        return getattr(client(), op)(**kwargs)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ConditionalCheckFailedException":
            raise ConditionFailed([exc.response.get("Item")]) from None
        if code == "TransactionCanceledException":
            reasons = exc.response.get("CancellationReasons") or []
            codes = [r.get("Code") for r in reasons]
            if "ConditionalCheckFailed" in codes:
                raise ConditionFailed(codes) from None
            if "TransactionConflict" in codes:
                raise errors.Conflict("Another request changed the same data at the same time; retry.",
                                      code="TRANSACTION_CONFLICT") from None
            if "ValidationError" in codes:
                detail = next((r.get("Message") for r in reasons if r.get("Code") == "ValidationError"), "")
                raise errors.BadRequest(f"The data cannot be stored: {detail or 'invalid value'}.",
                                        code="UNSTORABLE_VALUE") from None
            if any(c in ("ThrottlingError", "ProvisionedThroughputExceeded") for c in codes):
                raise errors.TooManyRequests("The table is busy; retry with backoff.",
                                             headers={"Retry-After": "1"}) from None
        if code in _THROTTLED:
            raise errors.TooManyRequests("The table is busy; retry with backoff.",
                                         headers={"Retry-After": "1"}) from None
        if code == "ValidationException":
            message = exc.response.get("Error", {}).get("Message", "")
            if "size" in message.lower():
                raise errors.PayloadTooLarge("The item would exceed DynamoDB's 400 KB item limit.") from None
            raise errors.BadRequest(f"The data cannot be stored: {message}.", code="UNSTORABLE_VALUE") from None
        raise errors.ServiceUnavailable(f"Storage error ({code or 'unknown'}); retry later.") from None
    except (BotoConnectionError, HTTPClientError):  # HTTPClientError: read timeouts, closed connections
        raise errors.ServiceUnavailable("Storage unreachable; retry later.") from None


def get(pk: str, sk: str, consistent: bool = True) -> dict | None:
    out = _call("get_item", TableName=table_name(), Key={"PK": {"S": pk}, "SK": {"S": sk}},
                ConsistentRead=consistent)
    return decode(out.get("Item"))


def put(item: dict, *, condition: str | None = None, names: dict | None = None,
        values: dict | None = None) -> None:
    kwargs = {"TableName": table_name(), "Item": encode(item)}
    _conditional(kwargs, condition, names, values)
    _call("put_item", **kwargs)


def update(pk: str, sk: str, expression: str, *, condition: str | None = None,
           names: dict | None = None, values: dict | None = None, return_new: bool = True):
    kwargs = {"TableName": table_name(), "Key": {"PK": {"S": pk}, "SK": {"S": sk}},
              "UpdateExpression": expression,
              "ReturnValues": "ALL_NEW" if return_new else "NONE"}
    _conditional(kwargs, condition, names, values)
    out = _call("update_item", **kwargs)
    return decode(out.get("Attributes"))


def _conditional(kwargs, condition, names, values):
    if condition:
        kwargs["ConditionExpression"] = condition
    if names:
        kwargs["ExpressionAttributeNames"] = names
    if values:
        kwargs["ExpressionAttributeValues"] = {k: value(v) for k, v in values.items()}


def query(pk_value: str, *, index: str | None = None, sk_prefix: str | None = None,
          limit: int | None = None, start: dict | None = None, forward: bool = True,
          consistent: bool = False, projection: list[str] | None = None,
          filter: str | None = None, names: dict | None = None,
          values: dict | None = None) -> tuple[list[dict], dict | None]:
    """One page of a Query on the table or a GSI; returns (items, LastEvaluatedKey).

    `projection` limits the attributes returned (bytes on the wire, not read capacity);
    `filter` is a FilterExpression over `names`/`values` (#f.../:f... placeholders)."""
    kwargs = _query_kwargs(pk_value, index, sk_prefix, forward, consistent, filter, names, values)
    if projection:
        kwargs["ProjectionExpression"] = ", ".join(f"#p{i}" for i in range(len(projection)))
        kwargs["ExpressionAttributeNames"].update({f"#p{i}": a for i, a in enumerate(projection)})
    if limit:
        kwargs["Limit"] = limit
    if start:
        kwargs["ExclusiveStartKey"] = start
    out = _call("query", **kwargs)
    return [decode(i) for i in out.get("Items", [])], out.get("LastEvaluatedKey")


def count(pk_value: str, *, index: str | None = None, sk_prefix: str | None = None,
          start: dict | None = None, filter: str | None = None, names: dict | None = None,
          values: dict | None = None) -> tuple[int, dict | None]:
    """One page of a Select=COUNT Query; returns (count, LastEvaluatedKey)."""
    kwargs = _query_kwargs(pk_value, index, sk_prefix, True, False, filter, names, values)
    kwargs["Select"] = "COUNT"
    if start:
        kwargs["ExclusiveStartKey"] = start
    out = _call("query", **kwargs)
    return int(out.get("Count", 0)), out.get("LastEvaluatedKey")


def _query_kwargs(pk_value, index, sk_prefix, forward, consistent, filter, names, values) -> dict:
    pk_name, sk_name = ("PK", "SK") if index is None else (f"{index}PK", f"{index}SK")
    expr = "#pk = :pk"
    all_names = {"#pk": pk_name}
    all_values = {":pk": {"S": pk_value}}
    if sk_prefix:
        expr += " AND begins_with(#sk, :sk)"
        all_names["#sk"] = sk_name
        all_values[":sk"] = {"S": sk_prefix}
    kwargs = {"TableName": table_name(), "KeyConditionExpression": expr,
              "ExpressionAttributeNames": all_names, "ExpressionAttributeValues": all_values,
              "ScanIndexForward": forward}
    if filter:
        kwargs["FilterExpression"] = filter
        all_names.update(names or {})
        all_values.update({k: value(v) for k, v in (values or {}).items()})
    if index:
        kwargs["IndexName"] = index
    elif consistent:
        kwargs["ConsistentRead"] = True
    return kwargs


def batch_get(keys: list[tuple[str, str]], *, consistent: bool = False,
              projection: list[str] | None = None) -> list[dict]:
    """Items for (PK, SK) pairs, in no particular order; missing ones are simply absent.
    `projection`: only these attributes (PK and SK are always added).

    One BatchGetItem per 100 keys; unprocessed keys (throttling) are retried a few times."""
    import time
    out: list[dict] = []
    unique = list(dict.fromkeys(keys))
    extra = {}
    if projection:
        names = list(dict.fromkeys(["PK", "SK", *projection]))
        extra = {"ProjectionExpression": ", ".join(f"#p{i}" for i in range(len(names))),
                 "ExpressionAttributeNames": {f"#p{i}": n for i, n in enumerate(names)}}
    for i in range(0, len(unique), 100):
        request = {table_name(): {"Keys": [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in unique[i:i + 100]],
                                  "ConsistentRead": consistent, **extra}}
        for attempt in range(6):
            res = _call("batch_get_item", RequestItems=request)
            out.extend(decode(item) for item in res.get("Responses", {}).get(table_name(), []))
            request = res.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(0.05 * 2 ** attempt)
        else:
            raise errors.TooManyRequests("The table is busy; retry with backoff.", headers={"Retry-After": "1"})
    return out


def put_op(item: dict, condition: str | None = None, names=None, values=None) -> dict:
    op = {"TableName": table_name(), "Item": encode(item)}
    _conditional(op, condition, names, values)
    return {"Put": op}


def update_op(pk: str, sk: str, expression: str, condition: str | None = None,
              names=None, values=None) -> dict:
    op = {"TableName": table_name(), "Key": {"PK": {"S": pk}, "SK": {"S": sk}},
          "UpdateExpression": expression}
    _conditional(op, condition, names, values)
    return {"Update": op}


def delete(pk: str, sk: str) -> None:
    _call("delete_item", TableName=table_name(), Key={"PK": {"S": pk}, "SK": {"S": sk}})


def delete_op(pk: str, sk: str, condition: str | None = None, names=None, values=None) -> dict:
    op = {"TableName": table_name(), "Key": {"PK": {"S": pk}, "SK": {"S": sk}}}
    _conditional(op, condition, names, values)
    return {"Delete": op}


def check_op(pk: str, sk: str, condition: str, names=None, values=None) -> dict:
    op = {"TableName": table_name(), "Key": {"PK": {"S": pk}, "SK": {"S": sk}}}
    _conditional(op, condition, names, values)
    return {"ConditionCheck": op}


def transact(ops: list[dict], token: str | None = None) -> None:
    kwargs = {"TransactItems": ops}
    if token:
        kwargs["ClientRequestToken"] = token
    _call("transact_write_items", **kwargs)
