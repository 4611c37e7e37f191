"""The commands: parse what the user gave, call `api`, print (JSON with --json, else for people)."""
import json
import os
import sys

from accord_cli import config, output
from accord_cli.api import Accord, flag_changes, parse_key
from accord_cli.errors import BREAKING, CliError
from accord_cli.http import Http


def client(args, settings=None) -> Accord:
    s = config.require(settings or config.resolve(args))
    http = Http(s.url, s.api_key, s.timeout)
    reports = Http(s.reports_url, s.api_key, s.timeout) if s.reports_url and s.reports_url != s.url else None
    return Accord(http, reports)


def wants_json(args) -> bool:
    return bool(getattr(args, "json", False))


def read_json_file(path: str, what: str):
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as f:
                text = f.read()
    except OSError as exc:
        raise CliError(f"Cannot read the {what} {path!r}: {exc.strerror or exc}.") from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CliError(f"The {what} {path!r} is not JSON ({exc}).") from exc


# ------------------------------------------------------------------ login / logout
def login(args):
    import getpass
    s = config.resolve(args)
    url = s.url
    if not url:
        if not sys.stdin.isatty():
            raise CliError("No Accord URL: pass --url (stdin is not a terminal to ask).")
        url = input("Accord URL: ").strip()
    key = s.api_key if s.source["api_key"] in ("flag", "ACCORD_API_KEY") else None
    if args.api_key_stdin:
        key = sys.stdin.readline().strip()
    elif not key:
        if not sys.stdin.isatty():
            raise CliError("No API key: pass --api-key or --api-key-stdin (stdin is not a terminal to ask).")
        key = getpass.getpass("API key (input hidden): ").strip()
    if not url or not key:
        raise CliError("Both a URL and an API key are needed.")
    api = Accord(Http(url, key, s.timeout))
    who = api.verify_key()
    data = {"url": url.rstrip("/"), "api_key": key}
    if getattr(args, "reports_url", None):
        data["reports_url"] = args.reports_url
    path = config.save(data)
    if wants_json(args):
        output.emit_json({"config": path, "url": data["url"], "verified": True, "me": who or None})
        return 0
    if who:
        team = (who.get("team") or {}).get("name") or "no team"
        print(f"Logged in to {data['url']} as {who.get('name') or who.get('id')} "
              f"(tenant {who.get('tenant')}, {team}, scopes {', '.join(who.get('scopes') or [])}).")
    else:
        print(f"Logged in to {data['url']}: the key works (this server cannot say whose it is).")
    print(f"Saved to {path} (readable by you only).")
    return 0


def logout(args):
    removed = config.delete()
    print(f"Removed {config.config_path()}." if removed else "Not logged in: nothing to remove.")
    return 0


# ------------------------------------------------------------------ assets
def _asset_rows(assets):
    return [[a.get("fqn"), a.get("environment"), a.get("owner_team_name"), a.get("active_contract_version") or "-",
             a.get("id")] for a in assets]


def assets_list(args):
    api = client(args)
    owner = api.resolve_team(args.owner)["id"] if args.owner else None
    found = list(api.iter_assets(limit=args.limit or None, fqn=args.fqn, owner_team_id=owner,
                                 environment=args.environment))
    if wants_json(args):
        output.emit_json(found)
    else:
        output.table(["fqn", "environment", "owner", "version", "id"], _asset_rows(found), empty="No assets.")
    return 0


def assets_search(args):
    found = client(args).search_assets(args.query, args.limit)
    if wants_json(args):
        output.emit_json(found)
    else:
        output.table(["fqn", "environment", "owner", "version", "id"], _asset_rows(found),
                     empty=f"No asset matches {args.query!r}.")
    return 0


def assets_get(args):
    a = client(args).resolve_asset(args.asset, args.environment, include_status=args.status)
    if wants_json(args):
        output.emit_json(a)
        return 0
    pairs = [("fqn", a["fqn"]), ("id", a["id"]), ("environment", a["environment"]),
             ("owner", f"{a.get('owner_team_name')} ({a.get('owner_team_id')})"),
             ("contract", a.get("active_contract_version") or "none"), ("updated", a.get("updated_at"))]
    if args.status:
        fresh = a.get("freshness") or {}
        pairs.append(("freshness", fresh.get("status")))
        last = a.get("last_materialization") or {}
        pairs.append(("materialized", last.get("timestamp") or last.get("created_at") or "never"))
        for name, check in (a.get("checks") or {}).items():
            pairs.append((f"check {name}", check.get("status")))
    output.fields(pairs)
    return 0


