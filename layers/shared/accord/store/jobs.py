"""Jobs (DynamoDB), their queue (SQS) and the dbt import's uploads (the import bucket, S3).

A job is one item (keys.py "job") of any `kind` (accord/jobs); one SQS message {tenant, job_id}
on the job queue (JOB_QUEUE_URL) runs it. An upload is an S3 object under `uploads/{tenant}/{upload id}` (keys.upload_key), written by the
client with a presigned PUT and read once by the job worker; the bucket's lifecycle rule
expires it. A job's `status` moves queued → running → succeeded | failed with conditional
updates; `progress` and `attempts` (and a kind's own checkpoint) are updated as it runs.

The S3 and SQS clients are botocore's, made on first use (the sync function presigns, the worker
reads); locally AWS_ENDPOINT_URL points them at the emulator, with path-style S3 addressing
(a presigned URL for http://127.0.0.1:PORT/bucket/key).
"""
import json
import os
import zlib

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from accord import clock, errors
from accord.store import db, keys as k

TTL_DAYS = 30
_clients: dict = {}


def _client(service: str):
    if service not in _clients:
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        _clients[service] = botocore.session.get_session().create_client(
            service, region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            config=Config(retries={"mode": "standard", "max_attempts": 4}, signature_version="s3v4" if service == "s3"
                          else None, s3={"addressing_style": "path"} if endpoint else None))
    return _clients[service]


def reset_clients() -> None:
    _clients.clear()


def bucket() -> str:
    name = os.environ.get("IMPORT_BUCKET")
    if not name:
        raise errors.ServiceUnavailable("Large uploads are not configured here (IMPORT_BUCKET is not set).")
    return name


def _storage_error(exc) -> errors.AccordError:
    code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else type(exc).__name__
    return errors.ServiceUnavailable(f"Upload storage error ({code or 'unknown'}); retry later.")


# ------------------------------------------------------------------ uploads (S3)
def presign_put(tenant: str, upload_id: str, expires_in: int) -> str:
    try:
        return _client("s3").generate_presigned_url(
            "put_object", Params={"Bucket": bucket(), "Key": k.upload_key(tenant, upload_id)}, ExpiresIn=expires_in)
    except (ClientError, BotoCoreError) as exc:
        raise _storage_error(exc) from None


def _upload_object(call: str, tenant: str, upload_id: str) -> dict | None:
    """One S3 call on an upload's object; None when nothing was uploaded (or it expired)."""
    try:
        return getattr(_client("s3"), call)(Bucket=bucket(), Key=k.upload_key(tenant, upload_id))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise _storage_error(exc) from None
    except BotoCoreError as exc:
        raise _storage_error(exc) from None


def upload_size(tenant: str, upload_id: str) -> int | None:
    """The uploaded object's size, or None when nothing was uploaded (or it expired)."""
    head = _upload_object("head_object", tenant, upload_id)
    return None if head is None else int(head.get("ContentLength", 0))


def read_upload(tenant: str, upload_id: str) -> bytes | None:
    out = _upload_object("get_object", tenant, upload_id)
    if out is None:
        return None
    try:
        return out["Body"].read()
    except BotoCoreError as exc:
        raise _storage_error(exc) from None


def delete_upload(tenant: str, upload_id: str) -> None:
    try:
        _client("s3").delete_object(Bucket=bucket(), Key=k.upload_key(tenant, upload_id))
    except (ClientError, BotoCoreError):
        pass  # the lifecycle rule expires it anyway


# ------------------------------------------------------------------ the queue (SQS)
def enqueue(message: dict) -> None:
    url = os.environ.get("JOB_QUEUE_URL")
    if not url:
        raise errors.ServiceUnavailable("Jobs are not configured here (JOB_QUEUE_URL is not set).")
    try:
        _client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(message, separators=(",", ":")))
    except (ClientError, BotoCoreError) as exc:
        raise errors.ServiceUnavailable(f"The job queue is unavailable ({type(exc).__name__}); retry.") from None


# ------------------------------------------------------------------ jobs (DynamoDB)
def _pack(result) -> bytes:
    return zlib.compress(json.dumps(result, separators=(",", ":"), default=str).encode("utf-8"), 6)


def _public(item: dict) -> dict:
    out = {key: v for key, v in item.items() if key not in ("PK", "SK", "ttl", "result_doc")}
    if item.get("result_doc") is not None:
        out["result"] = json.loads(zlib.decompress(bytes(item["result_doc"])))
    return out


def _item(tenant: str, job: dict) -> dict:
    ttl = int(clock.parse(job["created_at"]).timestamp()) + TTL_DAYS * 86400
    return {"PK": k.job_record_pk(tenant, job["id"]), "SK": k.JOB_SK, **job, "ttl": ttl}


