"""`accord`: the parser and the dispatch. Cold start is a feature (CI runs this thousands of
times): this module imports argparse and nothing else of weight; each command's module, the
HTTP client and rich load only when a command runs (`make bench`: bench_cli)."""
import argparse
import os
import sys

from accord_cli import __version__
from accord_cli.errors import FAILURE, CliError

EXIT_CODES = """exit status:
  0  done (check commands: compatible)
  1  a check found a breaking change (contract check; dbt check: one that breaks a registered consumer)
  2  usage error, no or bad API key, Accord unreachable, or the server refused the request"""

MAIN_EPILOG = f"""configuration:
  --url/--api-key win over ACCORD_URL/ACCORD_API_KEY, which win over the file `accord login`
  writes ({os.path.join('~', '.config', 'accord', 'config.json')}, mode 0600; ACCORD_CONFIG moves it).
  ACCORD_REPORTS_URL: the reports API when it is not under ACCORD_URL (a deployment without a
  custom domain has one URL per API).

examples:
  accord login
  accord assets search orders
  accord contract check warehouse.sales.orders new_schema.json
  accord dbt check target/manifest.json
  accord dbt sync target/manifest.json --owner-team 'Data Platform' --publish-contracts
  accord proposals list --pending-for Analytics --json

{EXIT_CODES}"""


class Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog):
        super().__init__(prog, max_help_position=32)


