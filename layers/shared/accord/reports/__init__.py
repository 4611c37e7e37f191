"""Reports family: Dagster-compatible event reports over HTTP and SQS (DESIGN §5).

parse (pure: Dagster's request semantics, typed events, limits) → record (idempotent recording,
checks → audit runs) → store/events.py; status (latest events, freshness); reads (registry views);
api (the HTTP routes' logic); sqs (the queue worker's batch processor).
"""