def _wake_key(tenant: str, job_id: str, wake_at: str) -> tuple[str, str]:
    return k.job_wake_pk(wake_at[:10]), k.job_wake_sk(wake_at, tenant, job_id)


def create_ops(tenant: str, job: dict) -> list[dict]:
    """The job's creation as transaction parts (written with the change that asks for it): the job,
    and its wake marker when it has a `wake_at` — the sweep's proof that its message may not have
    been sent (a crash or a queue outage between the commit and the send)."""
    ops = [db.put_op(_item(tenant, job), "attribute_not_exists(PK)")]
    if job.get("wake_at"):
        pk, sk = _wake_key(tenant, job["id"], job["wake_at"])
        ttl = int(clock.parse(job["wake_at"]).timestamp()) + TTL_DAYS * 86400
        ops.append(db.put_op({"PK": pk, "SK": sk, "tenant": tenant, "job_id": job["id"], "ttl": ttl}))
    return ops


def create(tenant: str, job: dict) -> None:
    ops = create_ops(tenant, job)
    if len(ops) == 1:
        db.put(_item(tenant, job), condition="attribute_not_exists(PK)")
    else:
        db.transact(ops)


def sent(tenant: str, job: dict) -> None:
    """The job's message is on the queue: its wake marker goes (best effort — a marker left behind
    only costs the sweep a read and, if the job is still queued then, a duplicate message)."""
    if job.get("wake_at"):
        try:
            db.delete(*_wake_key(tenant, job["id"], job["wake_at"]))
        except errors.AccordError:
            pass


def due_wakes(day: str, now_iso: str, limit: int = 100) -> list[dict]:
    """Wake markers of `day` whose time has come (at most `limit`), oldest first."""
    items, _ = db.query(k.job_wake_pk(day), limit=limit)
    return [i for i in items if i["SK"] <= now_iso]


def drop_wake(marker: dict) -> None:
    db.delete(marker["PK"], marker["SK"])


def get(tenant: str, job_id: str) -> dict | None:
    item = db.get(k.job_record_pk(tenant, job_id), k.JOB_SK)
    return _public(item) if item else None


def get_many(tenant: str, job_ids) -> dict[str, dict]:
    """{id: job} for those of `job_ids` that exist (one BatchGetItem per 100)."""
    items = db.batch_get([(k.job_record_pk(tenant, j), k.JOB_SK) for j in job_ids], consistent=True)
    return {i["id"]: _public(i) for i in items}


def _update_parts(fields: dict, when_status, add_attempt: bool):
    sets = ", ".join(f"#f{i} = :f{i}" for i in range(len(fields)))
    names = {f"#f{i}": n for i, n in enumerate(fields)}
    values = {f":f{i}": v for i, v in enumerate(fields.values())}
    expr = f"SET {sets}" + (", attempts = if_not_exists(attempts, :zero) + :one" if add_attempt else "")
    if add_attempt:
        values.update({":zero": 0, ":one": 1})
    cond = "attribute_exists(PK)"
    if when_status:
        names["#st"] = "status"
        cond += " AND #st IN (" + ", ".join(f":s{i}" for i in range(len(when_status))) + ")"
        values.update({f":s{i}": s for i, s in enumerate(when_status)})
    return expr, cond, names, values


def update_op(tenant: str, job_id: str, fields: dict, when_status: tuple[str, ...]) -> dict:
    """`update` as a transaction part (a checkpoint written with the work it records)."""
    return db.update_op(k.job_record_pk(tenant, job_id), k.JOB_SK, *_update_parts(fields, when_status, False))


def update(tenant: str, job_id: str, fields: dict, *, when_status: tuple[str, ...] | None = None,
           add_attempt: bool = False, result=None, also: list[dict] | None = None) -> dict | None:
    """Set `fields` (and the packed `result`); only while the job's status is one of
    `when_status`. Returns the job as updated, or None when the condition did not hold. `also`:
    more transaction parts (an outbox event) written with the update, or not at all (then the
    return value is the job's id only)."""
    if result is not None:
        fields = {**fields, "result_doc": _pack(result)}
    expr, cond, names, values = _update_parts(fields, when_status, add_attempt)
    try:
        if also:
            db.transact([db.update_op(k.job_record_pk(tenant, job_id), k.JOB_SK, expr, cond, names, values), *also])
            return {"id": job_id}
        item = db.update(k.job_record_pk(tenant, job_id), k.JOB_SK, expr, condition=cond, names=names, values=values)
    except db.ConditionFailed:
        return None
    return _public(item)