def assets_lineage(args):
    api = client(args)
    a = api.resolve_asset(args.asset, args.environment)
    g = api.lineage(a["id"], args.depth)
    if wants_json(args):
        output.emit_json(g)
        return 0
    rows = [["upstream", n.get("depth"), n.get("fqn"), n.get("owner_team_name")] for n in g.get("upstream") or []]
    rows += [["downstream", n.get("depth"), n.get("fqn"), n.get("owner_team_name")] for n in g.get("downstream") or []]
    output.table(["direction", "depth", "fqn", "owner"], rows, title=f"Lineage of {a['fqn']}",
                 empty=f"{a['fqn']} has no lineage.")
    return 0


def teams(args):
    found = client(args).teams()
    if wants_json(args):
        output.emit_json(found)
    else:
        output.table(["name", "id"], [[t.get("name"), t.get("id")] for t in found], empty="No teams.")
    return 0


# ------------------------------------------------------------------ contract
def contract_get(args):
    api = client(args)
    a = api.resolve_asset(args.asset, args.environment)
    if args.contract_version:
        c = next((c for c in api.contracts_of(a["id"]) if c["version"] == args.contract_version), None)
        if c is None:
            raise CliError(f"{a['fqn']} has no contract version {args.contract_version}.")
    else:
        c = next(iter(api.contracts_of(a["id"], "active")), None)
        if c is None:
            raise CliError(f"{a['fqn']} has no contract yet: publish one with `accord contract publish`.")
    if wants_json(args):
        output.emit_json(c)
        return 0
    output.fields([("asset", a["fqn"]), ("version", c["version"]), ("status", c["status"]),
                   ("mode", c.get("compatibility_mode")), ("profile", c.get("profile") or "(default)"),
                   ("published", f"{c.get('published_at')} by {c.get('published_by_name') or c.get('published_by')}")])
    print()
    output.table(["column", "type", "required"], output.schema_columns(c.get("schema") or {}),
                 empty="(the schema has no properties)")
    return 0


def _schema_arg(path: str):
    doc = read_json_file(path, "schema file")
    if isinstance(doc, dict) and isinstance(doc.get("schema"), dict) and "properties" not in doc:
        doc = doc["schema"]  # a contract as `accord contract get --json` prints it
    if not isinstance(doc, dict):
        raise CliError(f"The schema file {path!r} must hold a JSON object (a JSON Schema).")
    return doc


def print_changes(result: dict) -> None:
    """Each change with its path and whether it breaks."""
    if not (result.get("changes") or result.get("all_changes")):
        print("No changes.")
        return
    rows = [["BREAKING" if breaks else "ok", c.get("path"), c.get("description"), c.get("reason")]
            for c, breaks in flag_changes(result)]
    output.table(["verdict", "path", "change", "why"], rows)


def contract_check(args):
    api = client(args)
    a = api.resolve_asset(args.asset, args.environment)
    result = api.impact(a["id"], _schema_arg(args.schema), mode=args.mode, profile=args.profile)
    breaking = bool(result.get("is_breaking"))
    if wants_json(args):
        output.emit_json(result)
    else:
        current = result.get("current_version") or "none"
        print(f"{a['fqn']}: {'BREAKING' if breaking else 'compatible'} against version {current} "
              f"({result.get('compatibility_mode')}, {result.get('profile')} profile); "
              f"next version {result.get('suggested_version')}.")
        print_changes(result)
        consumers = [c.get("team_name") or c.get("team_id") for c in result.get("affected_consumers") or []]
        if consumers:
            print(f"{'Affected' if breaking else 'Registered'} consumers: {', '.join(consumers)}.")
    return BREAKING if breaking else 0


def contract_publish(args):
    api = client(args)
    a = api.resolve_asset(args.asset, args.environment)
    body = {"schema": _schema_arg(args.schema)}
    for k, v in (("version", args.contract_version), ("compatibility_mode", args.mode), ("profile", args.profile)):
        if v:
            body[k] = v
    if args.guarantees:
        body["guarantees"] = read_json_file(args.guarantees, "guarantees file")
    result = api.publish(a["id"], body, dry_run=args.dry_run)
    if wants_json(args):
        output.emit_json(result)
        return 0
    action = result.get("action")
    version = (result.get("contract") or {}).get("version") or result.get("version")
    if action == "proposal_created":
        p = result.get("proposal") or {}
        print(f"{a['fqn']}: breaking for registered consumers: proposal {p.get('id')} opened; "
              f"it publishes once they approve (`accord proposals show {p.get('id')}`).")
    elif action == "unchanged":
        print(f"{a['fqn']}: unchanged (version {version}).")
    elif args.dry_run:
        print(f"{a['fqn']}: dry run: {action} {version or ''}".rstrip() + ".")
    else:
        print(f"{a['fqn']}: published version {version}.")
    if result.get("changes"):
        print_changes(result)
    return 0


