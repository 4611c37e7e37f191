"""What a command prints: JSON for machines (`--json`), tables for people (rich, imported only
when a table is drawn), notes on stderr."""
import json
import sys


def emit_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def note(text: str) -> None:
    """A line for the person at the terminal; stderr, so stdout stays clean for pipes."""
    sys.stderr.write(text + "\n")


def _console(stderr: bool = False):
    from rich.console import Console
    stream = sys.stderr if stderr else sys.stdout
    # piped or captured: never fold a cell at rich's default 80 columns
    width = None if stream.isatty() else 4096
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def table(columns: list[str], rows: list[list], title: str | None = None, empty: str = "Nothing found.") -> None:
    if not rows:
        print(empty)
        return
    from rich.table import Table
    t = Table(title=title, title_justify="left", header_style="bold", show_edge=False, box=None, pad_edge=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    _console().print(t)


def fields(pairs: list[tuple[str, object]]) -> None:
    """`name: value` lines, aligned."""
    width = max(len(k) for k, _ in pairs)
    for k, v in pairs:
        print(f"{k + ':':<{width + 1}} {'' if v is None else v}")


def schema_columns(schema: dict) -> list[list]:
    """A contract's schema as (column, type, required) rows — nested properties dotted."""
    rows = []

    def walk(node: dict, prefix: str, required: set):
        for name, prop in (node.get("properties") or {}).items():
            prop = prop if isinstance(prop, dict) else {}
            t = prop.get("type", "any")
            t = " | ".join(t) if isinstance(t, list) else t
            if prop.get("format"):
                t += f" ({prop['format']})"
            if prop.get("enum") is not None:
                t += " in " + ", ".join(json.dumps(v) for v in prop["enum"][:6]) + (" ..." if len(prop["enum"]) > 6 else "")
            rows.append([prefix + name, t, "yes" if name in required else ""])
            if isinstance(prop.get("properties"), dict):
                walk(prop, prefix + name + ".", set(prop.get("required") or []))
            items = prop.get("items")
            if isinstance(items, dict) and isinstance(items.get("properties"), dict):
                walk(items, prefix + name + "[].", set(items.get("required") or []))

    if isinstance(schema, dict):
        walk(schema, "", set(schema.get("required") or []))
    return rows