def _common() -> argparse.ArgumentParser:
    """Options every command takes, before or after its name (SUPPRESS: a subcommand's default
    never overwrites what was given before it)."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("connection and output")
    S = argparse.SUPPRESS
    g.add_argument("--url", default=S, help="Accord's URL (ACCORD_URL)")
    g.add_argument("--api-key", default=S, help="API key (ACCORD_API_KEY)")
    g.add_argument("--reports-url", default=S, help=S)
    g.add_argument("--timeout", type=float, default=S, help=S)
    g.add_argument("--json", action="store_true", default=S, help="machine-readable output")
    g.add_argument("--debug", action="store_true", default=S, help="show each request, and the traceback of an error")
    return p


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="accord", formatter_class=Formatter, parents=[common],
        description="Accord from a shell, a CI pipeline or an agent: assets, contracts, proposals, reports, dbt.",
        epilog=MAIN_EPILOG)
    parser.add_argument("--version", action="version", version=f"accord {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    def cmd(parent, name, handler, help_, epilog="", description=None):
        p = parent.add_parser(name, help=help_, description=description or help_, epilog=epilog,
                              formatter_class=Formatter, parents=[common])
        p.set_defaults(handler=handler)
        return p

    def group(name, help_):
        p = sub.add_parser(name, help=help_, description=help_, formatter_class=Formatter, parents=[common])
        inner = p.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", title="subcommands")
        p.set_defaults(handler=None, group_parser=p)
        return inner

    # ------------------------------------------------------------------ login / logout
    p = cmd(sub, "login", "commands:login", "Save a URL and API key (verified) for later runs",
            "examples:\n  accord login\n  accord login --url https://accord.example.com --api-key acc_...\n"
            "  printf '%s' \"$KEY\" | accord login --url https://accord.example.com --api-key-stdin")
    p.add_argument("--api-key-stdin", action="store_true", help="read the key from stdin (no prompt, no shell history)")
    cmd(sub, "logout", "commands:logout", "Delete the saved configuration", "examples:\n  accord logout")

    # ------------------------------------------------------------------ assets
    g = group("assets", "Find and read assets")
    p = cmd(g, "list", "commands:assets_list", "List assets (filters combine)",
            "examples:\n  accord assets list --fqn warehouse.sales\n  accord assets list --owner 'Data Platform' --json")
    p.add_argument("--fqn", help="an fqn or a dotted prefix of one (warehouse.sales)")
    p.add_argument("--owner", help="owner team (name or id)")
    p.add_argument("--environment", "-e", help="environment, e.g. production")
    p.add_argument("--limit", type=int, default=100, help="at most this many (default 100; 0 = all)")
    p = cmd(g, "get", "commands:assets_get", "An asset, by id or fqn",
            "examples:\n  accord assets get warehouse.sales.orders\n  accord assets get 3f2c... --status --json")
    p.add_argument("asset", help="asset id or fqn")
    p.add_argument("--environment", "-e", help="when the fqn exists in several environments")
    p.add_argument("--status", action="store_true", help="with its report status (freshness, checks)")
    p = cmd(g, "search", "commands:assets_search", "Search assets by a prefix of their fqn or of a word in it",
            "examples:\n  accord assets search orders\n  accord assets search warehouse.sales --json")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=20, help="at most this many (1-100, default 20)")
    p = cmd(g, "lineage", "commands:assets_lineage", "Upstream and downstream assets",
            "examples:\n  accord assets lineage warehouse.sales.orders --depth 2")
    p.add_argument("asset", help="asset id or fqn")
    p.add_argument("--environment", "-e")
    p.add_argument("--depth", type=int, default=3, help="levels each way (default 3)")

    # ------------------------------------------------------------------ contract
    g = group("contract", "Read, check and publish an asset's contract")
    p = cmd(g, "get", "commands:contract_get", "The active contract (or a version) of an asset",
            "examples:\n  accord contract get warehouse.sales.orders\n"
            "  accord contract get warehouse.sales.orders --version 1.0.0 --json | jq .schema")
    p.add_argument("asset", help="asset id or fqn")
    p.add_argument("--environment", "-e")
    p.add_argument("--version", dest="contract_version", help="a version instead of the active one")
    for name, handler, help_, epilog in (
            ("check", "commands:contract_check", "What publishing a schema would break (nothing is published)",
             "examples:\n  accord contract check warehouse.sales.orders schema.json\n"
             "  jq .schema contract.json | accord contract check warehouse.sales.orders -\n\n" + EXIT_CODES),
            ("publish", "commands:contract_publish", "Publish a schema as the asset's next contract version",
             "compatible → published; breaking with registered consumers → a proposal they answer;\n"
             "identical → unchanged.\n\nexamples:\n  accord contract publish warehouse.sales.orders schema.json\n"
             "  accord contract publish warehouse.sales.orders schema.json --dry-run --json")):
        p = cmd(g, name, handler, help_, epilog)
        p.add_argument("asset", help="asset id or fqn")
        p.add_argument("schema", help="JSON Schema file ('-' = stdin); a file holding {\"schema\": ...} works too")
        p.add_argument("--environment", "-e")
        p.add_argument("--mode", help="compatibility mode (default: the contract's)")
        p.add_argument("--profile", choices=("table", "event"), help="how changes are judged (default: the line's)")
        if name == "publish":
            p.add_argument("--version", dest="contract_version", help="the version (default: Accord picks it)")
            p.add_argument("--guarantees", help="guarantees JSON file")
            p.add_argument("--dry-run", action="store_true", help="plan only: what would happen")

    # ------------------------------------------------------------------ proposals
    g = group("proposals", "Breaking changes waiting for their consumers")
    p = cmd(g, "list", "commands:proposals_list", "List proposals",
            "examples:\n  accord proposals list\n  accord proposals list --pending-for Analytics\n"
            "  accord proposals list --status approved --json")
    p.add_argument("--pending-for", metavar="TEAM", help="only those waiting for this team's answer (name or id)")
    p.add_argument("--status", help="pending | approved | rejected | withdrawn | expired | published")
    p.add_argument("--asset", help="only this asset's (id or fqn)")
    p.add_argument("--environment", "-e")
    p = cmd(g, "show", "commands:proposals_show", "A proposal: its changes and who answered",
            "examples:\n  accord proposals show 5b1e...")
    p.add_argument("proposal", help="proposal id")
    p = cmd(g, "ack", "commands:proposals_ack", "Answer a proposal for your team",
            "examples:\n  accord proposals ack 5b1e... --approve --notes 'We cast customer_id.'\n"
            "  accord proposals ack 5b1e... --block --team Analytics")
    p.add_argument("proposal", help="proposal id")
    answer = p.add_mutually_exclusive_group(required=True)
    answer.add_argument("--approve", dest="response", action="store_const", const="approved")
    answer.add_argument("--block", dest="response", action="store_const", const="blocked")
    answer.add_argument("--migrating", dest="response", action="store_const", const="migrating")
    p.add_argument("--team", help="the consumer team answering (default: the key's team)")
    p.add_argument("--notes")

    # ------------------------------------------------------------------ report
    g = group("report", "Report what happened to an asset (Dagster's external-asset events)")
    for kind in ("materialization", "observation", "check"):
        extra = ("\n  accord report check warehouse.sales.orders --check not_null_order_id --passed"
                 if kind == "check" else
                 f"\n  accord report {kind} warehouse.sales.orders --metadata rows=1200 --partition 2024-06-01")
        p = cmd(g, kind, "commands:report", f"Report an asset {kind}", "the asset key: its fqn (a.b.c) or its "
                "parts (a/b/c).\n\nexamples:" + extra)
        p.set_defaults(kind=kind)
        p.add_argument("asset_key", metavar="ASSET_KEY")
        p.add_argument("--metadata", "-m", action="append", default=[], metavar="KEY=VALUE",
                       help="repeatable; the value is JSON if it parses (rows=1200 is a number), else text; "
                            "or one JSON object")
        p.add_argument("--partition")
        p.add_argument("--description")
        p.add_argument("--environment", "-e", help="which registered asset's audit history gets a check")
        if kind == "check":
            p.add_argument("--check", dest="check_name", required=True, help="the check's name")
            verdict = p.add_mutually_exclusive_group(required=True)
            verdict.add_argument("--passed", dest="passed", action="store_const", const=True)
            verdict.add_argument("--failed", dest="passed", action="store_const", const=False)
            p.add_argument("--severity", choices=("WARN", "ERROR"))
        else:
            p.add_argument("--data-version")

    # ------------------------------------------------------------------ dbt
    g = group("dbt", "dbt projects against their contracts")
    p = cmd(g, "check", "commands:dbt_check", "Check every model of a manifest against its asset's active contract",
            "The CI gate: nothing is published. Each model (and seed, snapshot, source) with columns is\n"
            "mapped to its asset (fqn = its relation, lower-cased) and a JSON Schema; only models whose\n"
            "schema differs from the active contract cost a request (an impact analysis). A Markdown\n"
            "summary goes to stdout and, in GitHub Actions, to $GITHUB_STEP_SUMMARY.\n\n"
            "examples:\n  dbt parse && accord dbt check target/manifest.json\n"
            "  accord dbt check target/manifest.json --environment staging --fail-on breaking\n\n" + EXIT_CODES)
    p.add_argument("manifest", help="dbt's target/manifest.json (.gz works too)")
    p.add_argument("--environment", "-e", default="production", help="the assets' environment (default production)")
    p.add_argument("--fail-on", choices=("consumers", "breaking"), default="consumers",
                   help="exit 1 on a breaking change to an asset with registered consumers (default), "
                        "or on any breaking change")
    p.add_argument("--summary", metavar="FILE", help="append the Markdown summary here too "
                                                     "(default: $GITHUB_STEP_SUMMARY when set)")

    p = cmd(g, "sync", "commands:dbt_sync", "Import a manifest (+ run results): assets, lineage, contracts, test runs",
            "The server's dbt import (Tessera's /sync/dbt/upload; admin key). A manifest up to ~5 MB goes\n"
            "in one request; a larger one is gzipped, uploaded (presigned URL) and imported by a job this\n"
            "command follows, with progress bars. Re-importing an unchanged project writes nothing.\n"
            "Nodes owned by no team (no --owner-team, no meta.accord.owner_team) are refused with a warning.\n\n"
            "examples:\n  accord dbt sync target/manifest.json --owner-team 'Data Platform' --publish-contracts\n"
            "  accord dbt sync target/manifest.json --run-results target/run_results.json \\\n"
            "      --publish-contracts --create-proposals --conflict-mode overwrite\n"
            "  accord dbt sync target/manifest.json --dry-run --json | jq '.nodes'\n"
            "  accord dbt sync big_manifest.json.gz --no-wait   # prints the job id; `accord dbt job ID` follows it\n\n"
            "exit status: 0 imported (warnings on stderr), 1 with --strict when any node had a warning,\n"
            "  2 usage, auth or connection error, or the server refused the import")
    p.add_argument("manifest", help="dbt's target/manifest.json (.gz works too)")
    p.add_argument("--run-results", metavar="FILE", help="dbt's run_results.json: one audit run per tested node")
    p.add_argument("--owner-team", metavar="TEAM", help="owner of nodes whose meta names none (name or id)")
    p.add_argument("--environment", "-e", default="production", help="the assets' environment (default production)")
    p.add_argument("--conflict-mode", choices=("ignore", "overwrite", "fail"), default="ignore",
                   help="an existing asset: skip it (default), update it, or refuse the import")
    p.add_argument("--publish-contracts", action="store_true", help="publish each node's columns as its contract")
    p.add_argument("--create-proposals", action="store_true",
                   help="a breaking change with registered consumers becomes a proposal")
    p.add_argument("--register-consumers", action="store_true",
                   help="register owners as consumers of what their models ref (and meta.accord.consumers)")
    p.add_argument("--no-infer-consumers", dest="infer_consumers", action="store_false",
                   help="with --register-consumers: only meta.accord.consumers, not refs")
    p.add_argument("--auto-delete", action="store_true",
                   help="soft-delete the owner team's dbt assets missing from the manifest")
    p.add_argument("--compatibility-mode", metavar="MODE", help="for contracts whose node sets none")
    p.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    p.add_argument("--upload", choices=("auto", "always", "never"), default="auto",
                   help="the upload route: by size (default), always, or never (one request)")
    p.add_argument("--no-wait", dest="wait", action="store_false", help="upload route: print the job id and return")
    p.add_argument("--wait-timeout", type=float, default=1800, metavar="SECONDS",
                   help="how long to follow a job (default 1800)")
    p.add_argument("--strict", action="store_true", help="exit 1 when any node had a warning (HTTP 207)")
    p = cmd(g, "job", "commands:dbt_job", "An import job: its status, progress and result",
            "examples:\n  accord dbt job 6f1c...\n  accord dbt job 6f1c... --wait --json")
    p.add_argument("job_id", metavar="JOB_ID")
    p.add_argument("--wait", action="store_true", help="follow it until it is done")
    p.add_argument("--wait-timeout", type=float, default=1800, metavar="SECONDS")

    # ------------------------------------------------------------------ teams, mcp
    cmd(sub, "teams", "commands:teams", "List the tenant's teams", "examples:\n  accord teams --json")
    p = cmd(sub, "mcp", "commands:mcp", "Serve Accord to agents: an MCP server on stdio",
            "Read-only tools unless --allow-writes. Needs the SDK: pip install 'accord-cli[mcp]'.\n\n"
            "example (an MCP client's config):\n"
            '  {"mcpServers": {"accord": {"command": "accord", "args": ["mcp"],\n'
            '     "env": {"ACCORD_URL": "https://accord.example.com", "ACCORD_API_KEY": "acc_..."}}}}')
    p.add_argument("--allow-writes", action="store_true",
                   help="also offer the tools that write: acknowledge a proposal, report a materialization")
    return parser


def _run(args) -> int:
    handler = getattr(args, "handler", None)
    if handler is None:  # a group without its subcommand
        args.group_parser.print_help(sys.stderr)
        return FAILURE
    module, _, func = handler.partition(":")
    from importlib import import_module
    return import_module(f"accord_cli.{module}").__dict__[func](args) or 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return FAILURE
    debug = getattr(args, "debug", False) or os.environ.get("ACCORD_DEBUG") == "1"
    if debug:
        from accord_cli import http
        http.DEBUG = True
    try:
        return _run(args)
    except CliError as exc:
        if debug:
            import traceback
            traceback.print_exc()
        sys.stderr.write(f"error: {exc.message}\n")
        return exc.code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:  # `accord ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug of ours: still one sentence, the traceback with --debug
        if debug:
            import traceback
            traceback.print_exc()
        text = str(exc).splitlines()[0] if str(exc) else ""
        sys.stderr.write(f"error: unexpected {type(exc).__name__}{': ' + text if text else ''} "
                         "(run again with --debug for the traceback).\n")
        return FAILURE


if __name__ == "__main__":
    sys.exit(main())