# ------------------------------------------------------------------ proposals
def _proposal_rows(found):
    rows = []
    for p in found:
        waiting = {t.get("team_id"): t.get("team_name") for t in p.get("affected_teams") or []}
        for ack in p.get("acknowledgments") or []:
            waiting.pop(ack.get("consumer_team_id"), None)
        rows.append([p.get("id"), p.get("asset_fqn"), p.get("lifecycle_status") or p.get("status"),
                     len(p.get("breaking_changes") or []), ", ".join(n or i for i, n in waiting.items()) or "-",
                     p.get("proposed_at")])
    return rows


def proposals_list(args):
    api = client(args)
    asset_id = api.resolve_asset(args.asset, args.environment)["id"] if args.asset else None
    if args.pending_for:
        if args.status and args.status != "pending":
            raise CliError("--pending-for lists pending proposals: drop --status or make it 'pending'.")
        found = api.pending_for(api.resolve_team(args.pending_for)["id"], asset_id)
    else:
        found = api.proposals(args.status, asset_id)
    if wants_json(args):
        output.emit_json(found)
    else:
        output.table(["id", "asset", "status", "breaking", "waiting for", "proposed"], _proposal_rows(found),
                     empty="No proposals" + (f" wait for {args.pending_for}." if args.pending_for else "."))
    return 0


def proposals_show(args):
    api = client(args)
    st = api.proposal_status(args.proposal)
    if wants_json(args):
        output.emit_json(st)
        return 0
    p = st["proposal"]
    output.fields([("proposal", p["id"]), ("asset", p.get("asset_fqn")),
                   ("status", p.get("lifecycle_status") or p.get("status")),
                   ("version", f"{p.get('base_version')} → {p.get('proposed_version') or 'next major'}"),
                   ("proposed", f"{p.get('proposed_at')} by {p.get('proposed_by_name') or p.get('proposed_by')}"),
                   ("expires", p.get("expires_at") or "never"),
                   ("answers", f"{st.get('received_acknowledgments')} of {st.get('required_acknowledgments')}")])
    print()
    output.table(["path", "change", "why"], [[c.get("path"), c.get("description"), c.get("reason")]
                                               for c in p.get("breaking_changes") or []], title="Breaking changes",
                 empty="No breaking changes.")
    answered = [[a.get("team_name"), a.get("response"), a.get("notes"), a.get("acknowledged_at")]
                for a in st.get("acknowledged_consumers") or []]
    answered += [[t.get("team_name"), "(waiting)", "", ""] for t in st.get("pending_consumers") or []]
    print()
    output.table(["consumer", "answer", "notes", "at"], answered, title="Consumers", empty="No consumers.")
    return 0


def proposals_ack(args):
    api = client(args)
    team_id = api.resolve_team(args.team)["id"] if args.team else api.my_team_id()
    ack = api.acknowledge(args.proposal, team_id, args.response, args.notes)
    if wants_json(args):
        output.emit_json(ack)
    else:
        print(f"{ack.get('consumer_team_name') or team_id} answered {ack.get('response')} on proposal {args.proposal}.")
    return 0


# ------------------------------------------------------------------ report
def _metadata(items: list[str]) -> dict | None:
    if not items:
        return None
    out = {}
    for item in items:
        if item.lstrip().startswith("{"):
            try:
                obj = json.loads(item)
            except ValueError as exc:
                raise CliError(f"--metadata {item!r} is not a JSON object ({exc}).") from exc
            out.update(obj)
            continue
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CliError(f"--metadata {item!r}: use KEY=VALUE (or a JSON object).")
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def report(args):
    api = client(args)
    key = parse_key(args.asset_key)
    fields = {"metadata": _metadata(args.metadata), "partition": args.partition,
              "description": args.description, "environment": args.environment}
    if args.kind == "check":
        fields.update(check_name=args.check_name, passed=args.passed, severity=args.severity)
    else:
        fields["data_version"] = args.data_version
    result = api.report(args.kind, key, fields)
    if wants_json(args):
        output.emit_json({"reported": args.kind, "asset_key": key, **result})
    else:
        print(f"Reported the {args.kind} of {'/'.join(key)}.")
    return 0


