"""`canbo rules`: print the table of power-control rules, or its JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ledger.rules import rules_table


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `rules` command."""
    cmd = subparsers.add_parser(
        "rules",
        help="print the power-control rules table",
        description=(
            "Print every power-control rule: id, severity, whether its figures are confirmed "
            "in a source, title, legal source and default parameters (a framework may override "
            "them)."
        ),
    )
    cmd.add_argument("--json", action="store_true", help="print the table as a JSON list")
    cmd.add_argument(
        "--lang", choices=("en", "vi"), default="en", help="language of titles (default en)"
    )
    cmd.set_defaults(func=cmd_rules)


def cmd_rules(args: argparse.Namespace) -> int:
    """Print the rules table."""
    table = rules_table()
    if args.json:
        print(json.dumps(table, ensure_ascii=False, indent=2))
    else:
        print(format_table(table, lang=args.lang))
    return 0


def format_table(table: list[dict[str, Any]], *, lang: str = "en") -> str:
    """The rules as aligned text columns, parameters on an indented line under their rule."""
    yes, no = ("có", "chưa") if lang == "vi" else ("yes", "no")
    head = ("ID", "SEVERITY", "CONFIRMED", "TITLE", "SOURCE")
    rows = [
        (r["id"], r["severity"], yes if r["confirmed"] else no, r[f"title_{lang}"], r["source"])
        for r in table
    ]
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head) - 1)]
    lines = []
    for row, rule in zip([head, *rows], [None, *table], strict=True):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if rule and rule["parameters"]:
            shown = ", ".join(
                f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in rule["parameters"].items()
            )
            lines.append(" " * (widths[0] + 2) + "parameters: " + shown)
    return "\n".join(lines)
