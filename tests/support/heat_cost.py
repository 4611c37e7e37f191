"""What the heat model's figures cost: per million operations, and a mid-size tenant's month.

Inputs are the heat model's measured rows (write and read units per operation, bytes each
operation adds to the table and its indexes, and for how long: a `ttl`), the billable requests
each path declares (API Gateway, Lambda, SQS), and public us-east-1 prices (on-demand DynamoDB
after the November 2024 price cut, arm64 Lambda). Nothing here is measured on AWS: it is the
model's arithmetic, stated so that anyone can check it.

The mid-size tenant (MONTH): 2,000 assets registered in month 1 with their first contracts and
lineage, then a steady trickle; 200,000 reports a day (half over HTTP, half through the queue;
materializations, observations and checks in equal parts) and a dbt test run per asset a day.
Storage is billed on the average size over the month; expiring items stay for their ttl.
"""
PRICES = {
    "wru": 0.625 / 1e6,            # DynamoDB on-demand write request unit
    "rru": 0.125 / 1e6,            # read request unit
    "storage_gb_month": 0.25,      # table + index storage
    "pitr_gb_month": 0.20,         # point-in-time recovery (table size)
    "api": 3.50 / 1e6,             # API Gateway REST request
    "lambda": 0.20 / 1e6,          # Lambda request
    "lambda_gb_s": 0.0000133334,   # arm64 duration
    "sqs": 0.40 / 1e6,             # SQS standard request
    "log_ingest_gb": 0.50,         # CloudWatch Logs ingestion
    "log_store_gb_month": 0.03,    # CloudWatch Logs storage
}
LAMBDA_GB_S = 0.5 * 0.06           # 512 MB for ~60 ms billed per invocation
LOG_BYTES = 700                    # START/END/REPORT lines and one structured line per invocation
GB = 1024 ** 3
DAYS = 30

# operations per month: (month 1, each later month)
MONTH = {
    "asset create": (2_000, 100),
    "first publish": (2_000, 100),
    "publish": (1_000, 1_000),
    "dependency add": (4_000, 200),
    "registration": (500, 50),
    "acknowledge": (100, 100),
    "audit result on one asset": (60_000, 60_000),
    "report (HTTP)": (3_000_000, 3_000_000),
    "report (queue)": (3_000_000, 3_000_000),
}


def per_million(row: dict, requests: dict) -> dict:
    """Dollars per million operations of one path (requests only; storage is per month)."""
    invocations = requests.get("lambda", 0)
    out = {"dynamodb": (row["wru"] * PRICES["wru"] + row["rru"] * PRICES["rru"]) * 1e6,
           "api": requests.get("api", 0) * PRICES["api"] * 1e6,
           "lambda": invocations * (PRICES["lambda"] + LAMBDA_GB_S * PRICES["lambda_gb_s"]) * 1e6,
           "sqs": requests.get("sqs", 0) * PRICES["sqs"] * 1e6,
           "logs": invocations * LOG_BYTES / GB * PRICES["log_ingest_gb"] * 1e6}
    out["total"] = sum(out.values())
    return out


def _stored(row: dict, where: str, day: float, age_days: float) -> float:
    """Bytes one operation made `age_days` ago still holds in `where` (table | index)."""
    keep = row["storage"].get(f"{where} permanent", 0.0)
    if age_days < (row.get("expiring_days") or 0):
        keep += row["storage"].get(f"{where} expiring", 0.0)
    return keep


def month(rows: dict, requests: dict, m: int, log_retention_days: float | None) -> dict:
    """The bill of month `m` (1-based) for the MONTH mix, from `rows` (path name -> row dict)."""
    bill = {"requests": 0.0, "storage": 0.0, "pitr": 0.0, "logs": 0.0}
    mid = DAYS * (m - 1) + DAYS / 2           # storage billed at its mid-month size
    table = index = logs = 0.0
    for name, (first, later) in MONTH.items():
        row = rows.get(name)
        if row is None:
            continue
        this_month = first if m == 1 else later
        bill["requests"] += this_month * per_million(row, requests[name])["total"] / 1e6
        for day in range(int(mid)):           # daily volume, day by day, up to mid-month
            per_day = (first if day < DAYS else later) / DAYS
            age = mid - day
            table += per_day * _stored(row, "table", day, age)
            index += per_day * _stored(row, "index", day, age)
            invocations = per_day * requests[name].get("lambda", 0)
            if log_retention_days is None or age < log_retention_days:
                logs += invocations * LOG_BYTES
    bill["storage"] = (table + index) / GB * PRICES["storage_gb_month"]
    bill["pitr"] = table / GB * PRICES["pitr_gb_month"]
    bill["logs"] = logs / GB * PRICES["log_store_gb_month"]
    bill["total"] = sum(bill.values())
    bill["stored_gb"] = (table + index) / GB
    return bill