# ------------------------------------------------------------------ dbt
def dbt_check(args):
    from accord_cli import dbt_check as check
    api = client(args)
    manifest = check.load_manifest(args.manifest)
    result = check.run(api, manifest, environment=args.environment)
    failed = result.fails(args.fail_on)
    markdown = check.markdown(result, args.fail_on)
    summary = args.summary or os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            with open(summary, "a", encoding="utf-8") as f:
                f.write(markdown + "\n")
        except OSError as exc:
            raise CliError(f"Cannot write the summary to {summary!r}: {exc.strerror or exc}.") from exc
    if wants_json(args):
        output.emit_json(result.as_json(args.fail_on))
    else:
        sys.stdout.write(markdown + "\n")
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in check.annotations(result, args.fail_on):
            sys.stdout.write(line + "\n")
    return BREAKING if failed else 0


def dbt_sync(args):
    from accord_cli import dbt_sync as sync
    manifest = sync.Artefact(args.manifest, "manifest")
    run_results = sync.Artefact(args.run_results, "run_results") if args.run_results else None
    api = client(args)
    opts = sync.options(api, args)
    outcome = sync.sync(api, manifest, run_results, opts, upload=args.upload, wait=args.wait,
                        wait_seconds=args.wait_timeout, progress=sync.Progress(quiet=wants_json(args)))
    result = outcome["result"]
    if result is None:  # --no-wait
        if wants_json(args):
            output.emit_json(outcome["job"])
        else:
            print(f"Import job {outcome['job_id']} queued: follow it with `accord dbt job {outcome['job_id']} --wait`.")
        return 0
    return _sync_result(args, result, outcome.get("job_id"))


def _sync_result(args, result: dict, job_id: str | None) -> int:
    from accord_cli import dbt_sync as sync
    warned = sync.warnings(result)
    if wants_json(args):
        output.emit_json({**result, **({"job_id": job_id} if job_id else {})})
    else:
        output.fields(sync.summary_rows(result) + ([("job", job_id)] if job_id else []))
        details = (result.get("proposals") or {}).get("details") or []
        if details:
            output.table(["proposal", "asset", "change", "breaking"],
                         [[d.get("proposal_id"), d.get("asset_fqn"), d.get("change_type"),
                           d.get("breaking_changes_count")] for d in details], title="Proposals waiting for consumers")
        nodes = result.get("nodes") or []
        if nodes or result.get("dry_run"):
            output.table(["node", "fqn", "action", "reason"],
                         [[n.get("unique_id"), n.get("fqn"), n.get("action"), n.get("reason")] for n in nodes],
                         title="Dry run: what would change" if result.get("dry_run") else "Nodes not imported as is",
                         empty="Dry run: nothing would change.")
        if result.get("dry_run"):
            print("Dry run: nothing was written.")
    for line in warned:
        output.note("warning: " + line)
    total = sum((result.get("warnings_total") or {}).values())
    if total > len(warned):
        output.note(f"({total - len(warned)} more warnings: see --json's warnings_total)")
    return BREAKING if args.strict and (warned or total) else 0


def dbt_job(args):
    from accord_cli import dbt_sync as sync
    api = client(args)
    job = sync.follow(api, args.job_id, args.wait_timeout, sync.Progress(quiet=wants_json(args))) \
        if args.wait else api.job(args.job_id)
    if wants_json(args):
        output.emit_json(job)
    else:
        p = job.get("progress") or {}
        output.fields([("job", job.get("job_id")), ("status", job.get("status")),
                       ("progress", f"{p.get('done', 0)}/{p.get('total', 0)}"), ("attempts", job.get("attempts")),
                       ("created", job.get("created_at")), ("finished", job.get("finished_at"))])
        if job.get("result"):
            print()
            output.fields(sync.summary_rows(job["result"]))
    if job.get("status") == "failed":
        err = job.get("error") or {}
        raise CliError(f"Import job {args.job_id} failed: {str(err.get('message') or 'no reason given').rstrip('.')}.")
    return 0


# ------------------------------------------------------------------ mcp
def mcp(args):
    try:
        from accord_cli import mcp_server
    except ImportError as exc:
        if "mcp" in str(getattr(exc, "name", "") or exc):
            raise CliError("`accord mcp` needs the MCP SDK: pip install 'accord-cli[mcp]'.") from exc
        raise
    return mcp_server.serve(client(args), allow_writes=args.allow_writes)

