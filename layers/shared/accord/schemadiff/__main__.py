"""python -m accord.schemadiff OLD.json NEW.json --mode backward [--profile table]
[--history V1.json V2.json]  -> prints the result as JSON; exit 0 compatible, 1 breaking,
2 error (unreadable file, invalid schema, bad arguments)."""
import argparse
import json
import sys

from . import compare
from .errors import SchemaError
from .limits import MAX_SCHEMA_BYTES


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)


def _load(path):
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_SCHEMA_BYTES + 1)
    except OSError as e:
        raise SchemaError(f"cannot read {path}: {e.strerror or e}") from None
    if len(data) > MAX_SCHEMA_BYTES:
        raise SchemaError(f"{path} is larger than {MAX_SCHEMA_BYTES} bytes")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as e:
        raise SchemaError(f"{path} is not valid JSON: {e}") from None


def main(argv=None):
    p = _Parser(prog="python -m accord.schemadiff",
                description="Compare two JSON Schemas under a compatibility mode.")
    p.add_argument("old", help="current schema (JSON file)")
    p.add_argument("new", help="candidate schema (JSON file)")
    p.add_argument("--mode", default="backward",
                   help="backward|forward|full|none|*_transitive (case-insensitive)")
    p.add_argument("--profile", default="event", help="event (default) or table")
    p.add_argument("--history", nargs="+", default=[], metavar="VERSION.json",
                   help="earlier versions, oldest first (for transitive modes)")
    p.add_argument("--content-model", default="default", choices=["default", "strict"])
    p.add_argument("--defaults-materialize", action="store_true")
    p.add_argument("--no-format-assertion", action="store_true")
    args = p.parse_args(argv)
    try:
        old, new = _load(args.old), _load(args.new)
        history = [_load(h) for h in args.history]
        result = compare(old, new, mode=args.mode, history=history, profile=args.profile,
                         content_model=args.content_model,
                         defaults_materialize=args.defaults_materialize,
                         format_assertion=not args.no_format_assertion)
    except SchemaError as e:
        print(json.dumps({"error": str(e)}), file=sys.stderr)
        return 2
    print(json.dumps(result.to_dict(), indent=2))
    return 1 if result.is_breaking else 0


if __name__ == "__main__":
    sys.exit(main())
