"""Run the heat model over one code tree (its layer, functions and template) and print the rows
as JSON: `python bench/heat_run.py --root DIR --n 40 [--only name,name]`.

bench_heat.py runs it twice — over the code as it was before issue 18 (extracted from git) and
over this tree — so both sets of figures come from the same model, workload and moto, in one run.
The model itself (tests/support/heat*.py) always comes from this tree.
"""
import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    root = Path(args.root).resolve()
    # the measured tree's layer first; the model, the local emulator and the bench inputs from this repo
    sys.path[:0] = [str(root / "layers" / "shared"), str(REPO), str(REPO / "tools"), str(HERE)]
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                      AWS_REGION="us-east-1", POWERTOOLS_LOG_LEVEL="CRITICAL", POWERTOOLS_SERVICE_NAME="accord",
                      POWERTOOLS_METRICS_DISABLED="true")   # EMF lines would mix into the JSON on stdout
    os.environ.pop("AWS_ENDPOINT_URL", None)
    import logging
    logging.disable(logging.CRITICAL)

    import boto3
    from moto import mock_aws

    from local import moto_patches
    from local.cfn import load_model
    from local.emulator import create_resources
    from tests.support import heat, heat_paths

    moto_patches.apply()
    only = {s.strip() for s in args.only.split(";") if s.strip()}   # ";": path names hold commas
    out = {}
    for path in heat_paths.PATHS:
        if only and path.name not in only:
            continue
        with mock_aws():
            from accord.store import db
            db.reset_client()
            model = load_model(str(root / "template.yaml"))
            create_resources(model, boto3.client("dynamodb", region_name="us-east-1"),
                             boto3.client("sqs", region_name="us-east-1"), boto3.client("s3", region_name="us-east-1"))
            os.environ["TABLE_NAME"] = model.tables["AccordTable"].name
            if not heat_paths.available(path):
                out[path.name] = None
                continue
            ctx = heat_paths.Ctx(root)
            with heat.Recorder(db.client(), heat_paths.TENANT) as rec:
                heat_paths.run(ctx, rec, path, max(args.n, path.batch) if path.rate > 1 else min(args.n, 3))
            row = heat.analyse(rec.ops[path.name], path.rate, path.spread, heat_paths.TENANT)
            d = asdict(row)
            d["items"] = d["items"][:6]
            d["ok"] = row.ok
            d["requests"] = path.requests
            out[path.name] = d
            db.reset_client()
    out["_meta"] = {"log_retention_days": _log_retention(root)}
    json.dump(out, sys.stdout)


def _log_retention(root: Path) -> float | None:
    """The shortest log retention the tree's template sets (None: logs are kept forever)."""
    from local.cfn import load_yaml
    days = [r["Properties"].get("RetentionInDays") for r in load_yaml(str(root / "template.yaml"))["Resources"].values()
            if r["Type"] == "AWS::Logs::LogGroup"]
    days = [d for d in days if isinstance(d, int)]
    return min(days) if days else None


if __name__ == "__main__":
    main()
