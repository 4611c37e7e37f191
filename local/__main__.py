"""`python -m local` -- run template.yaml locally (what `make dev` runs).

Environment: PORT (default 3000), ACCORD_ADMIN_KEY (else generated once and kept in the state
dir), ACCORD_STATE_DIR (default .accord-local/), ACCORD_LOCAL_CONCURRENCY (workers per function,
default 4), ACCORD_LOCAL_SQS_RETRY_DELAY (seconds before a failed SQS message is visible again,
default 1), ACCORD_LOCAL_QUIET=1 (no request/function log lines), ACCORD_LOCAL_RELOAD=0 (do not
restart a function's workers when its code or layer changes), ACCORD_SCHEDULE_SCALE (tests: multiply
the schedules' periods, e.g. 0.05 runs a rate(1 minute) function every 3 s).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import threading
import time


def main(argv: list[str] | None = None) -> int:
    t0 = time.perf_counter()
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo-root", default=os.getcwd(), help="directory holding the template")
    parser.add_argument("--template", default="template.yaml", help="template file (relative to --repo-root)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument("--state-dir", default=os.environ.get("ACCORD_STATE_DIR"))
    parser.add_argument(
        "--parameter-overrides",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="template parameters, like sam's --parameter-overrides",
    )
    parser.add_argument("--quiet", action="store_true", default=os.environ.get("ACCORD_LOCAL_QUIET") == "1")
    args = parser.parse_args(argv)

    from .runtime import LocalRuntime

    overrides = {}
    for item in args.parameter_overrides:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--parameter-overrides: expected KEY=VALUE, got {item!r}")
        overrides[key.removeprefix("ParameterKey=")] = value
    state_dir = args.state_dir or os.path.join(os.path.abspath(args.repo_root), ".accord-local")
    rt = LocalRuntime(
        repo_root=args.repo_root,
        template=args.template,
        port=args.port,
        state_dir=state_dir,
        admin_key=os.environ.get("ACCORD_ADMIN_KEY") or None,
        parameter_overrides=overrides,
        quiet=args.quiet,
        reload=os.environ.get("ACCORD_LOCAL_RELOAD", "1") != "0",
    )
    stop = threading.Event()
    received: list[str] = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signal.Signals(signum).name)
        stop.set()

    # Every graceful stop ends in the same place: Ctrl-C (SIGINT), a supervisor or CI teardown
    # (SIGTERM, also to the whole group) and a closed terminal (SIGHUP). The emulator and the
    # function workers ignore these signals, so the runtime stops them in order.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        rt.start()
    except Exception as exc:  # noqa: BLE001 - tell the developer what broke
        hint = ""
        if isinstance(exc, OSError) and exc.errno == 98:
            hint = f" (port {args.port} is taken: stop the other server or set PORT=<another port>)"
        print(f"accord-local: failed to start: {exc}{hint}", file=sys.stderr)
        return 1
    ready = time.perf_counter() - t0
    print(banner(rt, ready), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        why = f" ({received[0]})" if received else ""
        print(f"\naccord-local: stopping{why}: finishing requests in flight, then saving state...",
              file=sys.stderr, flush=True)
        outcome = rt.stop()
        print(f"accord-local: {stop_message(outcome, rt.state.path)}", file=sys.stderr, flush=True)
    return 0 if not (outcome or {}).get("error") else 3


def stop_message(outcome: dict | None, state_dir: str) -> str:
    """What happened to the state, truthfully."""
    if not outcome or not outcome.get("persisted"):
        return "stopped (no state kept)" if outcome else "stopped; the emulator was not running"
    if outcome.get("error"):
        return (f"the final snapshot failed ({outcome['error']}); every acknowledged write is in the "
                f"journal in {state_dir} and is replayed at the next start")
    return (f"state saved in {state_dir} ({outcome['items']} items, {outcome['messages']} queued "
            f"messages, {outcome['seconds']:.2f} s)")


def banner(rt: object, ready: float) -> str:
    from .runtime import LocalRuntime

    assert isinstance(rt, LocalRuntime) and rt.model is not None
    lines = [
        "",
        f"Accord local runtime ready in {ready:.2f} s",
        f"  API:          {rt.url}",
        f"  Admin key:    {rt.admin_key}",
        f"  AWS emulator: {rt.moto_url}   (moto; region us-east-1, any credentials)",
        f"  State dir:    {rt.state.path}",
    ]
    if any(r.path == "/ui" for api in rt.model.apis.values() for r in api.routes):
        lines.insert(3, f"  Web UI:       {rt.url}/ui/   (sign in with an API key, e.g. the admin key)")
    producer_queue = None
    dlqs = {q.dlq_id for q in rt.model.queues.values() if q.dlq_id}
    ordered = sorted(rt.model.queues.items(), key=lambda kv: kv[0] in dlqs)
    for lid, q in ordered:
        consumers = [
            f.logical_id for f in rt.model.functions.values() if any(e.queue_id == lid for e in f.sqs_events)
        ]
        dlq_of = [o.logical_id for o in rt.model.queues.values() if o.dlq_id == lid]
        role = f"-> {', '.join(consumers)}" if consumers else (f"(DLQ of {', '.join(dlq_of)})" if dlq_of else "")
        lines.append(f"  Queue {lid}: {rt.queue_urls[lid]} {role}".rstrip())
        if consumers and producer_queue is None:
            producer_queue = lid
    if rt.model.tables:
        lines.append("  Tables:       " + ", ".join(rt.table_names.values()))
    for poller in rt.stream_pollers:
        lines.append(f"  Stream:       {poller.table.name} -> {poller.function.logical_id} (polled every 0.25 s)")
    for bus in rt.model.buses.values():
        lines.append(f"  Event bus:    {bus.name} (moto; each event is printed as a [bus] line, with the rules it "
                     "matches)")
    if rt.schedulers:
        scale = f" x{rt.schedule_scale:g} (ACCORD_SCHEDULE_SCALE)" if rt.schedule_scale != 1 else ""
        lines.append("  Schedules:    " + ", ".join(f"{s.function.logical_id} every {s.period:g} s"
                                                    for s in rt.schedulers) + scale)
    lines.append("")
    lines.append("Try:")
    from .invoke import sample_api_event, sample_env_endpoint, sample_sqs_message

    auth = f"-H 'Authorization: Bearer {rt.admin_key}'"
    lines.append(f"  curl -s {rt.url}/health")
    lines.append(f"  curl -s {auth} {rt.url}/api/v1/teams")
    if producer_queue:
        # a message of the sample SQS event (events/), which the tests prove the worker records
        sample = sample_sqs_message(rt.repo_root, rt.model.queues[producer_queue].name)
        body, attributes = sample or ("<message body>", None)
        send = (
            "  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing aws sqs send-message --region us-east-1 "
            f"--endpoint-url {rt.moto_url} --queue-url {rt.queue_urls[producer_queue]} "
            f"--message-body {shlex.quote(body)}"
        )
        if attributes:
            send += f" --message-attributes {shlex.quote(json.dumps(attributes, separators=(',', ':')))}"
        lines.append(send)
        try:
            key = json.loads(body).get("asset_key")
        except (ValueError, AttributeError):
            key = None
        if isinstance(key, list) and key and all(isinstance(k, str) for k in key):
            events = f"{rt.url}/api/v1/events?asset_key={'/'.join(key)}"
            lines.append(f"  curl -s {auth} '{events}'   # what the worker recorded")
    invoke = sample_api_event(rt.repo_root, rt.model, "GET", "/api/v1/teams")
    if invoke:
        line = f"make invoke FN={invoke[0]} EVENT={invoke[1]}"
        if sample_env_endpoint(rt.repo_root) != rt.moto_url:  # events/env.json names the default port
            line = f"PORT={rt.port} ACCORD_LOCAL_AWS_PORT={rt.moto_url.rsplit(':', 1)[1]} {line} ENV_VARS="
        lines.append(f"  {line}   # one function, one event (README: make invoke)")
    lines.append("")
    lines.append("Ctrl-C stops. Every acknowledged write is journaled in the state dir at once; "
                 "`make dev-reset` wipes it.")
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["invoke"]:  # `python -m local invoke FN -e EVENT`, like `sam local invoke`
        from .invoke import main as invoke_main

        sys.exit(invoke_main(sys.argv[2:]))
    sys.exit(main())
