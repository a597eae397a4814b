"""The statement-types reference (docs/statement-types.md), generated from the catalogue.

`python -m ledger.personnel.docs > docs/statement-types.md`; a test keeps the file current.
"""

from __future__ import annotations

from ledger.personnel.catalogue import CATALOGUE


def statement_types_markdown() -> str:
    """The reference as Markdown: one section per type with its signers and payload."""
    lines = [
        "# Personnel statement types",
        "",
        "Generated from `ledger/personnel/catalogue.py` by "
        "`python -m ledger.personnel.docs`; do not edit by hand.",
        "",
        "| type | record | creates | signed by | what it does |",
        "| --- | --- | --- | --- | --- |",
    ]
    for kind in CATALOGUE.values():
        creates = {True: "yes", False: "no", None: "if new"}[kind.creates]
        signers = ", ".join(sorted(kind.roles))
        lines.append(f"| `{kind.type}` | {kind.record} | {creates} | {signers} | {kind.summary} |")
    for kind in CATALOGUE.values():
        lines += ["", f"## `{kind.type}`", "", kind.summary + ".", ""]
        if kind.private:
            lines += [
                'Carries personal data beside the statement (`"private"` in the request '
                "body), committed to by `private_sha256`.",
                "",
            ]
        lines += ["| field | required | value |", "| --- | --- | --- |"]
        for name, spec in kind.shape.items():
            required = "yes" if not spec.optional else "no"
            lines.append(f"| `{name}` | {required} | {spec.describe} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(statement_types_markdown(), end="")
