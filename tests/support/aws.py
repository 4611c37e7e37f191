"""In-process AWS (moto) holding the template's tables and queues, for integration tests."""
import os

import boto3

from accord.store import db

from local.cfn import load_model
from local.emulator import create_resources
from tests.conftest import ROOT


def create_template_resources(region: str = "us-east-1") -> dict:
    """Create every table and queue template.yaml declares; returns {logical id: name or url}."""
    model = load_model(str(ROOT / "template.yaml"))
    urls = create_resources(model, boto3.client("dynamodb", region_name=region),
                            boto3.client("sqs", region_name=region), boto3.client("s3", region_name=region))
    return {**{lid: t.name for lid, t in model.tables.items()}, **urls,
            **{lid: b.name for lid, b in model.buckets.items()}}


def use_tables(names: dict) -> None:
    os.environ["TABLE_NAME"] = names["AccordTable"]


class DynamoCalls:
    """DynamoDB requests made while active (botocore's before-call hook on the store's client, as
    bench_registry counts): `ops` lists the operation names in order, except requests whose body
    holds `skip` (b"#RATE#": the report rate limiter's token leases, test_limits counts those)."""

    def __init__(self, skip: bytes | None = None):
        self.ops = []
        self.skip = skip

    def __enter__(self):
        db.client().meta.events.register("before-call.dynamodb.*", self._count)
        return self

    def _count(self, model, params=None, **kw):
        body = (params or {}).get("body") or b""
        if self.skip is None or self.skip not in (body if isinstance(body, bytes) else body.encode()):
            self.ops.append(model.name)

    def __exit__(self, *exc):
        db.client().meta.events.unregister("before-call.dynamodb.*", self._count)
